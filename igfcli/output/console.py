"""The terminal table: columns fitted to the console, a text forest plot, blocks when too narrow."""

from __future__ import annotations

import math
from typing import IO, TYPE_CHECKING, Any

from igfcli.analyses.results import Column, Listing
from igfcli.output.text import NUMERIC, safe_text, shown_cell
from igfcli.stats import format_percent

if TYPE_CHECKING:  # rich is imported only when a terminal table is drawn
    from rich.console import Console, RenderableType
    from rich.table import Table


_NO_GROUP = object()


FOREST_WIDTH = 21
MAX_WORD_WIDTH = 12


def forest_scale(listing: Listing) -> float:
    """The right end of the forest plot's shared scale: the widest interval, up to a round 10%."""
    assert listing.forest is not None
    top = max((float(getattr(row, listing.forest[2])) for row in listing.rows), default=0.1)
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
    return column.whole or column.kind in NUMERIC or column.kind in ("interval", "bool")


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
        title=safe_text(listing.title) or None,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    if listing.footnotes:
        table.caption = "\n".join(safe_text(n) for n in listing.footnotes)
    for i, c in enumerate(columns):
        numeric = c.kind in NUMERIC or c.kind in ("interval", "bool")
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
            group = getattr(row, listing.group_by)
            if previous is not _NO_GROUP and group != previous:
                table.add_section()
            elif previous is not _NO_GROUP:
                # one block per group: its name stands on the block's first row only
                cells[[c.attr for c in columns].index(listing.group_by)] = Text("")
            previous = group
        if forest:
            assert listing.forest is not None
            est, low, high = (float(getattr(row, k)) for k in listing.forest)
            cells.append(Text(forest_bar(est, low, high, top)))
        table.add_row(*cells)
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
