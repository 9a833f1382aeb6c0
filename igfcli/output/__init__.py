"""Rendering: result rows -> text in every format, the terminal table, the report, safe file writes."""
