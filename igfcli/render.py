"""The one place that knows output formats: terminal table, markdown, csv, tsv and json.

Machine formats (csv, tsv, json) are contracts: column names from the
listing's keys, rates as fractions, counts as integers, missing values empty
(csv, tsv) or null (json), never any styling. Text from the records is made
safe first: a control character (an escape byte in a title, say) is written
as a visible escape sequence, so no format can send it raw to a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from igfcli.model import Column, Listing
from igfcli.stats import format_percent

if TYPE_CHECKING:  # rich is imported only when a terminal table is drawn
    from rich.console import RenderableType


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    tsv = "tsv"
    json = "json"


# C0 and C1 controls, DEL, and the bidirectional overrides that can reorder what a reader sees
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# what a spreadsheet would run as a formula at the start of a cell
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Record text with every control character written as a visible escape."""
    return _UNSAFE.sub(lambda m: _escape(m.group()), text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
        text = "; ".join(safe_text(str(v)) for v in value)
    else:
        text = safe_text(str(value))
    if neutralise and text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def to_delimited(listing: Listing, delimiter: str, *, neutralise: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([c.key for c in listing.columns])
    for row in listing.rows:
        writer.writerow(
            [_machine_cell(row.get(c.key), c.kind, neutralise=neutralise) for c in listing.columns]
        )
    return out.getvalue()


def to_json(listing: Listing) -> str:
    rows = [{c.key: _json_value(row.get(c.key)) for c in listing.columns} for row in listing.rows]
    return json_text(rows)


def json_text(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    # json escapes C0 controls itself; DEL, C1 and bidi controls it leaves raw
    return re.sub("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


def display_cell(value: Any, column: Column) -> str:
    """A value as people read it: rates as percentages, lists joined, missing as blank."""
    if value is None:
        return ""
    if column.kind == "rate":
        return format_percent(float(value))
    if column.kind == "p_value":
        return format_p(float(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(safe_text(str(v)) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return safe_text(str(value))


def format_p(p: float) -> str:
    """A p-value as trial reports print it: three decimals, or "<0.001"."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def to_markdown(listing: Listing) -> str:
    """A GitHub pipe table."""
    from tabulate import tabulate

    headers = [_md_cell(c.label) for c in listing.columns]
    body = [[_md_cell(display_cell(row.get(c.key), c)) for c in listing.columns] for row in listing.rows]
    align = ["right" if c.kind in ("count", "rate", "number", "p_value") else "left" for c in listing.columns]
    if not body:
        # tabulate draws nothing useful for no rows; a header and rule still parse as a table
        return "| " + " | ".join(headers) + " |\n|" + "|".join("---" for _ in headers) + "|\n"
    return tabulate(body, headers=headers, tablefmt="github", colalign=align, disable_numparse=True) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ") if text else text


_NO_GROUP = object()


def to_rich(listing: Listing) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=listing.title or None, title_justify="left", show_lines=False)
    for c in listing.columns:
        numeric = c.kind in ("count", "rate", "number", "p_value")
        table.add_column(c.label, justify="right" if numeric else "left", overflow="fold")
    previous: Any = _NO_GROUP
    for row in listing.rows:
        if listing.group_by is not None:
            group = row.get(listing.group_by)
            if previous is not _NO_GROUP and group != previous:
                table.add_section()
            previous = group
        table.add_row(*(Text(display_cell(row.get(c.key), c)) for c in listing.columns))
    return table


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
