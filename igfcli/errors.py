"""Problems found in the data, located in their files, and the errors that carry them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

import msgspec

Severity = Literal["error", "warning"]
# A path longer than this is shown cut: no system opens one so long (Linux stops at 4,096 bytes),
# and a message naming it should still fit on a screen.
SHOWN_PATH_MAX = 1024


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as a message names it: whole, or its two ends around its length when absurdly long."""
    text = os.fspath(path)
    if len(text) <= SHOWN_PATH_MAX:
        return text
    return f"{text[:40]}...{text[-40:]} (a path of {len(text):,} characters)"


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong (or doubtful) in one place of one file."""

    path: str
    line: int | None
    column: int | None
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}:{self.column if self.column is not None else 1}"
        kind = "warning: " if self.severity == "warning" else ""
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {kind}{field}{self.message}"

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line or 0, self.column or 0)


class IgfError(Exception):
    """Base of every error the command line reports as a message, not a traceback."""


class DataError(IgfError):
    """The data could not be loaded cleanly; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the data")


class BadValue(IgfError):
    """A value given to the library that it cannot use (a threshold, an id, an agent name).

    `what` names the value in the library's terms ("threshold", "agent"); the
    command layer says which option or argument that is.
    """

    def __init__(self, what: str, message: str) -> None:
        self.what = what
        super().__init__(message)


class SelectionError(BadValue):
    """A filter names something the data does not have (an agent, say); `what` is the filter."""


class OutputError(IgfError):
    """A file could not be written where the user asked."""


def not_utf8(raw: bytes, error: UnicodeDecodeError) -> tuple[int, int, str]:
    """Where the first byte that is not UTF-8 stands (line, column, counted in bytes, as no
    character can be read there) and what to say of it."""
    line = raw[: error.start].count(b"\n") + 1
    column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
    return line, column, f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
