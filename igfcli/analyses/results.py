"""What an analysis returns: typed rows, the columns that show their fields, and listings.

A row is a frozen struct, a subclass of `Row`; each field that people or programs
see is declared with `column(...)`, so a column is a field of the row by
construction and the same attribute feeds every format. A listing checks, when
it is built, that every column it names is a field (or property) of its rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import msgspec

ColumnKind = Literal["text", "count", "rate", "number", "list", "bool", "p_value", "interval"]


class Column(msgspec.Struct, frozen=True):
    """One column of a result: `field` is the row's attribute, `key` the column's name in csv, tsv
    and json (the same, but where the name is a Python keyword: `class`)."""

    key: str
    label: str
    kind: ColumnKind = "text"
    short: str = ""  # a narrower label for the terminal table, where width is scarce
    whole: bool = False  # never wrapped in the terminal table (an id, a name, a status word)
    # pairs of (a yes/no field of the row, a mark): people's formats put each mark after the
    # value where its field is true; machine formats carry the field itself as a column
    marks: tuple[tuple[str, str], ...] = ()
    field: str = ""

    @property
    def attr(self) -> str:
        return self.field or self.key


def column(
    label: str,
    kind: ColumnKind = "text",
    *,
    short: str = "",
    whole: bool = False,
    mark: tuple[str, str] | None = None,
    also: tuple[tuple[str, str], ...] = (),
    key: str = "",
) -> Any:
    """Declare a row field that is shown as a column (its key is the field's name unless `key`);
    `mark` (and `also`, for more) pair a yes/no field of the row with the mark it sets."""
    # the field is named when the row's class is made (_RowMeta), the key too where not given
    return Column(key, label, kind, short, whole, ((mark,) if mark else ()) + also)


class _RowMeta(msgspec.StructMeta):
    """Takes each `column(...)` out of a row's class body, where it would read as the field's
    default, and keeps it as the row's column of that field."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **config: Any) -> Any:
        declared = {k: v for k, v in namespace.items() if isinstance(v, Column)}
        cls: Any = super().__new__(
            mcls, name, bases, {k: v for k, v in namespace.items() if k not in declared}, **config
        )
        inherited = {c.attr: c for base in bases for c in getattr(base, "__columns__", ())}
        made = {k: msgspec.structs.replace(c, key=c.key or k, field=k) for k, c in declared.items()}
        columns = {**inherited, **made}
        cls.__columns__ = tuple(columns[f] for f in cls.__struct_fields__ if f in columns)
        return cls


class Row(msgspec.Struct, frozen=True, metaclass=_RowMeta):
    """The base of every result row: a frozen struct whose `column(...)` fields are its columns."""

    __columns__: ClassVar[tuple[Column, ...]] = ()


def columns_of(
    row_type: type[Row], *, omit: Sequence[str] = (), labels: Mapping[str, str] | None = None
) -> tuple[Column, ...]:
    """The columns of a row type, in field order; `labels` replaces a label set at run time."""
    labels = dict(labels or {})
    unknown = set(labels) - set(row_type.__struct_fields__)
    if unknown:
        raise ValueError(f"{row_type.__name__} has no field {', '.join(sorted(unknown))}")
    return tuple(
        msgspec.structs.replace(c, label=labels[c.attr]) if c.attr in labels else c
        for c in row_type.__columns__
        if c.attr not in omit
    )


class Listing(msgspec.Struct, frozen=True):
    """Columns and rows of plain values, before any formatting.

    Rates are fractions, counts integers, missing values None, in every row.
    """

    columns: tuple[Column, ...]
    rows: tuple[Any, ...]
    title: str = ""
    # rows are drawn in blocks (one per sponsor, say) in the terminal table
    group_by: str | None = None
    # fields of (estimate, interval low, interval high): the terminal table draws a forest plot
    forest: tuple[str, str, str] | None = None
    # fields of a wider interval (a prediction interval) drawn thinner behind the forest's
    forest_band: tuple[str, str] | None = None
    # the columns people see in the table and markdown formats (all of them when empty)
    table_columns: tuple[str, ...] = ()
    # lines printed under the table and markdown formats (a benchmark's source, say)
    footnotes: tuple[str, ...] = ()
    # columns that exist only for people (a combined interval, say), never in csv/tsv/json
    display_only: tuple[Column, ...] = ()
    # fields a narrow terminal table leaves out first, in this order (ids and names never)
    drop_order: tuple[str, ...] = ()
    # a field whose value ("below", "benefit", ...) colours its row where colour is on
    emphasis: str | None = None
    # fields that a narrow terminal writes under the first column's value, indented, instead
    # of in columns of their own (a trial's cohort, say)
    stack: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        known = {c.attr for c in (*self.columns, *self.display_only)}
        named = {*self.table_columns, *(self.forest or ()), *([self.group_by] if self.group_by else [])}
        named |= {*self.drop_order, *self.stack, *([self.emphasis] if self.emphasis else [])}
        named |= set(self.forest_band or ())
        named |= {flag for c in (*self.columns, *self.display_only) for flag, _ in c.marks}
        missing = sorted(k for k in named if k not in known and not self._row_has(k))
        if missing:
            raise ValueError(f"listing names {', '.join(missing)}, which its rows do not have")

    def _row_has(self, key: str) -> bool:
        return not self.rows or hasattr(self.rows[0], key)

    def display_columns(self) -> tuple[Column, ...]:
        if not self.table_columns:
            return self.columns
        by_field = {c.attr: c for c in (*self.columns, *self.display_only)}
        return tuple(by_field[k] for k in self.table_columns)
