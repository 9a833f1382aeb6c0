"""The `igf` command line: each command loads the data, computes a result, and renders it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from igfcli import __version__
from igfcli.errors import IgfError, Problem
from igfcli.loading import Loaded, load, resolve_folder
from igfcli.model import Evidence, Listing
from igfcli.render import Format
from igfcli.selection import Filters, Selection

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="igf",
    help=(
        "Evidence summaries for clinical trials of IGF-1R inhibitors: response rates with "
        "exact intervals, halted programs by sponsor, and progression-free rates against "
        "the sarcoma benchmark. Reads one YAML record per trial (the bundled evidence base "
        "unless --data or IGF_DATA names another folder)."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --- options shared by the commands --------------------------------------------------------

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data folder (agents.yaml and one YAML file per trial). "
        "Default: $IGF_DATA, else the bundled evidence base.",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: a terminal table, or a machine format.")
]
NoColorOpt = Annotated[
    bool,
    typer.Option(
        "--no-color", help="No colour or styling (also when NO_COLOR is set or output is not a terminal)."
    ),
]
SafeCsvOpt = Annotated[
    bool,
    typer.Option(
        "--safe-csv",
        help="In csv/tsv, prefix a cell that starts with = + - @ with a single quote, "
        "so a spreadsheet shows it as text instead of running it as a formula.",
    ),
]
AgentOpt = Annotated[
    list[str] | None, typer.Option("--agent", help="Only trials of this agent (name or code); repeatable.")
]
SponsorOpt = Annotated[
    list[str] | None,
    typer.Option("--sponsor", help="Only agents of this sponsor (or parent company); repeatable."),
]
ClassOpt = Annotated[
    list[str] | None,
    typer.Option("--class", help="Only agents of this class, e.g. 'anti-IGF-1R antibody'; repeatable."),
]
PhaseOpt = Annotated[
    list[str] | None,
    typer.Option("--phase", help='Only trials of this phase ("1", "1/2", "2", "2/3", "3"); repeatable.'),
]
HistologyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--histology", help="Only trials or cohorts whose histologies contain this text; repeatable."
    ),
]
ConditionOpt = Annotated[
    list[str] | None,
    typer.Option("--condition", help="Only trials whose condition contains this text; repeatable."),
]


def _filters(
    agent: list[str] | None,
    sponsor: list[str] | None,
    drug_class: list[str] | None,
    phase: list[str] | None,
    histology: list[str] | None,
    condition: list[str] | None,
) -> Filters:
    return Filters(
        agents=tuple(agent or ()),
        sponsors=tuple(sponsor or ()),
        classes=tuple(drug_class or ()),
        phases=tuple(phase or ()),
        histologies=tuple(histology or ()),
        conditions=tuple(condition or ()),
    )


# --- plumbing -------------------------------------------------------------------------------


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    sys.stderr.write(f"igf: error: {message}\n")
    raise typer.Exit(code)


def _print_problems(problems: list[Problem]) -> None:
    sys.stderr.write("".join(f"{p}\n" for p in problems))


def _load_checked(data: Path | None) -> Evidence:
    """Load the folder; with any error, list every problem and stop (exit 2)."""
    loaded: Loaded = load(resolve_folder(data))
    if loaded.errors or loaded.evidence is None:
        _print_problems(loaded.problems)
        errors = len(loaded.errors)
        _fail(
            f"{errors} error{'s' if errors != 1 else ''} in the data; nothing was computed "
            "(igf validate lists every problem)"
        )
    return loaded.evidence


def _selection(evidence: Evidence, filters: Filters) -> Selection:
    try:
        return Selection(evidence, filters)
    except IgfError as exc:
        _fail(str(exc))


def _color_off(no_color: bool) -> bool:
    return no_color or bool(os.environ.get("NO_COLOR"))


def emit(text: str) -> None:
    """Write to stdout; a reader that went away (`| head`) ends the command quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at nothing so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None


def _emit_listing(listing: Listing, fmt: Format, no_color: bool, safe_csv: bool = False) -> None:
    if fmt is not Format.table:
        from igfcli.render import render_text

        emit(render_text(listing, fmt, neutralise=safe_csv))
        return
    from igfcli.render import to_rich

    emit(_rich_text(to_rich(listing), no_color))


def _rich_text(renderable: object, no_color: bool) -> str:
    from rich.console import Console

    off = _color_off(no_color)
    console = Console(
        file=sys.stdout,
        color_system=None if off else "auto",
        no_color=off,
        highlight=False,
        emoji=False,
        markup=False,
    )
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def _version(value: bool) -> None:
    if value:
        emit(f"igf {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Evidence summaries for clinical trials of IGF-1R inhibitors."""


# --- commands -------------------------------------------------------------------------------


@app.command()
def validate(
    data: DataOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
) -> None:
    """Check every record in the data folder and list every problem, one per line, on stderr.

    Exit 0 when there are no errors (warnings are allowed unless --strict), 1 when
    there are.

    Example: igf validate --data my-trials/
    """
    folder = resolve_folder(data)
    loaded = load(folder)
    _print_problems(loaded.problems)
    errors, warnings = len(loaded.errors), len(loaded.warnings)
    evidence = loaded.evidence
    files = (
        f"{len(evidence.trials)} trial records and {len(evidence.agents)} agents" if evidence else "nothing"
    )
    sys.stderr.write(
        f"{folder}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''} ({files} loaded)\n"
    )
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def trials(
    data: DataOpt = None,
    agent: AgentOpt = None,
    sponsor: SponsorOpt = None,
    drug_class: ClassOpt = None,
    phase: PhaseOpt = None,
    histology: HistologyOpt = None,
    condition: ConditionOpt = None,
    fmt: FormatOpt = Format.table,
    no_color: NoColorOpt = False,
    safe_csv: SafeCsvOpt = False,
) -> None:
    """List the trials: regimen, phase, histologies, enrolment, responses and 12-week PFS.

    Example: igf trials --histology ewing --format csv
    """
    from igfcli.listings import trials_listing

    evidence = _load_checked(data)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, phase, histology, condition))
    _emit_listing(trials_listing(selection), fmt, no_color, safe_csv)


@app.command()
def show(
    trial_id: Annotated[
        str, typer.Argument(metavar="ID", help="The trial's id (its file name without .yaml).")
    ],
    data: DataOpt = None,
    fmt: FormatOpt = Format.table,
    no_color: NoColorOpt = False,
    safe_csv: SafeCsvOpt = False,
) -> None:
    """Everything about one trial: figures (saying which were derived), cohorts and sources.

    Example: igf show pappo-2014-r1507-sarcoma
    """
    from igfcli.listings import show_listing, trial_detail

    evidence = _load_checked(data)
    matches = [t for t in evidence.trials if t.id == trial_id]
    if not matches:
        import difflib

        close = difflib.get_close_matches(trial_id, [t.id for t in evidence.trials], n=1)
        _fail(
            f"no trial with id '{trial_id}'"
            + (f"; did you mean {close[0]}?" if close else "; igf trials lists the ids")
        )
    detail = trial_detail(evidence, matches[0])
    if fmt is Format.json:
        from igfcli.render import json_text

        emit(json_text(detail))
        return
    _emit_listing(show_listing(detail), fmt, no_color, safe_csv)


@app.command()
def agents(
    data: DataOpt = None,
    agent: AgentOpt = None,
    sponsor: SponsorOpt = None,
    drug_class: ClassOpt = None,
    fmt: FormatOpt = Format.table,
    no_color: NoColorOpt = False,
    safe_csv: SafeCsvOpt = False,
) -> None:
    """The agent catalog: codes, class, sponsor, program status, and the trials the data holds.

    Example: igf agents --class "anti-IGF-1R antibody" --format markdown
    """
    from igfcli.listings import agents_listing

    evidence = _load_checked(data)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, None, None, None))
    _emit_listing(agents_listing(selection), fmt, no_color, safe_csv)


def main() -> None:
    """Entry point of the `igf` script."""
    try:
        app()
    except BrokenPipeError:  # pragma: no cover - emit() handles the usual case
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
