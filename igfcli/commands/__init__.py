"""The `igf` command line: the app, the commands it holds, and the one way it reports usage errors.

Each command module declares options, calls the library and renders; nothing
outside this package imports typer.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from importlib import import_module
from typing import Annotated, Any, NoReturn, cast

import typer

from igfcli import __version__

HELP = (
    "Evidence summaries for clinical trials of IGF-1R inhibitors: response rates with "
    "exact intervals, halted programs by sponsor, and progression-free rates against "
    "the sarcoma benchmark. Reads one YAML record per trial (the bundled evidence base "
    "unless --data or IGF_DATA names another folder)."
)
SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}
# (command, module in this package, function), in the order `igf --help` lists them
COMMANDS = (
    ("validate", "evidence", "validate"),
    ("trials", "evidence", "trials"),
    ("show", "evidence", "show"),
    ("agents", "evidence", "agents"),
    ("rank", "answers", "rank"),
    ("halted", "answers", "halted"),
    ("benchmark", "answers", "benchmark"),
    ("randomised", "answers", "randomised"),
    ("report", "answers", "report"),
    ("init", "curators", "init"),
    ("schema", "curators", "schema"),
    ("new", "curators", "new_trial"),
)
GROUPS = {"import": ("Start trial records from registry entries.", (("ctgov", "curators", "import_ctgov"),))}
# Typer vendors click; the errors it raises for a bad command line are bases of typer.BadParameter
_CLICK_ERROR: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _version(value: bool) -> None:
    if value:
        from igfcli.commands.plumbing import emit

        emit(f"igf {__version__}\n")
        raise typer.Exit()


def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Evidence summaries for clinical trials of IGF-1R inhibitors."""


def _command(module: str, function: str) -> Any:
    return getattr(import_module(f"igfcli.commands.{module}"), function)


def build(only: str | None = None) -> typer.Typer:
    """The app, with every command, or only the one named `only`.

    Typer builds every command's options before it parses anything, and with a dozen
    commands that was a third of igf's own start-up time; the one command named gives
    the same help, parsing and errors.
    """
    app = typer.Typer(
        name="igf",
        help=HELP,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        context_settings=SETTINGS,
    )
    app.callback()(_main)
    for name, module, function in COMMANDS:
        if only in (None, name):
            app.command(name)(_command(module, function))
    for group, (help_text, members) in GROUPS.items():
        if only in (None, group):
            sub = typer.Typer(name=group, help=help_text, no_args_is_help=True, context_settings=SETTINGS)
            for name, module, function in members:
                sub.command(name)(_command(module, function))
            app.add_typer(sub, name=group)
    return app


def _named(args: list[str]) -> str | None:
    """The command a command line names, when the app for it may hold that command alone.

    With no command (`igf --help`, shell completion) or an unknown one (for the "did you
    mean"), the whole app answers.
    """
    known = {name for name, _, _ in COMMANDS} | set(GROUPS)
    if not args or args[0] not in known or "_IGF_COMPLETE" in os.environ:
        return None
    return args[0]


def app_for(args: list[str]) -> typer.Typer:
    """The app for a command line: only its command, when it names one; else the whole app."""
    return build(_named(args))


@cache  # one per process in use; a program (or test) that runs many command lines builds each once
def _parser(only: str | None) -> Any:
    """The click command Typer makes of the app for `only`, its numbers read plainly, its paths named."""
    from igfcli.commands.options import plain_values

    command = typer.main.get_command(build(only))
    plain_values(command)
    return command


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole app, built only when asked for (docs, tests)
        return build()
    raise AttributeError(name)


def run(args: list[str]) -> int:
    """Run one command line; the exit code. Usage errors, Typer's included, are one line on stderr."""
    from igfcli.commands.plumbing import EXIT_USAGE, silence_stdout

    if (not args or (len(args) == 1 and args[0] in GROUPS)) and "_IGF_COMPLETE" not in os.environ:
        # no command named: a usage error like any other, in one line (the help is a --help away)
        names = (
            [n for n, _, _ in COMMANDS] + list(GROUPS) if not args else [n for n, _, _ in GROUPS[args[0]][1]]
        )
        where = " ".join(["igf", *args])
        sys.stderr.write(f"igf: error: name a command: {', '.join(names)} (see '{where} --help')\n")
        return EXIT_USAGE
    command = _parser(_named(args))
    try:
        result = command.main(args=args, prog_name="igf", standalone_mode=False)
    except BrokenPipeError:  # pragma: no cover - emit() handles the usual case
        silence_stdout()
        return 0
    except _CLICK_ERROR as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help was the answer
            return int(getattr(exc, "exit_code", EXIT_USAGE))
        from igfcli.output.text import safe_text

        message = str(cast(Any, exc).format_message())
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        # the message quotes the argument as typed: its control characters are shown, not sent
        sys.stderr.write(f"igf: error: {safe_text(message + hint)}\n")
        return int(getattr(exc, "exit_code", EXIT_USAGE))
    except typer.Abort:
        sys.stderr.write("\nigf: interrupted\n")
        return 130
    return result if isinstance(result, int) else 0


# Every signal whose default is to end the process and that a process may handle: each ends igf
# the same way, so that a file half written (a report, a record, the parse cache) is removed.
# SIGPIPE is Python's own (a closed pipe is a BrokenPipeError); SIGKILL and SIGSTOP cannot be handled.
STOPPING = (
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "SIGQUIT",
    "SIGUSR1",
    "SIGUSR2",
    "SIGALRM",
    "SIGVTALRM",
    "SIGPROF",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGPWR",
)


def _interrupted(signum: int, frame: object) -> NoReturn:
    # A signal is not "a check failed" (1): end with the shell's own code for it, 128 + its
    # number. Raised as SystemExit so cleanup still runs (a half-written temporary file is removed).
    import signal

    name = signal.Signals(signum).name
    sys.stderr.write("\nigf: interrupted\n" if name == "SIGINT" else f"\nigf: stopped by {name}\n")
    raise SystemExit(128 + signum)


def stopping_signals() -> list[int]:
    """The signals igf ends on cleanly, as this system numbers them."""
    import signal

    return [getattr(signal, name) for name in STOPPING if hasattr(signal, name)]


def main() -> None:
    """Entry point of the `igf` script."""
    import signal

    from igfcli.commands.plumbing import Diagnostics

    sys.stderr = Diagnostics(sys.stderr)
    for signum in stopping_signals():
        signal.signal(signum, _interrupted)
    sys.exit(run(sys.argv[1:]))
