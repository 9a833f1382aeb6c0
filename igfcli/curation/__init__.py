"""Curators' tools: new records, registry imports and the record schema."""
