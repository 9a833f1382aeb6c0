"""The terminal table: columns fitted to the console, a text forest plot, blocks when too narrow."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from igfcli.analyses.results import Column, Listing
from igfcli.output.text import NUMERIC, column_texts, format_percent, safe_text

if TYPE_CHECKING:  # rich is imported only when a terminal table is drawn
    from rich.console import Console, RenderableType
    from rich.table import Table


_NO_GROUP = object()


FOREST_WIDTH = 21
PROSE_WIDTH = 20
# a row's look where colour is on; the words in the row say the same without it
EMPHASIS = {
    "below": "red",
    "inactive": "red",
    "harm": "red",
    "meets": "green",
    "active": "green",
    "benefit": "green",
}


def forest_scale(listing: Listing) -> float:
    """The right end of the forest plot's shared scale: the widest interval, up to a round 10%."""
    assert listing.forest is not None
    highs = [listing.forest[2], *(listing.forest_band[1:] if listing.forest_band else ())]
    top = max(
        (float(getattr(row, k)) for row in listing.rows for k in highs if getattr(row, k) is not None),
        default=0.1,
    )
    return min(1.0, max(0.1, math.ceil(top * 10 - 1e-9) / 10))


def forest_bar(
    estimate: float,
    low: float,
    high: float,
    top: float,
    width: int = FOREST_WIDTH,
    band: tuple[float, float] | None = None,
) -> str:
    """One row of a text forest plot: the interval as a bar, the estimate as a dot, and a wider
    interval (a prediction interval) as a dotted line behind it."""

    def at(x: float) -> int:
        return min(width - 1, max(0, round(x / top * (width - 1))))

    cells = [" "] * width
    if band is not None:
        for i in range(at(band[0]), at(band[1]) + 1):
            cells[i] = "┄"
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
    return column.whole or column.kind in NUMERIC or column.kind in ("interval", "bool")


def _min_width(column: Column, texts: list[str]) -> int:
    """The narrowest a column may be: its longest value where values never wrap, else its longest
    word (of values and label), so that no id, name or number is ever broken; and a column of
    prose keeps room for a few words a line, or it would stand in a tall narrow strip."""
    if _unbroken(column):
        return max([len(column.short or column.label), *map(len, texts)])
    words = [w for t in (*texts, column.short or column.label) for w in t.split()]
    longest = max(map(len, texts), default=0)
    prose = longest > 2 * PROSE_WIDTH
    return max(4, PROSE_WIDTH if prose else 0, *map(len, words))


def to_rich(listing: Listing, console: Console) -> RenderableType:
    """A terminal table that fits the console without breaking a word.

    When space is short the forest plot goes first, then the listing's least important
    columns in its `drop_order` (a line under the table names them); only when even the
    rest cannot fit does each row become a block of field: value lines.
    """
    columns = list(listing.display_columns())
    texts = _texts(listing, columns)
    with_forest = listing.forest is not None and bool(listing.rows)
    minimums = [_min_width(c, [row[i] for row in texts]) for i, c in enumerate(columns)]
    dropped: list[Column] = []
    for victim in (None, *listing.drop_order):
        if victim is not None:
            at = next((i for i, c in enumerate(columns) if c.attr == victim), None)
            if at is None:
                continue
            dropped.append(columns.pop(at))
            minimums.pop(at)
            for row in texts:
                row.pop(at)
        # two spaces at each edge and between columns (SIMPLE_HEAD with collapsed padding)
        needed = sum(minimums) + 2 * len(minimums) + 2
        if with_forest and not dropped and needed + FOREST_WIDTH + 2 <= console.width:
            room = console.width - FOREST_WIDTH - 2 - (needed - sum(minimums))
            return _table(listing, tuple(columns), texts, True, dropped, _widths(minimums, texts, room))
        if needed <= console.width:
            room = console.width - (needed - sum(minimums))
            return _table(listing, tuple(columns), texts, False, dropped, _widths(minimums, texts, room))
    stacked = _stacked(listing, tuple(columns), texts, dropped, console.width)
    if stacked is not None:
        return stacked
    full = listing.display_columns()
    return _records(listing, full, _texts(listing, full))


def _texts(listing: Listing, columns: Sequence[Column]) -> list[list[str]]:
    """Each row's cells in these columns, as people read them (worked out a column at a time)."""
    by_column = [column_texts(listing.rows, c) for c in columns]
    return [[texts[i] for texts in by_column] for i in range(len(listing.rows))]


def _stacked(
    listing: Listing, columns: tuple[Column, ...], texts: list[list[str]], dropped: list[Column], width: int
) -> RenderableType | None:
    """A table for a terminal too narrow for the first column: a value of it that does not fit
    stands on a line of its own (with the `stack` fields under it, indented), and the row's
    other values on the line below, so no id is ever broken. None when even that cannot fit."""
    from rich.text import Text

    # the first column of text (an id, a name) leads; numbers before it (a rank) stay with the values
    key = next((i for i, c in enumerate(columns) if not _unbroken(c) or c.kind == "text"), 0)
    lead = [key] + [i for i, c in enumerate(columns) if c.attr in listing.stack and i != key]
    rest = [i for i in range(len(columns)) if i not in lead]
    widths = {i: max([len(columns[i].short or columns[i].label), *(len(t[i]) for t in texts)]) for i in rest}
    values_width = sum(widths.values()) + 2 * len(rest)
    first = max([len(columns[key].short or columns[key].label), *(len(t[key]) for t in texts)])
    lead_width = min(first, width - 2 - values_width)
    if lead_width < 12:
        return None

    def values(row: list[str]) -> str:
        cells = []
        for i in rest:
            numeric = columns[i].kind in NUMERIC or columns[i].kind in ("interval", "bool")
            cells.append(row[i].rjust(widths[i]) if numeric else row[i].ljust(widths[i]))
        return "  " + "  ".join(cells)

    head = [c.short or c.label for c in columns]
    lines = [listing.title, ""] if listing.title else []
    lines.append(("  " + head[key].ljust(lead_width) + values(head)).rstrip())
    lines.append(" " + "─" * (lead_width + values_width + 1))
    for row in texts:
        labels = [row[key]] + [f"  {row[i]}" for i in lead[1:] if row[i]]
        for label in labels[:-1]:
            lines.append("  " + label)
        last = labels[-1]
        if len(last) <= lead_width:
            lines.append(("  " + last.ljust(lead_width) + values(row)).rstrip())
        else:
            lines += ["  " + last, ("  " + " " * lead_width + values(row)).rstrip()]
    notes = [safe_text(n) for n in listing.footnotes]
    if dropped:
        left_out = ", ".join(c.label for c in dropped)
        notes.append(f"Left out at this width: {left_out} (a wider terminal, or --format csv, shows them).")
    return Text("\n".join([*lines, "", *notes] if notes else lines))


def _widths(minimums: list[int], texts: list[list[str]], room: int) -> list[int]:
    """Each column's width within `room`: its longest value where all fit; else, from its
    minimum, the columns that lack least are made whole first while the room lasts, and the
    rest share evenly what remains.

    Set here rather than left to rich: rich narrows the widest column first, below the
    minimum that keeps its longest word whole, and the console then crops what overflows.
    """
    natural = [max([m, *(len(row[i]) for row in texts)]) for i, m in enumerate(minimums)]
    widths = list(minimums)
    spare = room - sum(widths)
    growing = sorted(
        (i for i in range(len(widths)) if natural[i] > widths[i]), key=lambda i: natural[i] - widths[i]
    )
    for done, i in enumerate(growing):
        lack = natural[i] - widths[i]
        # whole where it fits (a short value need not wrap); else an even share of what is left
        grow = lack if lack <= spare else spare // (len(growing) - done)
        widths[i] += grow
        spare -= grow
    return widths


def _table(
    listing: Listing,
    columns: tuple[Column, ...],
    texts: list[list[str]],
    forest: bool,
    dropped: list[Column],
    widths: list[int],
) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=safe_text(listing.title) or None,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    notes = [safe_text(n) for n in listing.footnotes]
    if dropped:
        left_out = ", ".join(c.label for c in dropped)
        notes.append(f"Left out at this width: {left_out} (a wider terminal, or --format csv, shows them).")
    if notes:
        table.caption = "\n".join(notes)
    for i, c in enumerate(columns):
        numeric = c.kind in NUMERIC or c.kind in ("interval", "bool")
        unbroken = _unbroken(c)
        # Numbers never wrap ("13.2%" split over lines misreads); text wraps at spaces, and a
        # column keeps room for its longest word, so no id or name is ever cut mid-word.
        table.add_column(
            c.short or c.label,
            justify="right" if numeric else "left",
            overflow="fold",
            no_wrap=unbroken,
            # rich gives the first column of a collapsed-padding table one less than its width
            width=widths[i] + (1 if i == 0 else 0),
        )
    top = 0.0
    if forest:
        top = forest_scale(listing)
        table.add_column(_forest_header(top), no_wrap=True, min_width=FOREST_WIDTH)
    previous: Any = _NO_GROUP
    for row, row_texts in zip(listing.rows, texts, strict=True):
        cells = [Text(text) for text in row_texts]
        if listing.group_by is not None:
            group = getattr(row, listing.group_by)
            if previous is not _NO_GROUP and group != previous:
                table.add_section()
            elif previous is not _NO_GROUP and listing.group_by in [c.attr for c in columns]:
                # one block per group: its name stands on the block's first row only
                cells[[c.attr for c in columns].index(listing.group_by)] = Text("")
            previous = group
        if forest:
            assert listing.forest is not None
            est, low, high = (float(getattr(row, k)) for k in listing.forest)
            band = None
            if listing.forest_band:
                edges = [getattr(row, k) for k in listing.forest_band]
                band = None if None in edges else (float(edges[0]), float(edges[1]))
            cells.append(Text(forest_bar(est, low, high, top, band=band)))
        look = EMPHASIS.get(str(getattr(row, listing.emphasis))) if listing.emphasis else None
        table.add_row(*cells, style=look)
    return table


def _records(listing: Listing, columns: tuple[Column, ...], texts: list[list[str]]) -> RenderableType:
    """Rows as blocks of `label: value` lines, for terminals too narrow for the table."""
    from rich.text import Text

    lines = [safe_text(listing.title), ""] if listing.title else []
    for row_texts in texts:
        lines += [f"{c.label}: {t}" for c, t in zip(columns, row_texts, strict=True) if t]
        lines.append("")
    lines += [safe_text(n) for n in listing.footnotes]
    return Text("\n".join(lines).rstrip("\n"))


def table_text(listing: Listing, stream: IO[str], *, color: bool) -> str:
    """The listing as a terminal table, sized for `stream` (a terminal, or COLUMNS)."""
    from rich.console import Console

    console = Console(
        file=stream,
        color_system="auto" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    with console.capture() as capture:
        console.print(to_rich(listing, console))
    # rich pads every line to the full width; trailing blanks only get in a pipe's way
    return "\n".join(line.rstrip() for line in capture.get().splitlines()).rstrip("\n") + "\n"
