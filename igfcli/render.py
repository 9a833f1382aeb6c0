"""The one place that knows output formats: terminal table, markdown, csv, tsv and json.

Machine formats (csv, tsv, json) are contracts: column names from the
listing's keys, rates as fractions, counts as integers, missing values empty
(csv, tsv) or null (json), never any styling. Text from the records is made
safe first: a control character (an escape byte in a title, say) is written
as a visible escape sequence, so no format can send it raw to a terminal.
"""

from __future__ import annotations

import io
import json
import math
import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from igfcli.model import Column, Listing
from igfcli.stats import format_percent

if TYPE_CHECKING:  # rich is imported only when a terminal table is drawn
    from rich.console import Console, RenderableType
    from rich.table import Table


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
    if column.kind == "number" and isinstance(value, float):
        return f"{value:g}"
    if column.kind == "p_value":
        return format_p(float(value))
    if column.kind == "interval":
        low, high = value
        return f"{format_percent(low)}–{format_percent(high)}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(safe_text(str(v)) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return safe_text(str(value))


def shown_cell(row: dict[str, Any], column: Column) -> str:
    """A row's value in a column as people read it, with the column's mark where its field is true."""
    text = display_cell(row.get(column.key), column)
    if column.mark and text and row.get(column.mark[0]):
        text += column.mark[1]
    return text


def format_p(p: float) -> str:
    """A p-value as trial reports print it: three decimals, or "<0.001"."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def to_markdown(listing: Listing) -> str:
    """A GitHub pipe table (with the listing's footnotes under it)."""
    from tabulate import tabulate

    columns = listing.display_columns()
    headers = [_md_cell(c.label) for c in columns]
    body = [[_md_cell(shown_cell(row, c)) for c in columns] for row in listing.rows]
    align = ["right" if c.kind in _NUMERIC else "left" for c in columns]
    if body:
        text = tabulate(body, headers=headers, tablefmt="github", colalign=align, disable_numparse=True)
    else:
        # tabulate draws no rule for no rows; a header and rule still parse as a table
        text = "| " + " | ".join(headers) + " |\n|" + "|".join("---" for _ in headers) + "|"
    notes = "".join(f"\n{_md_cell(note)}\n" for note in listing.footnotes)
    return text + "\n" + notes


_NUMERIC = ("count", "rate", "number", "p_value", "interval")


def markdown_escape(text: str) -> str:
    """Text that markdown shows as written: nothing in it starts a tag, a cell, code or emphasis."""
    out = safe_text(text)
    for ch in "\\`*<>|":
        out = out.replace(ch, "\\" + ch)
    return out


def _md_cell(text: str) -> str:
    return markdown_escape(text) if text else text


_NO_GROUP = object()


FOREST_WIDTH = 21
MAX_WORD_WIDTH = 12


def forest_scale(listing: Listing) -> float:
    """The right end of the forest plot's shared scale: the widest interval, up to a round 10%."""
    assert listing.forest is not None
    top = max((float(row[listing.forest[2]]) for row in listing.rows), default=0.1)
    return min(1.0, max(0.1, math.ceil(top * 10 - 1e-9) / 10))


def forest_bar(estimate: float, low: float, high: float, top: float, width: int = FOREST_WIDTH) -> str:
    """One row of a text forest plot: the interval as a bar, the estimate as a dot."""

    def at(x: float) -> int:
        return min(width - 1, max(0, round(x / top * (width - 1))))

    cells = [" "] * width
    a, b = at(low), at(high)
    for i in range(a, b + 1):
        cells[i] = "─"
    cells[a], cells[b] = "├", "┤"
    cells[at(estimate)] = "●"
    return "".join(cells).rstrip()


def _forest_header(top: float, width: int = FOREST_WIDTH) -> str:
    right = format_percent(top, 0)
    return "0%" + " " * max(1, width - 2 - len(right)) + right


def _unbroken(column: Column) -> bool:
    return column.whole or column.kind in _NUMERIC or column.kind in ("interval", "bool")


def _min_width(column: Column, texts: list[str]) -> int:
    if _unbroken(column):
        return max([len(column.short or column.label), *map(len, texts)])
    longest_word = max((len(w) for t in texts for w in t.split()), default=0)
    return max(4, min(longest_word, MAX_WORD_WIDTH))


def to_rich(listing: Listing, console: Console) -> RenderableType:
    """A terminal table that fits the console: the forest plot goes first when space is short,
    and below a readable minimum each row becomes a block of field: value lines."""
    columns = listing.display_columns()
    texts = [[shown_cell(row, c) for c in columns] for row in listing.rows]
    with_forest = listing.forest is not None and bool(listing.rows)
    minimums = [_min_width(c, [row[i] for row in texts]) for i, c in enumerate(columns)]
    # two spaces at each edge and between columns (SIMPLE_HEAD with collapsed padding)
    needed = sum(minimums) + 2 * len(minimums) + 2
    if with_forest and needed + FOREST_WIDTH + 2 <= console.width:
        return _table(listing, columns, texts, True)
    if needed <= console.width:
        return _table(listing, columns, texts, False)
    return _records(listing, columns, texts)


def _table(listing: Listing, columns: tuple[Column, ...], texts: list[list[str]], forest: bool) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=listing.title or None,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    if listing.footnotes:
        table.caption = "\n".join(safe_text(n) for n in listing.footnotes)
    for i, c in enumerate(columns):
        numeric = c.kind in _NUMERIC or c.kind in ("interval", "bool")
        unbroken = _unbroken(c)
        # Numbers never wrap ("13.2%" split over lines misreads); text wraps at spaces, and a
        # column keeps room for its longest word up to a point, so names are not cut mid-word.
        table.add_column(
            c.short or c.label,
            justify="right" if numeric else "left",
            overflow="fold",
            no_wrap=unbroken,
            min_width=_min_width(c, [row[i] for row in texts]),
        )
    top = 0.0
    if forest:
        top = forest_scale(listing)
        table.add_column(_forest_header(top), no_wrap=True, min_width=FOREST_WIDTH)
    previous: Any = _NO_GROUP
    for row, row_texts in zip(listing.rows, texts, strict=True):
        cells = [Text(text) for text in row_texts]
        if listing.group_by is not None:
            group = row.get(listing.group_by)
            if previous is not _NO_GROUP and group != previous:
                table.add_section()
            elif previous is not _NO_GROUP:
                # one block per group: its name stands on the block's first row only
                cells[[c.key for c in columns].index(listing.group_by)] = Text("")
            previous = group
        if forest:
            assert listing.forest is not None
            est, low, high = (float(row[k]) for k in listing.forest)
            cells.append(Text(forest_bar(est, low, high, top)))
        table.add_row(*cells)
    return table


def _records(listing: Listing, columns: tuple[Column, ...], texts: list[list[str]]) -> RenderableType:
    """Rows as blocks of `label: value` lines, for terminals too narrow for the table."""
    from rich.text import Text

    lines = [listing.title, ""] if listing.title else []
    for row_texts in texts:
        lines += [f"{c.label}: {t}" for c, t in zip(columns, row_texts, strict=True) if t]
        lines.append("")
    lines += [safe_text(n) for n in listing.footnotes]
    return Text("\n".join(lines).rstrip("\n"))


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
