"""Values as people read them: percentages, p-values, lists, and record text made safe to show.

Text from the records is made safe before any format shows it: a character no
reader can see (an escape byte in a title, a zero-width space in an id, a line
separator in a name) is written as a visible escape sequence, so nothing reaches
a terminal raw, and two texts that look alike on screen read alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from igfcli.analyses.results import Column
from igfcli.names import escape_invisible

NUMERIC = ("count", "rate", "number", "p_value", "interval")

# what a spreadsheet would run as a formula at the start of a cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def format_percent(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage for people, halves rounded up as trial reports do: 0.0245 -> "2.5%"."""
    # From the fraction's shortest decimal form, not from fraction * 100 in binary: 23/80 is
    # 0.2875, but 0.2875 * 100 is 28.749999999999996 as a float, which would round down to 28.7.
    return "" if fraction is None else _percent_of(repr(fraction), decimals)


@lru_cache(maxsize=65536)  # by the text, not the float: -0.0 equals 0.0 but prints "-0.0%"
def _percent_of(shortest: str, decimals: int) -> str:
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    percent = Decimal(shortest).scaleb(2)
    with localcontext(prec=max(28, percent.adjusted() + decimals + 2)):  # a rate printed to 29 decimals
        return f"{percent.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}%"  # never 1E-7


def safe_text(text: str) -> str:
    """Record text with every character no reader can see (names.INVISIBLE: a control, a zero-width
    space, a direction override, a line separator, ...) written as a visible escape."""
    return escape_invisible(text)


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
    return _plain_cell(value)


def _plain_cell(value: Any) -> str:
    """A value of any other kind of column (text, count, list, yes/no) as people read it."""
    if type(value) is str:  # most cells, first
        return safe_text(value)
    if type(value) is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(safe_text(str(v)) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return safe_text(str(value))


def shown_cell(row: Any, column: Column) -> str:
    """A row's value in a column as people read it, with the column's mark where its field is true."""
    return _marked(display_cell(getattr(row, column.attr), column), row, column)


def _marked(text: str, row: Any, column: Column) -> str:
    if text and column.marks:
        text += "".join(symbol for flag, symbol in column.marks if getattr(row, flag))
    return text


def column_texts(rows: Sequence[Any], column: Column) -> list[str]:
    """shown_cell of every row in one column, with the column's kind looked at once, not once a
    cell (a report of 10,000 trials has 140,000 cells)."""
    attr = column.attr
    if column.kind == "rate":
        texts = [format_percent(float(v)) if (v := getattr(r, attr)) is not None else "" for r in rows]
    elif column.kind in ("text", "count"):
        texts = [_plain_cell(getattr(r, attr)) for r in rows]
    else:
        return [shown_cell(r, column) for r in rows]
    if column.marks:
        texts = [_marked(text, row, column) for text, row in zip(texts, rows, strict=True)]
    return texts


def format_p(p: float) -> str:
    """A p-value as trial reports print it: three decimals, or "<0.001"."""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def markdown_escape(text: str) -> str:
    """Text that markdown shows as written: nothing in it starts a tag, a cell, code, emphasis
    (`*`, `_` at a word's edge, `~`), a link or image (`[text](url)`, `[text][ref]`), or an
    entity (`&amp;`). What cannot start any of these is left as it is, so the text reads plainly
    raw too: an `_` inside a word, a `[1]` that no `(` or `[` follows."""
    out = safe_text(text)
    if _MAYBE_MARKDOWN.search(out) is None:  # most cells: a number, an id, a name
        return out
    return _MARKDOWN.sub(r"\\\g<0>", out)


_MAYBE_MARKDOWN = re.compile(r"[\\`*_~<>|\]!&]")
# each character that could start markdown, to be preceded by a backslash: always a backslash,
# a backtick, * ~ < > and |;
# an underscore not inside a word (CommonMark never reads one inside a word as emphasis); the
# "]" of "](" or "]["; the "[" of "!["; the "&" of an entity
_MARKDOWN = re.compile(
    r"[\\`*~<>|]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|\](?=[(\[])|(?<=!)\[|&(?=#?[0-9A-Za-z]+;)"
)


def code_span(text: str) -> str:
    """Text as markdown code (a path, say), made safe: fenced by more backticks than it holds."""
    out = safe_text(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", out)), default=0) + 1)
    pad = " " if out.startswith("`") or out.endswith("`") else ""
    return f"{fence}{pad}{out}{pad}{fence}"


def md_cell(text: str) -> str:
    return markdown_escape(text) if text else text
