"""Rendering: result rows -> text in every format, the terminal table, the markdown report, safe file writes."""
