"""The `igf` command line: each command loads the data, computes a result, and renders it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from igfcli import __version__
from igfcli.completion import complete_agents, complete_trial_ids
from igfcli.errors import IgfError, Problem
from igfcli.halted import GroupBy
from igfcli.loading import Catalog, Loaded, display_path, load, resolve_folder
from igfcli.model import Evidence, Listing
from igfcli.ranking import CiMethod, RankBy
from igfcli.render import Format
from igfcli.selection import Filters, Selection

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2


class Preset(StrEnum):
    editorial = "editorial-2014"
    eortc = "eortc-2002"


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
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse every record file afresh instead of reusing the parse cache (also IGF_NO_CACHE=1).",
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
    list[str] | None,
    typer.Option(
        "--agent",
        help="Only trials of this agent (name or code); repeatable.",
        autocompletion=complete_agents,
    ),
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
        "--histology",
        help="Only trials or cohorts whose histologies contain this text; repeatable. A trial's own "
        "figures count only when all its histologies match; otherwise its matching cohorts stand for it.",
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
    from igfcli.render import safe_text

    # a message quotes record text (an unknown key, a bad value): never send its control bytes raw
    sys.stderr.write("".join(f"{safe_text(str(p))}\n" for p in problems))


def _load_with_warnings(data: Path | None, no_cache: bool) -> tuple[Evidence, list[Problem]]:
    """Load the folder; with any error, list every problem and stop (exit 2)."""
    loaded: Loaded = load(resolve_folder(data), use_cache=not no_cache)
    if loaded.errors or loaded.evidence is None:
        _print_problems(loaded.problems)
        errors = len(loaded.errors)
        _fail(
            f"{_count(errors, 'error')} in the data; nothing was computed (igf validate lists every problem)"
        )
    return loaded.evidence, loaded.warnings


def _load_checked(data: Path | None, no_cache: bool) -> Evidence:
    return _load_with_warnings(data, no_cache)[0]


def _selection(evidence: Evidence, filters: Filters) -> Selection:
    try:
        return Selection(evidence, filters)
    except IgfError as exc:
        _fail(str(exc))


def _color_off(no_color: bool) -> bool:
    return no_color or bool(os.environ.get("NO_COLOR"))


def emit(text: str) -> None:
    """Write to stdout; a reader that went away (`| head`) ends the command quietly."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere to write the result
        _fail("standard output is closed; nothing was written")
    with _writing_stdout():
        sys.stdout.write(text)
        sys.stdout.flush()


@contextmanager
def _writing_stdout() -> Iterator[None]:
    """A reader that went away (`| head`) ends the command quietly; a failed write is an error."""
    try:
        yield
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(EXIT_OK) from None
    except OSError as exc:  # a full disk (`> /dev/full`), a quota, an I/O error
        _silence_stdout()
        _fail(f"the output could not be written: {exc.strerror or exc}")


def _silence_stdout() -> None:
    """Point stdout at nothing, so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _emit_listing(listing: Listing, fmt: Format, no_color: bool, safe_csv: bool = False) -> None:
    if fmt is not Format.table:
        from igfcli.render import render_text

        emit(render_text(listing, fmt, neutralise=safe_csv))
        return
    from rich.console import Console

    from igfcli.render import to_rich

    off = _color_off(no_color)
    console = Console(
        file=sys.stdout,
        color_system=None if off else "auto",
        no_color=off,
        highlight=False,
        emoji=False,
        markup=False,
    )
    with _writing_stdout(), console.capture() as capture:  # rich may write as a capture ends
        console.print(to_rich(listing, console))
    # rich pads every line to the full width; trailing blanks only get in a pipe's way
    emit("\n".join(line.rstrip() for line in capture.get().splitlines()).rstrip("\n") + "\n")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
    no_cache: NoCacheOpt = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
) -> None:
    """Check every record in the data folder and list every problem, one per line, on stderr.

    Exit 0 when there are no errors (warnings are allowed unless --strict), 1 when
    there are.

    Example: igf validate --data my-trials/
    """
    folder = resolve_folder(data)
    loaded = load(folder, use_cache=not no_cache)
    _print_problems(loaded.problems)
    errors, warnings = len(loaded.errors), len(loaded.warnings)
    evidence = loaded.evidence
    files = (
        f"{_count(len(evidence.trials), 'trial record')} and {_count(len(evidence.agents), 'agent')}"
        if evidence
        else "nothing"
    )
    # named as the problems name their files: relative to here, so the line is the same in every checkout
    shown = display_path(folder, folder)
    sys.stderr.write(f"{shown}: {_count(errors, 'error')}, {_count(warnings, 'warning')} ({files} loaded)\n")
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def trials(
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
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

    evidence = _load_checked(data, no_cache)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, phase, histology, condition))
    _emit_listing(trials_listing(selection), fmt, no_color, safe_csv)


@app.command()
def show(
    trial_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The trial's id (its file name without .yaml).",
            autocompletion=complete_trial_ids,
        ),
    ],
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    fmt: FormatOpt = Format.table,
    no_color: NoColorOpt = False,
    safe_csv: SafeCsvOpt = False,
) -> None:
    """Everything about one trial: figures (saying which were derived), cohorts and sources.

    Example: igf show pappo-2014-r1507-sarcoma
    """
    from igfcli.listings import show_listing, trial_detail

    evidence = _load_checked(data, no_cache)
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
    no_cache: NoCacheOpt = False,
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

    evidence = _load_checked(data, no_cache)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, None, None, None))
    _emit_listing(agents_listing(selection), fmt, no_color, safe_csv)


LevelOpt = Annotated[
    float,
    typer.Option("--level", min=0.5, max=0.999, help="Confidence level of the intervals (two-sided)."),
]


@app.command()
def rank(
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    by: Annotated[
        RankBy, typer.Option("--by", help="Rank regimens (trials of one regimen pooled), trials, or cohorts.")
    ] = RankBy.regimen,
    ci: Annotated[
        CiMethod, typer.Option("--ci", help="Interval: exact (Clopper-Pearson) or Wilson score.")
    ] = CiMethod.exact,
    level: LevelOpt = 0.95,
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
    """Rank regimens (or trials, or cohorts) by objective response rate, with confidence intervals.

    Trials of the same regimen are pooled: responders summed over evaluable
    patients summed. Where a record gives only a reported rate, responders are
    the nearest whole number to rate x evaluable, and the row says so
    (estimated). Order: rate, then the interval's lower bound, then evaluable
    patients, all descending.

    Example: igf rank --by trial --ci wilson --format csv
    """
    from igfcli.ranking import rank_listing

    evidence = _load_checked(data, no_cache)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, phase, histology, condition))
    _emit_listing(rank_listing(selection, by, ci, level), fmt, no_color, safe_csv)


@app.command()
def halted(
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    by: Annotated[
        GroupBy, typer.Option("--by", help="Group by sponsor, or by owning company (parent, else sponsor).")
    ] = GroupBy.sponsor,
    status: Annotated[
        str,
        typer.Option(
            "--status", help="List programs of this status instead: active, awaiting-results, unknown."
        ),
    ] = "halted",
    all_programs: Annotated[
        bool, typer.Option("--all", help="List every program, whatever its status.")
    ] = False,
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
    """Halted drug programs by sponsor, with the trials and patients the data holds for each.

    Patients are those of the trials in these records (a record that gives
    enrolment only by cohort counts its cohorts' sum), not a program's total.
    Trial filters (--phase, --histology, --condition) narrow the trials counted,
    and leave out programs with no such trial.

    Example: igf halted --by parent --format markdown
    """
    from igfcli.halted import halted_listing
    from igfcli.model import STATUSES

    if status not in STATUSES:
        _fail(f"--status: '{status}' is not one of {', '.join(STATUSES)}")
    evidence = _load_checked(data, no_cache)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, phase, histology, condition))
    listing = halted_listing(selection, None if all_programs else status, by)
    _emit_listing(listing, fmt, no_color, safe_csv)


@app.command()
def benchmark(
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    preset: Annotated[
        Preset,
        typer.Option(
            "--preset",
            help="editorial-2014: 30% at 12 weeks (Chmielowski 2014). eortc-2002: at 3 months, "
            "20% or less inactive, 40% or more active (Van Glabbeke 2002; set for pretreated "
            "soft-tissue sarcoma, so use it with care on bone sarcomas).",
        ),
    ] = Preset.editorial,
    threshold: Annotated[
        str | None,
        typer.Option("--threshold", help="Benchmark rate, e.g. 30% or 0.3 (overrides the preset)."),
    ] = None,
    weeks: Annotated[
        float | None,
        typer.Option("--weeks", min=0.1, help="Benchmark time point in weeks (overrides the preset)."),
    ] = None,
    tolerance_weeks: Annotated[
        float,
        typer.Option("--tolerance-weeks", min=0, help="Use a time point this close to the benchmark's."),
    ] = 1.0,
    alpha: Annotated[
        float, typer.Option("--alpha", min=0.0001, max=0.5, help="Significance level of the one-sided test.")
    ] = 0.05,
    only_below: Annotated[
        bool, typer.Option("--only-below", help="Show only rows below the benchmark.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when any row is below the benchmark (for scripts and CI).")
    ] = False,
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
    """Flag trials and cohorts whose progression-free rate falls below a sarcoma benchmark.

    One row per trial and per cohort: verdict below / meets (or, with the EORTC
    preset, inactive / inconclusive / active), or no-data. A rate given in
    months converts at 52/12 weeks a month. The p-value is an exact one-sided
    binomial test, P(X <= k) for X ~ Binomial(evaluable, threshold) with k the
    nearest whole number to rate x evaluable: it treats a Kaplan-Meier rate as a
    simple proportion, which holds only without censoring before the time point.

    Example: igf benchmark --only-below --check
    """
    from dataclasses import replace

    from igfcli.benchmark import PRESETS, benchmark_listing

    chosen = PRESETS[preset.value]
    if threshold is not None:
        from igfcli.stats import RateError, parse_rate

        try:
            value = (
                parse_rate(threshold).value
                if "%" in threshold
                else parse_rate(float(threshold), threshold.strip()).value
            )
        except (RateError, ValueError) as exc:
            _fail(
                f"--threshold: {exc}"
                if isinstance(exc, RateError)
                else f"--threshold: '{threshold}' is not a rate"
            )
        chosen = replace(chosen, threshold=value, name="custom", source="set on the command line")
        if chosen.inactive_at is not None and value < chosen.inactive_at:
            _fail("--threshold: below the preset's inactive level; use the editorial-2014 preset")
    if weeks is not None:
        chosen = replace(chosen, weeks=weeks, name="custom")
    evidence = _load_checked(data, no_cache)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, phase, histology, condition))
    listing = benchmark_listing(selection, chosen, tolerance_weeks, alpha, only_below)
    _emit_listing(listing, fmt, no_color, safe_csv)
    if check and any(r["verdict"] in chosen.failing_verdicts for r in listing.rows):
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def report(
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file (atomically).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")] = False,
    ci: Annotated[CiMethod, typer.Option("--ci", help="Interval method of the ranking.")] = CiMethod.exact,
    level: LevelOpt = 0.95,
    agent: AgentOpt = None,
    sponsor: SponsorOpt = None,
    drug_class: ClassOpt = None,
    phase: PhaseOpt = None,
    histology: HistologyOpt = None,
    condition: ConditionOpt = None,
) -> None:
    """Write one markdown report: ranking, halted programs, benchmark flags, checks, methods, references.

    To stdout, or with -o FILE to a file, written atomically and never over an
    existing file without --force.

    Example: igf report --histology sarcoma -o igf-report.md
    """
    from igfcli.errors import OutputError
    from igfcli.report import build_report

    evidence, warnings = _load_with_warnings(data, no_cache)
    selection = _selection(evidence, _filters(agent, sponsor, drug_class, phase, histology, condition))
    from igfcli.loading import bundled_data

    folder = resolve_folder(data)
    label = "the bundled evidence base" if folder == bundled_data() else str(folder)
    text = build_report(selection, warnings, ci, level, label)
    if output is None:
        emit(text)
        return
    from igfcli.output import write_atomic

    try:
        write_atomic(output, text, force=force)
    except OutputError as exc:
        _fail(str(exc))
    sys.stderr.write(f"igf: wrote {output}\n")


def _interrupted(signum: int, frame: object) -> NoReturn:
    # Ctrl-C is not "a check failed" (1): end with the shell's own code for SIGINT. Raised as
    # SystemExit so cleanup still runs (a half-written temporary file is removed).
    sys.stderr.write("\nigf: interrupted\n")
    raise SystemExit(128 + signum)


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command that `args` name, when they name one of its commands.

    Typer builds every command's options before it parses anything, and with a dozen
    commands that was a third of igf's own start-up time. The one command named gives
    the same help, parsing and errors either way. With no command (`igf --help`, shell
    completion) or an unknown one (for Typer's "did you mean"), the whole app answers.
    """
    if not args or args[0].startswith("-") or "_IGF_COMPLETE" in os.environ:
        return app
    from typer.main import get_command_name

    commands = [
        info
        for info in app.registered_commands
        if (info.name or (info.callback and get_command_name(info.callback.__name__))) == args[0]
    ]
    groups = [info for info in app.registered_groups if info.name == args[0]]
    if not commands and not groups:
        return app
    import copy

    narrowed = copy.copy(app)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed


def main() -> None:
    """Entry point of the `igf` script."""
    import signal

    signal.signal(signal.SIGINT, _interrupted)
    try:
        app_for(sys.argv[1:])()
    except BrokenPipeError:  # pragma: no cover - emit() handles the usual case
        _silence_stdout()
        sys.exit(EXIT_OK)


# --- curators' tools: new records, registry import, the record schema ---------------------


class SchemaKind(StrEnum):
    trial = "trial"
    agents = "agents"


class PhaseChoice(StrEnum):
    one = "1"
    one_two = "1/2"
    two = "2"
    two_three = "2/3"
    three = "3"


def _catalog(folder: Path, no_cache: bool) -> Catalog:
    """The folder's agent catalog; stop (exit 2) when agents.yaml is missing or has errors."""
    from igfcli.loading import AGENTS_FILE, Catalog, display_path

    loaded = load(folder, use_cache=not no_cache)
    catalog_file = display_path(folder / AGENTS_FILE, folder)
    shown = display_path(folder, folder)
    problems = [p for p in loaded.errors if p.path in (catalog_file, shown)]
    if problems or loaded.evidence is None:
        _print_problems(problems or loaded.errors)
        _fail(f"{folder}: the agent catalog ({AGENTS_FILE}) could not be read; fix it first")
    return Catalog(loaded.evidence.agents)


def _writable(folder: Path) -> None:
    """Stop (exit 2) before writing records into the evidence base installed with igf."""
    from igfcli.loading import installed_data

    installed = installed_data()
    if installed is not None and folder.resolve() == installed:
        _fail(
            f"{folder} is the evidence base installed with igf, which an upgrade replaces; "
            "write records into a folder of your own with --data (or IGF_DATA)"
        )


def _record_ids(folder: Path) -> dict[str, Path]:
    from igfcli.loading import trial_files

    return {path.stem: path for path in trial_files(folder)}


@app.command()
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(
            metavar="KIND", help="Which file kind: trial (a trial record) or agents (agents.yaml)."
        ),
    ] = SchemaKind.trial,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a trial record or of agents.yaml, for editors.

    Save it beside the records and name it in a comment on a record's first line,
    `# yaml-language-server: $schema=trial.schema.json`, for completion and checking
    while typing. The schema checks shape and types; igf validate checks the rest.

    Example: igf schema trial > trial.schema.json
    """
    from igfcli.schema import schema_text

    emit(schema_text(kind.value))


@app.command("new")
def new_trial(
    trial_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="The new record's id and file name: author-year-agent-topic."),
    ],
    regimen: Annotated[
        str,
        typer.Option(
            "--regimen",
            help="The agents, comma-separated, by name or code from the catalog.",
            autocompletion=complete_agents,
        ),
    ],
    phase: Annotated[PhaseChoice, typer.Option("--phase", help="The trial's phase.")],
    title: Annotated[str, typer.Option("--title", help="The trial's title, as published.")],
    citation: Annotated[
        str, typer.Option("--citation", help="The first source: a citation of the publication.")
    ],
    condition: Annotated[str | None, typer.Option("--condition", help="The disease, e.g. sarcoma.")] = None,
    histology: Annotated[
        list[str] | None, typer.Option("--histology", help="A histology, e.g. 'Ewing sarcoma'; repeatable.")
    ] = None,
    enrolled: Annotated[int | None, typer.Option("--enrolled", min=0, help="Patients enrolled.")] = None,
    nct: Annotated[str | None, typer.Option("--nct", help="The source's ClinicalTrials.gov id.")] = None,
    pmid: Annotated[str | None, typer.Option("--pmid", help="The source's PubMed id.")] = None,
    doi: Annotated[str | None, typer.Option("--doi", help="The source's DOI.")] = None,
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write a new trial record into the data folder, with every optional field as a commented hint.

    The record is valid as written; each hint holds TODO, which igf validate refuses
    until it is filled in. An id that is already taken, or an agent the catalog does
    not know, is refused.

    Example: igf new doe-2012-alphamab-ewing --regimen AM-1 --phase 2 --title "..." --citation "..."
    """
    import re

    from igfcli.output import write_atomic
    from igfcli.scaffold import NewTrial, new_record, parse_list

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", trial_id) or trial_id.endswith((".yaml", ".yml")):
        _fail(f"'{trial_id}' cannot be an id: use letters, digits, '-', '_' and '.', without .yaml")
    folder = resolve_folder(data)
    _writable(folder)
    catalog = _catalog(folder, no_cache)
    names: list[str] = []
    for label in parse_list(regimen):
        name = catalog.resolve(label)
        if name is None:
            _fail(f"--regimen: '{label}' is not in the agent catalog{catalog.suggest(label)}")
        if name in names:
            _fail(f"--regimen: '{label}' is {name}, already in the regimen")
        names.append(name)
    if not names:
        _fail("--regimen: name at least one agent")
    taken = _record_ids(folder).get(trial_id)
    if taken is not None:
        _fail(f"'{trial_id}' is already the id of {taken}")
    identifiers = {key: value for key, value in (("doi", doi), ("pmid", pmid), ("nct", nct)) if value}
    text = new_record(
        NewTrial(
            id=trial_id,
            title=title,
            regimen=tuple(names),
            phase=phase.value,
            citation=citation,
            condition=condition,
            histologies=tuple(histology or ()),
            enrolled=enrolled,
            identifiers=identifiers,
        )
    )
    target = folder / f"{trial_id}.yaml"
    try:
        write_atomic(target, text)
    except IgfError as exc:
        _fail(str(exc))
    emit(f"wrote {target}\n")


import_app = typer.Typer(
    name="import",
    help="Start trial records from registry entries.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(import_app, name="import")


@import_app.command("ctgov")
def import_ctgov(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help='ClinicalTrials.gov API v2 JSON: one study, or a page {"studies": [...]}; - reads stdin.',
        ),
    ],
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite records that already exist.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the records instead of writing them.")
    ] = False,
) -> None:
    """Write a trial record skeleton for each ClinicalTrials.gov study into the data folder.

    Each skeleton has the registry's title, phase, conditions, identifiers, lead sponsor,
    status (and why it stopped), enrolment if ACTUAL, and the interventions mapped to the
    agent catalog by name, code or other name. What needs a curator is marked TODO and
    listed; such a record fails igf validate until it is finished. Nothing is written
    when any file cannot be read, or a record exists (without --force).

    Example: curl -s https://clinicaltrials.gov/api/v2/studies/NCT00560560 | igf import ctgov -
    """
    from igfcli.ctgov import RegistryError, read_studies, skeletons
    from igfcli.output import write_atomic

    studies, messages = [], []
    for name in files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            messages.append(f"{name}: cannot be read: {exc.strerror or exc}")
            continue
        try:
            studies.extend(read_studies(raw, "<stdin>" if name == "-" else name))
        except RegistryError as exc:
            messages.extend(exc.messages)
    folder = resolve_folder(data)
    catalog = _catalog(folder, no_cache)
    try:
        drafts = skeletons(studies, catalog) if not messages else []
    except RegistryError as exc:
        messages.extend(exc.messages)
    if messages:
        sys.stderr.write("".join(f"{m}\n" for m in messages))
        _fail("nothing was imported")
    if dry_run:
        emit("---\n".join(f"# {folder / (d.id + '.yaml')}\n{d.text}" for d in drafts))
        return
    _writable(folder)
    existing = _record_ids(folder)
    clashes = []
    for draft in drafts:
        target = folder / f"{draft.id}.yaml"
        other = existing.get(draft.id)
        if other is not None and (other != target or not force):
            clashes.append(f"{target}: '{draft.id}' is already the id of {other}")
    if clashes:
        sys.stderr.write("".join(f"{c}\n" for c in clashes))
        _fail("nothing was imported" + ("" if force else "; use --force to overwrite"))
    for draft in drafts:
        target = folder / f"{draft.id}.yaml"
        try:
            write_atomic(target, draft.text, force=force)
        except IgfError as exc:
            _fail(str(exc))
        emit(f"wrote {target} ({draft.study.nct_id})\n")
        for item in draft.to_finish:
            emit(f"  TODO {item}\n")
