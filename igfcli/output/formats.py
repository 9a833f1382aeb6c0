"""Listings as text in every format but the terminal table: markdown, csv, tsv and json.

Machine formats (csv, tsv, json) are contracts: column names from the rows'
fields, rates as fractions, counts as integers, missing values empty (csv,
tsv) or null (json), never any styling, record text made safe (output/text.py).
"""

from __future__ import annotations

import io
import math
import re
from enum import StrEnum
from typing import Any

from igfcli.analyses.results import Column, Listing
from igfcli.model import LIST_SEPARATOR
from igfcli.names import INVISIBLE
from igfcli.output.text import FORMULA_START, NUMERIC, column_texts, md_cell, safe_text


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    tsv = "tsv"
    json = "json"


def _machine_cell(value: Any, kind: str, *, neutralise: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        text = f"{LIST_SEPARATOR} ".join(safe_text(str(v)) for v in value)
    else:
        text = safe_text(str(value))
    if neutralise and text.startswith(FORMULA_START):
        text = "'" + text
    return text


def to_delimited(listing: Listing, delimiter: str, *, neutralise: bool = False) -> str:
    import csv

    out = io.StringIO()
    # Cells hold no tab or line break (safe_text escapes them), so TSV needs no quoting at
    # all: a quote in a title stays a plain character, as TSV readers expect.
    if delimiter == "\t":
        writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
    else:
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([c.key for c in listing.columns])
    for row in listing.rows:
        writer.writerow(
            [_machine_cell(getattr(row, c.attr), c.kind, neutralise=neutralise) for c in listing.columns]
        )
    return out.getvalue()


def to_json(listing: Listing) -> str:
    rows = [{c.key: _json_value(getattr(row, c.attr)) for c in listing.columns} for row in listing.rows]
    return json_text(rows)


def json_text(value: Any) -> str:
    import json  # here: the other formats, the usual ones in a pipe, do without it

    text = json.dumps(value, ensure_ascii=False, indent=2)
    # json escapes C0 controls inside strings itself, so a raw line break is the layout's; every
    # other character no reader can see (DEL and C1, direction marks, zero-width spaces, line
    # separators, a name's lone surrogates) it leaves raw: escaped here, as JSON reads it back
    if text.replace("\n", "").isprintable():  # most output, at once
        return text + "\n"
    from unicodedata import category

    # each distinct character looked at once (a no-break space in one title of 10,000 is no reason
    # to look at every character of the output in Python); none is a character class's own syntax
    hidden = "".join(ch for ch in set(text) if ch != "\n" and category(ch) in INVISIBLE)
    if not hidden:
        return text + "\n"
    return re.sub(f"[{hidden}]", lambda m: _json_escape(m.group()), text) + "\n"


def _json_escape(ch: str) -> str:
    """A character as JSON's escape spells it: beyond U+FFFF, as its UTF-16 surrogate pair."""
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def plain(value: Any) -> Any:
    """A result (dataclasses, tuples) as plain JSON values; a field may name its key (`class`)."""
    from dataclasses import fields, is_dataclass  # here: only `show`'s detail is made of dataclasses

    if is_dataclass(value) and not isinstance(value, type):
        return {f.metadata.get("key", f.name): plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return _json_value(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


def to_markdown(listing: Listing) -> str:
    """A GitHub pipe table (with the listing's footnotes under it)."""
    columns = listing.display_columns()
    headers = [md_cell(c.label) for c in columns]
    cells = [_markdown_column(listing.rows, c) for c in columns]
    right = [c.kind in NUMERIC for c in columns]
    notes = "".join(f"\n{md_cell(note)}\n" for note in listing.footnotes)
    return pipe_table(headers, cells, right) + "\n" + notes


def _markdown_column(rows: tuple[Any, ...], column: Column) -> list[str]:
    """A column's cells as markdown, column by column: a report's table repeats few values
    (rates, names, verdicts) over thousands of rows, and each distinct text is escaped once."""
    escaped: dict[str, str] = {}
    out = []
    for text in column_texts(rows, column):
        cell = escaped.get(text)
        if cell is None:
            cell = escaped[text] = md_cell(text)
        out.append(cell)
    return out


def pipe_table(headers: list[str], cells: list[list[str]], right: list[bool]) -> str:
    """A GitHub pipe table of columns of cells, laid out as tabulate's "github" format lays
    out text cells.

    Written here because a report of 10,000 trials has over 100,000 cells, every one
    already text, and tabulate spent most of its time guessing each cell's type
    (tests/test_properties.py checks this against tabulate on arbitrary tables).
    Every cell is stripped; a column is as wide as its widest cell, and at least its
    header and two spaces; numbers are aligned right, headers included.
    """
    if not cells or not cells[0]:
        # a header and a rule with no rows still parse as a table
        return "| " + " | ".join(headers) + " |\n|" + "|".join("---" for _ in headers) + "|"
    columns = [[cell.strip() for cell in column] for column in cells]
    widths = [
        max(len(header) + 2, max(map(len, column))) for header, column in zip(headers, columns, strict=True)
    ]
    lines = ["| " + " | ".join(_pad(h, w, r) for h, w, r in zip(headers, widths, right, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    padded = [
        [_pad(cell, w, r) for cell in column] for column, w, r in zip(columns, widths, right, strict=True)
    ]
    lines.extend("| " + " | ".join(row) + " |" for row in zip(*padded, strict=True))
    return "\n".join(lines)


def _pad(text: str, width: int, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


def render_text(listing: Listing, fmt: Format, *, neutralise: bool = False) -> str:
    """Every format but the terminal table, as text."""
    if fmt is Format.json:
        return to_json(listing)
    if fmt is Format.csv:
        return to_delimited(listing, ",", neutralise=neutralise)
    if fmt is Format.tsv:
        return to_delimited(listing, "\t", neutralise=neutralise)
    if fmt is Format.markdown:
        return to_markdown(listing)
    raise ValueError(fmt)
