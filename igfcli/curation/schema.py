"""The JSON Schemas of the record format, shipped beside the code, for editors and other tools."""

from __future__ import annotations

from enum import StrEnum
from importlib import resources

# the file kinds that have a schema, one file each in schemas/: the choices of `igf schema`
SchemaKind = StrEnum("SchemaKind", ["trial", "agents"])
KINDS = tuple(kind.value for kind in SchemaKind)


def schema_text(kind: str) -> str:
    """The schema of one file kind ("trial" or "agents") as JSON text."""
    if kind not in KINDS:
        raise ValueError(f"no schema for {kind!r}; one of {', '.join(KINDS)}")
    return (resources.files("igfcli.curation") / "schemas" / f"{kind}.schema.json").read_text(
        encoding="utf-8"
    )
