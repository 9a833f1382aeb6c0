"""What every command does around its computation: load the data, write to stdout, report errors.

Library errors say what is wrong in the library's terms; here they become one
`igf: error: ...` line on stderr, with the option that was at fault, and exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import typer

from igfcli.analyses.results import Listing
from igfcli.analyses.selection import Filters, Selection
from igfcli.commands.options import OPTION_NAMES, DataSource, Output
from igfcli.errors import BadValue, Problem
from igfcli.model import Evidence
from igfcli.output.formats import Format

if TYPE_CHECKING:
    from igfcli.records.folder import Loaded

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    from igfcli.output.text import safe_text

    # a message quotes paths, ids and values as given: never send their control bytes raw
    sys.stderr.write(f"igf: error: {safe_text(message)}\n")
    raise typer.Exit(code)


def print_problems(problems: list[Problem]) -> None:
    from igfcli.output.text import safe_text

    # a message quotes record text (an unknown key, a bad value): never send its control bytes raw
    sys.stderr.write("".join(f"{safe_text(str(p))}\n" for p in problems))


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def load(source: DataSource) -> Loaded:
    """Every folder of --data loaded, with the cyclic garbage collector paused meanwhile.

    Loading builds an object for every value of every record and frees almost none of
    them: the collector would walk them all again and again as they pile up, for nothing
    (a fifth of a warm run of 10,000 records). They then live as long as the command, so
    they are frozen out of its later collections; reference counting still frees them.
    """
    import gc

    from igfcli.records.combine import load_all

    paused = gc.isenabled()
    gc.disable()
    try:
        loaded = load_all(source.folders, use_cache=source.use_cache)
    finally:
        if paused:
            gc.enable()
    gc.freeze()
    return loaded


def load_with_warnings(source: DataSource) -> tuple[Evidence, list[Problem]]:
    """Load the folder; with any error, list every problem and stop (exit 2)."""
    loaded = load(source)
    if loaded.errors or loaded.evidence is None:
        print_problems(loaded.problems)
        errors = len(loaded.errors)
        fail(f"{count(errors, 'error')} in the data; nothing was computed (igf validate lists every problem)")
    return loaded.evidence, loaded.warnings


def load_checked(source: DataSource) -> Evidence:
    return load_with_warnings(source)[0]


def bad_value(exc: BadValue) -> NoReturn:
    """A library's complaint about a value, naming the option (or argument) that gave it."""
    fail(f"{OPTION_NAMES.get(exc.what, exc.what)}: {exc}")


def select(evidence: Evidence, filters: Filters) -> Selection:
    try:
        return Selection(evidence, filters)
    except BadValue as exc:
        bad_value(exc)


def color_off(no_color: bool) -> bool:
    return no_color or bool(os.environ.get("NO_COLOR"))


def emit(text: str) -> None:
    """Write to stdout; a reader that went away (`| head`) ends the command quietly."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere to write the result
        fail("standard output is closed; nothing was written")
    with writing_stdout():
        sys.stdout.write(text)
        sys.stdout.flush()


@contextmanager
def writing_stdout() -> Iterator[None]:
    """A reader that went away (`| head`) ends the command quietly; a failed write is an error."""
    try:
        yield
    except BrokenPipeError:
        silence_stdout()
        raise typer.Exit(EXIT_OK) from None
    except OSError as exc:  # a full disk (`> /dev/full`), a quota, an I/O error
        silence_stdout()
        fail(f"the output could not be written: {exc.strerror or exc}")


class Diagnostics:
    """Standard error that cannot fail a command. Closed (`2>&-`), full (`2>/dev/full`) or with its
    reader gone (`2>&1 | head -c1`), its messages are dropped and the command ends with the exit
    code it would have had: a clean folder still validates (0), a usage error is still 2.

    When stderr starts closed, descriptor 2 is pointed at the null device, so that no file the
    command opens later takes it, where a C library's message would land inside the file.
    """

    def __init__(self, stream: TextIO | None) -> None:
        if stream is None:
            _to_null(2)
        self._stream = stream if stream is not None else _null_text()

    def write(self, text: str) -> int:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # ValueError: the stream was closed under us
            self._give_up()
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError):
            self._give_up()

    def _give_up(self) -> None:
        # the interpreter flushes the real stream once more at exit: let that go nowhere, quietly
        with suppress(OSError, ValueError):
            _to_null(self._stream.fileno())
        self._stream = _null_text()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ... of the stream in use
        return getattr(self._stream, name)


def _null_text() -> TextIO:
    return open(os.devnull, "w", encoding="utf-8")  # open as long as the process: never closed


def _to_null(fd: int) -> None:
    """Point descriptor `fd` at the null device (open or closed before)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    if devnull != fd:
        os.dup2(devnull, fd)
        os.close(devnull)


def silence_stdout() -> None:
    """Point stdout at nothing, so the interpreter's final flush cannot fail again."""
    _to_null(sys.stdout.fileno())


def emit_listing(listing: Listing, out: Output, filters: Filters | None = None) -> None:
    """The listing in its format; an empty one for a known filter value says so on stderr, naming the
    listing: palbociclib is in the data, but not among the halted programs."""
    if filters is not None and not listing.rows and filters.describe():
        from igfcli.output.text import safe_text

        what = listing.title.split(":")[0] or "this listing"
        # the filters as typed: a value with a control character is shown, not sent
        sys.stderr.write(safe_text(f"igf: none for {filters.describe()} in: {what}") + "\n")
    _emit(listing, out)


def _emit(listing: Listing, out: Output) -> None:
    if out.fmt is not Format.table:
        from igfcli.output.formats import render_text

        emit(render_text(listing, out.fmt, neutralise=out.safe_csv))
        return
    from igfcli.output.console import table_text

    with writing_stdout():  # rich may write as a capture ends
        text = table_text(listing, sys.stdout, color=not color_off(out.no_color))
    emit(text)
