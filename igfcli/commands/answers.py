"""The three answers and the report: rank, halted, benchmark, report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from igfcli.analyses.results import Listing
from igfcli.analyses.selection import Filters
from igfcli.analyses.terms import CiMethod, GroupBy, Pool, Preset, RankBy
from igfcli.commands.options import DATA, FILTERS, OUTPUT, DataSource, LevelOpt, Output, proportion, takes
from igfcli.commands.plumbing import (
    EXIT_CHECK_FAILED,
    bad_value,
    emit,
    emit_listing,
    fail,
    load_checked,
    load_with_warnings,
    select,
)
from igfcli.errors import BadValue, OutputError
from igfcli.model import ProgramStatus

PoolOpt = Annotated[
    Pool,
    typer.Option(
        "--pool",
        help="How the trials of a row are pooled: counts (summed), glmm (random-effects logistic "
        "model) or dl (DerSimonian-Laird); see docs/methods.md.",
    ),
]


def plot_bytes(listing: Listing, path: Path) -> bytes:
    """The forest plot as the figure file `path` would hold; a one-line error without matplotlib."""
    try:
        from igfcli.output.plot import forest_bytes
    except ModuleNotFoundError as exc:
        fail(f'--plot needs matplotlib: pip install "igfcli[plot]" ({exc.name} is not installed)')
    try:
        return forest_bytes(listing, path)
    except OutputError as exc:
        fail(str(exc))


def write_files(files: list[tuple[Path, str | bytes]], force: bool) -> None:
    """Write every file or none (a report and its figure), each atomically, then say so."""
    from igfcli.output.files import write_all
    from igfcli.output.text import safe_text

    try:
        write_all(files, force=force)
    except OutputError as exc:
        fail(str(exc))
    for path, _ in files:
        sys.stderr.write(f"igf: wrote {safe_text(str(path))}\n")


@takes(DATA, FILTERS, OUTPUT)
def rank(
    source: DataSource,
    by: Annotated[
        RankBy,
        typer.Option(
            "--by", help="Rank regimens (trials of one regimen pooled), trials, cohorts, or histologies."
        ),
    ] = RankBy.regimen,
    ci: Annotated[
        CiMethod, typer.Option("--ci", help="Interval: exact (Clopper-Pearson) or Wilson score.")
    ] = CiMethod.exact,
    level: LevelOpt = 0.95,
    pool: PoolOpt = Pool.counts,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Also draw the forest plot as a figure: .svg, .png or .pdf (needs the plot extra).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --plot file.")] = False,
    *,
    filters: Filters,
    out: Output,
) -> None:
    """Rank regimens (or trials, cohorts, histologies) by objective response rate, with intervals.

    The trials of a regimen are pooled: by default responders summed over
    evaluable patients summed; --pool glmm or dl fits a random-effects model
    and prints its heterogeneity (tau², I²) and prediction interval. --by
    histology pools every single-histology trial and cohort across agents.
    Where a record gives only a reported rate, responders are the nearest
    whole number to rate x evaluable, and the row says so (estimated). Order:
    rate, then the interval's lower bound, then evaluable patients, all
    descending.

    Example: igf rank --pool glmm --by histology --format csv
    """
    from igfcli.analyses.ranking import rank_listing

    selection = select(load_checked(source), filters)
    listing = rank_listing(selection, by, ci, level, pool)
    if plot is not None:
        write_files([(plot, plot_bytes(listing, plot))], force)
    emit_listing(listing, out, filters)


@takes(DATA, FILTERS, OUTPUT)
def halted(
    source: DataSource,
    by: Annotated[
        GroupBy, typer.Option("--by", help="Group by sponsor, or by owning company (parent, else sponsor).")
    ] = GroupBy.sponsor,
    status: Annotated[
        ProgramStatus | None, typer.Option("--status", help="List programs of this status instead of halted.")
    ] = None,
    all_programs: Annotated[
        bool, typer.Option("--all", help="List every program, whatever its status.")
    ] = False,
    as_of: Annotated[
        int | None,
        typer.Option(
            "--as-of",
            min=1900,
            max=2100,
            metavar="YEAR",
            help="Answer from the programs' events up to this year (the editorial's view: 2014). "
            "Default: every event, today's view. Trials and patients count every record in the data, "
            "whatever its date.",
        ),
    ] = None,
    *,
    filters: Filters,
    out: Output,
) -> None:
    """Halted drug programs by sponsor, with the trials and patients the data holds for each.

    Patients are those of the trials in these records (a record that gives
    enrolment only by cohort counts its cohorts' sum), not a program's total.
    Trial filters (--phase, --histology, --condition) narrow the trials counted,
    and leave out programs with no such trial. A program's status in each
    indication is its latest event's (up to --as-of); a program halted in
    oncology and approved elsewhere is listed as halted, with the later event
    beside it. --sponsor names a program by its own sponsor or parent, or by
    the company that holds it in a row (after a sale or a licence).

    Example: igf halted --as-of 2014 --format markdown
    """
    from igfcli.analyses.halted import halted_listing

    if all_programs and status is not None:
        fail("--all lists every status; give --status or --all, not both")
    selection = select(load_checked(source), filters)
    chosen = None if all_programs else (status or ProgramStatus.halted).value
    emit_listing(halted_listing(selection, chosen, by, as_of), out, filters)


@takes(DATA, FILTERS, OUTPUT)
def benchmark(
    source: DataSource,
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
        float,
        typer.Option(
            "--alpha",
            parser=proportion(0.0001, 0.5, "0.05 or 5%"),
            metavar="ALPHA",
            help="Significance level of the one-sided test: 0.05 or 5%.",
        ),
    ] = 0.05,
    only_below: Annotated[
        bool, typer.Option("--only-below", help="Show only rows below the benchmark.")
    ] = False,
    with_data: Annotated[
        bool,
        typer.Option(
            "--with-data", help="Leave out the rows with no progression-free rate near the time point."
        ),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when any row is below the benchmark (for scripts and CI).")
    ] = False,
    *,
    filters: Filters,
    out: Output,
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
    from igfcli.analyses.benchmark import PRESETS, benchmark_listing, benchmark_rows, custom

    try:
        chosen = custom(PRESETS[preset.value], threshold, weeks, tolerance_weeks)
    except BadValue as exc:
        bad_value(exc)
    selection = select(load_checked(source), filters)
    rows = benchmark_rows(selection, chosen, alpha, only_below, with_data)
    listing = benchmark_listing(rows, chosen, alpha)
    emit_listing(listing, out, filters)
    if check and any(r.verdict in chosen.failing_verdicts for r in rows):
        raise typer.Exit(EXIT_CHECK_FAILED)


@takes(DATA, FILTERS, OUTPUT)
def randomised(source: DataSource, *, filters: Filters, out: Output) -> None:
    """The randomised comparisons: hazard ratio of each experimental arm against its control.

    One row per comparison the records give (PFS, OS, EFS, ...): the hazard ratio
    and its interval as the source printed them, the patients of the two arms,
    and a verdict: benefit when the interval lies below 1, harm above 1, no
    difference otherwise.

    Example: igf randomised --agent ganitumab --format csv
    """
    from igfcli.analyses.randomised import randomised_listing

    emit_listing(randomised_listing(select(load_checked(source), filters)), out, filters)


@takes(DATA, FILTERS)
def report(
    source: DataSource,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to this file (atomically); - is standard output.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")] = False,
    ci: Annotated[CiMethod, typer.Option("--ci", help="Interval method of the ranking.")] = CiMethod.exact,
    level: LevelOpt = 0.95,
    pool: PoolOpt = Pool.counts,
    plots: Annotated[
        bool,
        typer.Option(
            "--plots",
            help="Also draw the forest plot as NAME-forest.svg beside the report (-o NAME.md), "
            "linked from it.",
        ),
    ] = False,
    *,
    filters: Filters,
) -> None:
    """Write one markdown report: the three answers, randomised comparisons, checks and methods.

    To stdout, or with -o FILE to a file, written atomically and never over an
    existing file without --force.

    Example: igf report --pool glmm --plots -o igf-report.md
    """
    from igfcli.analyses.ranking import rank_listing
    from igfcli.output.report import build_report
    from igfcli.records.folder import bundled_data

    if output is not None and str(output) == "-":
        output = None  # the usual name for standard output
    if plots and output is None:
        fail("--plots writes a figure beside the report: name the report with -o FILE")
    evidence, warnings = load_with_warnings(source)
    selection = select(evidence, filters)
    folders = source.folders
    label = "the bundled evidence base" if folders == [bundled_data()] else ", ".join(map(str, folders))
    figure = output.with_name(f"{output.stem}-forest.svg") if plots and output is not None else None
    text = build_report(selection, warnings, ci, level, label, pool, figure.name if figure else None)
    if output is None:
        emit(text)
        return
    files: list[tuple[Path, str | bytes]] = [(output, text)]
    if figure is not None:  # both written, or neither: a report never links a figure not there
        forest = rank_listing(selection, RankBy.regimen, ci, level, pool)
        files.insert(0, (figure, plot_bytes(forest, figure)))
    write_files(files, force)
