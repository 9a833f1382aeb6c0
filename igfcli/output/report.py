"""One markdown document with the three answers, the evidence checks, methods and references."""

from __future__ import annotations

from igfcli import __version__
from igfcli.analyses import terms
from igfcli.analyses.benchmark import APPROXIMATE_MARK, EDITORIAL, benchmark_rows, level_text
from igfcli.analyses.benchmark import footnotes as benchmark_footnotes
from igfcli.analyses.halted import halted_rows
from igfcli.analyses.randomised import randomised_rows
from igfcli.analyses.ranking import RankRow, rank_rows
from igfcli.analyses.results import Listing, Row, column, columns_of
from igfcli.analyses.selection import Selection
from igfcli.analyses.terms import CiMethod, Pool, RankBy
from igfcli.errors import Problem
from igfcli.model import Trial
from igfcli.output.formats import to_markdown
from igfcli.output.references import References
from igfcli.output.text import code_span, format_p, format_percent, markdown_escape


class _RankLine(Row, frozen=True):
    rank: int = column("Rank", "count")
    name: str = column("Regimen")
    trials: int = column("Trials", "count")
    regimen: str = column("Regimen")
    responders: str = column(
        "Responders/evaluable",
        "count",
        mark=("evaluable_assumed", terms.ASSUMED_MARK),
        also=(("cohorts_summed", terms.SUMMED_MARK),),
    )
    rate: float = column("ORR", "rate", mark=("reported_disagrees", terms.DISAGREES_MARK))
    ci: tuple[float, float] = column("CI", "interval")
    studies: int = column("k", "count")
    tau2: str = column("tau²", "count")
    i2: float | None = column("I²", "rate")
    pi: tuple[float, float] | None = column("PI", "interval")
    sources: str = column("Sources")
    evaluable_assumed: bool = False
    cohorts_summed: bool = False
    reported_disagrees: bool = False


def _ranking_section(
    selection: Selection, refs: References, method: CiMethod, level: float, pool: Pool, figure: str | None
) -> str:
    by_id = {t.id: t for t in selection.evidence.trials}
    out = [f"![Forest plot of the response rates by regimen]({figure})\n"] if figure else []
    for by, heading in ((RankBy.regimen, "By regimen"), (RankBy.trial, "By trial")):
        # both tables pool as --pool says, as `igf rank --by trial --pool` does: a trial of several
        # cohorts is pooled over them, so that it reads the same in both when it is its regimen's only one
        rows = rank_rows(selection, by, method, level, pool)
        lines = [
            _RankLine(
                rank=row.rank,
                name=row.regimen if by is RankBy.regimen else row.name,
                trials=row.trials,
                regimen=row.regimen,
                responders=f"{row.responders}/{row.evaluable}" + (" (est.)" if row.estimated else ""),
                rate=row.rate,
                ci=row.ci,
                studies=row.studies,
                tau2="" if row.tau2 is None else f"{row.tau2:.3g}",
                i2=row.i2,
                pi=row.pi,
                # each reference once, though several trials of a row cite one report
                sources=", ".join(dict.fromkeys(refs.cite_trial(by_id[t]) for t in row.trial_ids)),
                evaluable_assumed=row.evaluable_assumed,
                cohorts_summed=row.cohorts_summed,
                reported_disagrees=row.reported_disagrees,
            )
            for row in rows
        ]
        shown: tuple[str, ...] = (
            "rank",
            "name",
            "trials" if by is RankBy.regimen else "regimen",
            "responders",
        )
        shown += ("rate", "ci")
        if pool is not Pool.counts:
            shown += ("studies", "tau2", "i2", "pi")
        columns = columns_of(
            _RankLine,
            labels={
                "name": "Regimen" if by is RankBy.regimen else "Trial",
                "ci": f"{level * 100:g}% CI",
                "pi": f"{level * 100:g}% PI",
            },
        )
        marks = terms.mark_notes(lines)
        listing = Listing(columns, tuple(lines), table_columns=(*shown, "sources"), footnotes=marks)
        table = to_markdown(listing)
        notes = "".join(
            f"\n{markdown_escape(row.name)}: {markdown_escape(row.note)}.\n" for row in rows if row.note
        )
        if pool is not Pool.counts:
            notes += _heterogeneity(rows, by)
        out.append(f"### {heading}\n\n" + (table + notes if lines else "No response data.\n"))
    return "\n".join(out)


class _HaltedLine(Row, frozen=True):
    sponsor: str | None = column("Sponsor")
    agent: str = column("Agent")
    codes: tuple[str, ...] = column("Codes", "list")
    drug_class: str | None = column("Class", key="class")
    as_of: int | None = column("Status since", "count")
    trials: int = column("Trials", "count")
    patients: int | None = column("Patients", "count")
    reason: str | None = column("Reason")
    source: str = column("Source")


def _halted_section(selection: Selection, refs: References) -> str:
    rows = halted_rows(selection)
    if not rows:
        return "No halted programs in the selection.\n"
    lines = tuple(
        _HaltedLine(
            row.sponsor,
            row.agent,
            row.codes,
            row.drug_class,
            row.status_as_of,
            row.trials,
            row.patients,
            row.reason,
            f"[{refs.cite(row.status_source)}]" if row.status_source else "",
        )
        for row in rows
    )
    return to_markdown(Listing(columns_of(_HaltedLine), lines))


class _BenchmarkLine(Row, frozen=True):
    trial: str = column("Trial")
    cohort: str = column("Cohort")
    regimen: str = column("Regimen")
    weeks: float | None = column("Weeks", "number", mark=("approximate", APPROXIMATE_MARK))
    pfs: float | None = column("PFS rate", "rate")
    evaluable: int | None = column("Evaluable", "count", mark=("evaluable_assumed", terms.ASSUMED_MARK))
    verdict: str = column("Verdict")
    p: str = column("p", "count")
    source: str = column("Source")
    approximate: bool | None = None
    evaluable_assumed: bool | None = None


def _benchmark_section(selection: Selection, refs: References) -> str:
    by_id = {t.id: t for t in selection.evidence.trials}
    benchmark = EDITORIAL
    with_data = [r for r in benchmark_rows(selection, benchmark) if r.verdict != "no-data"]
    if not with_data:
        return (
            "No trial in the selection reports a progression-free rate near "
            f"{benchmark.when.replace(' weeks', '')} weeks.\n"
        )
    lines = tuple(
        _BenchmarkLine(
            trial=row.trial,
            cohort=row.cohort or "(whole trial)",
            regimen=row.regimen,
            weeks=row.weeks,
            pfs=row.pfs_rate,
            evaluable=row.evaluable,
            verdict=row.verdict,
            p="" if row.p_value is None else format_p(row.p_value),
            source=refs.cite_trial(by_id[row.trial]),
            approximate=row.approximate,
            evaluable_assumed=row.evaluable_assumed,
        )
        for row in with_data
    )
    threshold = level_text(benchmark.threshold)
    below = [r for r in with_data if r.verdict in benchmark.failing_verdicts]
    significant = sum(1 for r in below if r.significant)
    summary = (
        f"{len(below)} of {len(with_data)} trials and cohorts with a progression-free rate near "
        f"{benchmark.when} fall below the benchmark of {threshold} [{refs.cite(benchmark.source)}]; "
        f"{significant} of them significantly (one-sided exact binomial test, p < 0.05).\n\n"
    )
    notes = (benchmark_footnotes(benchmark, 0.05)[1], *terms.mark_notes(with_data))
    columns = columns_of(_BenchmarkLine, labels={"p": f"p (vs {threshold})"})
    return summary + to_markdown(Listing(columns, lines, footnotes=notes))


class _ComparisonLine(Row, frozen=True):
    trial: str = column("Trial")
    endpoint: str = column("Endpoint")
    experimental: str = column("Experimental")
    control: str = column("Control")
    patients: int | None = column("Patients", "count")
    hr: str = column("HR (95% CI)", "count")
    p: str = column("p", "count")
    verdict: str = column("Verdict")
    source: str = column("Source")


def _randomised_section(selection: Selection, refs: References) -> str:
    by_id = {t.id: t for t in selection.evidence.trials}
    rows = randomised_rows(selection)
    if not rows:
        return "No randomised comparison in the selection.\n"
    lines = tuple(
        _ComparisonLine(
            trial=row.trial,
            endpoint=row.endpoint,
            experimental=row.experimental,
            control=row.control,
            patients=row.patients,
            hr=row.hr_ci,
            p=row.p_text or "",
            verdict=row.verdict,
            source=refs.cite_trial(by_id[row.trial]),
        )
        for row in rows
    )
    benefit = sum(1 for r in rows if r.verdict == "benefit")
    trials = len({r.trial for r in rows})
    summary = (
        f"{_count(len(rows), 'hazard ratio')} from {_count(trials, 'randomised trial')}; "
        f"{benefit} {'shows' if benefit == 1 else 'show'} a benefit "
        "(the whole interval below 1). Hazard ratios are experimental against control, as the "
        "source printed them; a level other than 95% is named beside the interval.\n\n"
    )
    levels = {r.level for r in rows}
    columns = columns_of(_ComparisonLine, labels={} if levels == {0.95} else {"hr": "HR (CI)"})
    return summary + to_markdown(Listing(columns, lines))


def _heterogeneity(rows: list[RankRow], by: RankBy) -> str:
    """Each pooled regimen's (or trial's) heterogeneity, in words."""
    said = []
    for row in rows:
        if row.tau2 is None or row.i2 is None or row.q is None or row.q_p is None:
            continue
        said.append(
            f"{markdown_escape(row.regimen if by is RankBy.regimen else row.name)}: {row.studies} studies, "
            f"tau² {row.tau2:.3g} (logit scale), "
            f"I² {format_percent(row.i2)}, Q {row.q:.2f} on {row.studies - 1} df (p {format_p(row.q_p)})"
        )
    if by is RankBy.trial:
        if not said:
            return "\nNo trial pools two cohorts or more, so no heterogeneity is estimated.\n"
        return "\nHeterogeneity between the cohorts of each pooled trial: " + "; ".join(said) + ".\n"
    if not said:
        return "\nNo regimen pools two studies or more, so no heterogeneity is estimated.\n"
    return "\nHeterogeneity of each pooled regimen: " + "; ".join(said) + ".\n"


def _trials_section(trials: list[Trial], refs: References) -> str:
    """Every trial the report counts, with its sources, whether or not an analysis could use it."""
    return "".join(
        f"- {markdown_escape(t.id)}: {markdown_escape(t.title)} {refs.cite_trial(t)}\n" for t in trials
    )


def _where(problem: Problem, folder: str) -> str:
    """A record named by its path inside the data folder, with the line: the same on every machine.
    Of several folders (`folder` joins them with os.pathsep), by the folder's own name and the
    path inside it; a path in none of them, as given."""
    import os

    path = os.path.abspath(problem.path)
    folders = [os.path.abspath(f) for f in folder.split(os.pathsep)] if os.pathsep in folder else []
    holding = [f for f in folders or [os.path.abspath(folder)] if os.path.commonpath([f, path]) == f]
    line = f":{problem.line}:{problem.column or 1}" if problem.line is not None else ""
    if not holding:
        return f"{problem.path}{line}"
    held = max(holding, key=len)  # the innermost, where one folder lies inside another
    inside = os.path.relpath(path, held)
    return f"{os.path.join(os.path.basename(held), inside) if folders else inside}{line}"


def _checks_section(warnings: list[Problem], folder: str) -> str:
    if not warnings:
        return "The evidence checks found nothing to report.\n"
    lines = "".join(
        f"- {code_span(_where(p, folder))}: "
        f"{markdown_escape((p.field + ': ' if p.field else '') + p.message)}\n"
        for p in warnings
    )
    return (
        "Figures that are valid one by one but disagree with each other or cannot be what the source "
        "printed (from `igf validate`):\n\n" + lines
    )


def _methods(method: CiMethod, level: float, refs: References, pool: Pool) -> str:
    benchmark = EDITORIAL
    pooling = {
        Pool.counts: "are pooled by summing responders and evaluable patients",
        Pool.glmm: (
            "are pooled by a random-effects logistic regression (binomial-normal model) fitted by "
            "maximum likelihood, its integrals by adaptive Gauss-Hermite quadrature; the pooled rate has a "
            f"{level * 100:g}% Wald interval, and from three studies a prediction interval for a new trial "
            "(t on k - 2 degrees of freedom); tau² and I² state how much the trials disagree"
        ),
        Pool.dl: (
            "are pooled by inverse-variance weighting of logits with the DerSimonian-Laird tau² (0.5 "
            "added to the counts of a trial with no or all responders); the pooled rate has a "
            f"{level * 100:g}% Wald interval, and from three studies a prediction interval for a new trial"
        ),
    }[pool]
    single = (
        ""
        if pool is Pool.counts
        else "; a study is a trial's figure, or each cohort's where the trial reports its cohorts apart, "
        "and a regimen of one study keeps the interval below; the table by trial pools a trial's "
        "cohorts the same way"
    )
    return (
        "Objective response rate is responders (complete and partial responses) over evaluable "
        f"patients. Trials of the same regimen (the same agents, in any order) {pooling}{single} "
        "(docs/methods.md). Where a record gives only a reported "
        "rate, responders are the nearest whole number to rate x evaluable and marked (est.). "
        f"{'Intervals' if pool is Pool.counts else 'Intervals not pooled'} are two-sided "
        f"{level * 100:g}% {terms.CI_LABELS[method]} intervals. Progression-free rates are compared with a "
        f"benchmark {benchmark.describe()} [{refs.cite(benchmark.source)}]; a rate reported in "
        f"months converts at 52/12 weeks a month, and {benchmark.time_point_text()}. "
        f"The p-value is {benchmark.test_text()}; it treats a Kaplan-Meier estimate as a simple "
        "proportion, which holds only without censoring before the time point.\n"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def build_report(
    selection: Selection,
    warnings: list[Problem],
    method: CiMethod = CiMethod.exact,
    level: float = 0.95,
    data_label: str | None = None,
    pool: Pool = Pool.counts,
    figure: str | None = None,
) -> str:
    """The report; `figure` is the forest plot's file, as the report links it (beside the report)."""
    evidence = selection.evidence
    trials = selection.trials()
    agents = sorted({name for t in trials for name in t.regimen})
    counts = [selection.patients(t) for t in trials]
    patients = sum(n for n in counts if n is not None)
    uncounted = sum(n is None for n in counts)
    refs = References()
    described = selection.filters.describe()
    header = (
        "# IGF-1R inhibitor trials: evidence summary\n\n"
        f"Data: {markdown_escape(data_label or evidence.folder)}: "
        f"{_count(len(trials), 'trial')} of {_count(len(agents), 'agent')}, "
        f"{patients} patients enrolled"
        + (f" ({_count(uncounted, 'trial')} giving no count)" if uncounted else "")
        + (f" (selected: {markdown_escape(described)})" if described else "")
        + f". Produced by igf {__version__}.\n"
    )
    sections = [
        header,
        "## Response rates\n\n" + _ranking_section(selection, refs, method, level, pool, figure),
        "## Halted programs by sponsor\n\n" + _halted_section(selection, refs),
        "## Progression-free rate against the sarcoma benchmark\n\n" + _benchmark_section(selection, refs),
        "## Randomised comparisons\n\n" + _randomised_section(selection, refs),
        "## Evidence checks\n\n" + _checks_section(warnings, evidence.folder),
        "## Trials\n\n" + _trials_section(trials, refs),
        "## Methods\n\n" + _methods(method, level, refs, pool),
        "## References\n\n" + (refs.listing() or "None.\n"),
    ]
    return "\n".join(sections)
