"""One markdown document with the three answers, the evidence checks, methods and references."""

from __future__ import annotations

from dataclasses import dataclass

from igfcli import __version__
from igfcli.analyses.benchmark import EDITORIAL, benchmark_rows
from igfcli.analyses.halted import halted_rows
from igfcli.analyses.randomised import randomised_rows
from igfcli.analyses.ranking import CI_LABELS, CiMethod, RankBy, rank_rows
from igfcli.analyses.results import Column, Listing, column, columns_of
from igfcli.analyses.selection import Selection
from igfcli.errors import Problem
from igfcli.output.formats import to_markdown
from igfcli.output.references import References
from igfcli.output.text import code_span, display_cell, format_p, markdown_escape
from igfcli.stats import format_percent


@dataclass(frozen=True)
class _RankLine:
    rank: int = column("Rank", "count")
    name: str = column("Regimen")
    trials: int = column("Trials", "count")
    regimen: str = column("Regimen")
    responders: str = column("Responders/evaluable", "count")
    rate: float = column("ORR", "rate")
    ci: tuple[float, float] = column("CI", "interval")
    sources: str = column("Sources")


def _ranking_section(selection: Selection, refs: References, method: CiMethod, level: float) -> str:
    by_id = {t.id: t for t in selection.evidence.trials}
    out = []
    for by, heading in ((RankBy.regimen, "By regimen"), (RankBy.trial, "By trial")):
        lines = [
            _RankLine(
                rank=row.rank,
                name=row.regimen if by is RankBy.regimen else row.name,
                trials=row.trials,
                regimen=row.regimen,
                responders=f"{row.responders}/{row.evaluable}" + (" (est.)" if row.estimated else ""),
                rate=row.rate,
                ci=row.ci,
                sources=", ".join(refs.cite_trial(by_id[t]) for t in row.trial_ids),
            )
            for row in rank_rows(selection, by, method, level)
        ]
        shown = ("rank", "name", "trials" if by is RankBy.regimen else "regimen", "responders", "rate", "ci")
        columns = columns_of(
            _RankLine,
            labels={"name": "Regimen" if by is RankBy.regimen else "Trial", "ci": f"{level * 100:g}% CI"},
        )
        table = to_markdown(Listing(columns, tuple(lines), table_columns=(*shown, "sources")))
        out.append(f"### {heading}\n\n" + (table if lines else "No response data.\n"))
    return "\n".join(out)


@dataclass(frozen=True)
class _HaltedLine:
    sponsor: str | None = column("Sponsor")
    agent: str = column("Agent")
    codes: tuple[str, ...] = column("Codes", "list")
    drug_class: str | None = column("Class", key="class")
    as_of: int | None = column("Halted by", "count")
    trials: int = column("Trials", "count")
    patients: int = column("Patients", "count")
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


@dataclass(frozen=True)
class _BenchmarkLine:
    trial: str = column("Trial")
    cohort: str = column("Cohort")
    regimen: str = column("Regimen")
    weeks: str = column("Weeks", "count")
    pfs: str = column("PFS rate", "count")
    evaluable: int | None = column("Evaluable", "count")
    verdict: str = column("Verdict")
    p: str = column("p", "count")
    source: str = column("Source")


def _benchmark_section(selection: Selection, refs: References) -> str:
    by_id = {t.id: t for t in selection.evidence.trials}
    benchmark = EDITORIAL
    with_data = [r for r in benchmark_rows(selection, benchmark) if r.verdict != "no-data"]
    if not with_data:
        return (
            "No trial in the selection reports a progression-free rate near "
            f"{benchmark.when.replace(' weeks', '')} weeks.\n"
        )
    weeks = Column("weeks", "Weeks", "number")
    lines = tuple(
        _BenchmarkLine(
            trial=row.trial,
            cohort=row.cohort or "(whole trial)",
            regimen=row.regimen,
            weeks=display_cell(row.weeks, weeks),
            pfs=str(row.reported_rate)
            if str(row.reported_rate).endswith("%")
            else format_percent(row.pfs_rate),
            evaluable=row.evaluable,
            verdict=row.verdict,
            p="" if row.p_value is None else format_p(row.p_value),
            source=refs.cite_trial(by_id[row.trial]),
        )
        for row in with_data
    )
    threshold = format_percent(benchmark.threshold, 0)
    below = sum(1 for r in with_data if r.verdict in benchmark.failing_verdicts)
    summary = (
        f"{below} of {len(with_data)} trials and cohorts with a progression-free rate near "
        f"{benchmark.when.replace(' weeks', '')} weeks fall below the benchmark of {threshold} "
        f"[{refs.cite(benchmark.source)}].\n\n"
    )
    columns = columns_of(_BenchmarkLine, labels={"p": f"p (vs {threshold})"})
    return summary + to_markdown(Listing(columns, lines))


@dataclass(frozen=True)
class _ComparisonLine:
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
        f"{len(rows)} hazard ratios from {trials} randomised trials; {benefit} show a benefit "
        "(the whole interval below 1). Hazard ratios are experimental against control, as the "
        "source printed them; a level other than 95% is named beside the interval.\n\n"
    )
    levels = {r.level for r in rows}
    columns = columns_of(_ComparisonLine, labels={} if levels == {0.95} else {"hr": "HR (CI)"})
    return summary + to_markdown(Listing(columns, lines))


def _checks_section(warnings: list[Problem]) -> str:
    if not warnings:
        return "The evidence checks found nothing to report.\n"
    lines = "".join(
        f"- {code_span(p.path)}: {markdown_escape((p.field + ': ' if p.field else '') + p.message)}\n"
        for p in warnings
    )
    return (
        "Figures that are valid one by one but disagree with each other or cannot be what the source "
        "printed (from `igf validate`):\n\n" + lines
    )


def _methods(method: CiMethod, level: float, refs: References) -> str:
    benchmark = EDITORIAL
    return (
        "Objective response rate is responders (complete and partial responses) over evaluable "
        "patients. Trials of the same regimen (the same agents, in any order) are pooled by summing "
        "responders and evaluable patients. Where a record gives only a reported rate, responders are "
        "the nearest whole number to rate x evaluable and marked (est.). Intervals are two-sided "
        f"{level * 100:g}% {CI_LABELS[method]} intervals. Progression-free rates are compared with a "
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
) -> str:
    evidence = selection.evidence
    trials = selection.trials()
    agents = sorted({name for t in trials for name in t.regimen})
    patients = sum(selection.patients(t) for t in trials)
    refs = References()
    described = selection.filters.describe()
    header = (
        "# IGF-1R inhibitor trials: evidence summary\n\n"
        f"Data: {markdown_escape(data_label or evidence.folder)}: "
        f"{_count(len(trials), 'trial')} of {_count(len(agents), 'agent')}, "
        f"{patients} patients enrolled"
        + (f" (selected: {markdown_escape(described)})" if described else "")
        + f". Produced by igf {__version__}.\n"
    )
    sections = [
        header,
        "## Response rates\n\n" + _ranking_section(selection, refs, method, level),
        "## Halted programs by sponsor\n\n" + _halted_section(selection, refs),
        "## Progression-free rate against the sarcoma benchmark\n\n" + _benchmark_section(selection, refs),
        "## Randomised comparisons\n\n" + _randomised_section(selection, refs),
        "## Evidence checks\n\n" + _checks_section(warnings),
        "## Methods\n\n" + _methods(method, level, refs),
        "## References\n\n" + (refs.listing() or "None.\n"),
    ]
    return "\n".join(sections)
