"""Progression-free rates against a sarcoma benchmark, trial by trial and cohort by cohort."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from igfcli.listings import pfs_at
from igfcli.model import WEEKS_PER_MONTH, Cohort, Column, Listing, PfsPoint, Trial, round_half_up
from igfcli.ranking import ASSUMED_MARK, ASSUMED_NOTE
from igfcli.selection import Selection
from igfcli.stats import binom_cdf, format_percent


@dataclass(frozen=True)
class Benchmark:
    """A progression-free rate at a time point that separates active from inactive drugs.

    With `inactive_at` set, the benchmark has two thresholds (EORTC style):
    at or below `inactive_at` is inactive, at or above `threshold` active,
    between the two inconclusive.
    """

    name: str
    weeks: float
    threshold: float
    source: str
    inactive_at: float | None = None
    scope: str = ""  # the population the thresholds were set for, where narrower than sarcoma

    def verdict(self, rate: float) -> str:
        if self.inactive_at is None:
            return "meets" if rate >= self.threshold - 1e-12 else "below"
        if rate <= self.inactive_at + 1e-12:
            return "inactive"
        if rate >= self.threshold - 1e-12:
            return "active"
        return "inconclusive"

    @property
    def failing_verdicts(self) -> tuple[str, ...]:
        return ("below",) if self.inactive_at is None else ("inactive",)

    def describe(self) -> str:
        when = f"{self.weeks:g} weeks"
        if self.inactive_at is None:
            return f"progression-free rate of {format_percent(self.threshold, 0)} at {when}"
        return (
            f"progression-free rate at {when}: {format_percent(self.inactive_at, 0)} or less inactive, "
            f"{format_percent(self.threshold, 0)} or more active"
        )


EDITORIAL = Benchmark(
    name="editorial-2014",
    weeks=12.0,
    threshold=0.30,
    source="Chmielowski B. Cancer. 2014;120:2384-2387 (citing Arcaro A. Front Pharmacol. 2013;4:30)",
)
EORTC_2002 = Benchmark(
    name="eortc-2002",
    weeks=3 * WEEKS_PER_MONTH,
    threshold=0.40,
    inactive_at=0.20,
    source="Van Glabbeke M, et al. Eur J Cancer. 2002;38:543-549 (EORTC Soft Tissue and Bone Sarcoma Group)",
    scope="pretreated soft-tissue sarcoma",
)
PRESETS = {EDITORIAL.name: EDITORIAL, EORTC_2002.name: EORTC_2002}

APPROXIMATE_MARK = "*"
COLUMNS = (
    Column("trial", "Trial"),
    Column("cohort", "Cohort"),
    Column("regimen", "Regimen"),
    Column("histologies", "Histologies", "list"),
    Column("weeks", "Weeks", "number", mark=("approximate", APPROXIMATE_MARK)),
    Column("pfs_rate", "PFS rate", "rate"),
    Column("reported_rate", "Reported"),
    Column("evaluable", "Evaluable", "count", "N", mark=("evaluable_assumed", ASSUMED_MARK)),
    Column("progression_free", "Progression-free", "count"),
    Column("threshold", "Threshold", "rate"),
    Column("threshold_inactive", "Inactive at", "rate"),
    Column("verdict", "Verdict", whole=True),
    Column("p_value", "p", "p_value"),
    Column("significant", "Significant", "bool", "Sig."),
    Column("approximate", "Approximate", "bool"),
    Column("evaluable_assumed", "Evaluable assumed", "bool"),
    Column("benchmark", "Benchmark"),
)
SHOWN = (
    "trial",
    "cohort",
    "regimen",
    "weeks",
    "pfs_rate",
    "evaluable",
    "verdict",
    "p_value",
    "significant",
)


def _row(
    benchmark: Benchmark,
    tolerance: float,
    alpha: float,
    trial: Trial,
    cohort: Cohort | None,
    points: tuple[PfsPoint, ...],
    enrolled: int | None,
    histologies: tuple[str, ...],
) -> dict[str, Any]:
    point = pfs_at(points, benchmark.weeks, tolerance)
    row: dict[str, Any] = {
        "trial": trial.id,
        "cohort": cohort.name if cohort else None,
        "regimen": trial.regimen_name,
        "histologies": list(histologies),
        "weeks": None,
        "pfs_rate": None,
        "reported_rate": None,
        "evaluable": None,
        "progression_free": None,
        "threshold": benchmark.threshold,
        "threshold_inactive": benchmark.inactive_at,
        "verdict": "no-data",
        "p_value": None,
        "significant": None,
        "approximate": None,
        "evaluable_assumed": None,
        "benchmark": benchmark.name,
    }
    if point is None:
        return row
    evaluable = point.evaluable if point.evaluable is not None else enrolled
    approximate = abs(point.weeks - benchmark.weeks) > 1e-9
    assumed = point.evaluable is None and evaluable is not None
    row.update(
        weeks=round(point.weeks, 6),
        pfs_rate=point.rate.value,
        reported_rate=point.rate.text,
        evaluable=evaluable,
        verdict=benchmark.verdict(point.rate.value),
        approximate=approximate,
        evaluable_assumed=assumed,
    )
    if evaluable:
        # A Kaplan-Meier rate is treated as k of n patients here: exact only without censoring.
        k = round_half_up(point.rate.value * evaluable)
        p = binom_cdf(k, evaluable, benchmark.threshold)
        row.update(progression_free=k, p_value=p, significant=p < alpha)
    return row


def benchmark_listing(
    selection: Selection,
    benchmark: Benchmark = EDITORIAL,
    tolerance: float = 1.0,
    alpha: float = 0.05,
    only_below: bool = False,
) -> Listing:
    rows = []
    for trial in selection.trials():
        if selection.whole_trial_matches(trial):
            rows.append(
                _row(benchmark, tolerance, alpha, trial, None, trial.pfs, trial.enrolled, trial.histologies)
            )
        for cohort in trial.cohorts:
            if selection.cohort_matches(trial, cohort):
                rows.append(
                    _row(
                        benchmark,
                        tolerance,
                        alpha,
                        trial,
                        cohort,
                        cohort.pfs,
                        cohort.enrolled,
                        cohort.histologies or trial.histologies,
                    )
                )
    if only_below:
        rows = [r for r in rows if r["verdict"] in benchmark.failing_verdicts]
    plural = "" if tolerance == 1 else "s"
    footnotes: tuple[str, ...] = (
        f"Benchmark: {benchmark.describe()}; source: {benchmark.source}"
        + (f"; thresholds set for {benchmark.scope}." if benchmark.scope else "."),
        f"p: exact one-sided binomial test of the rate against {format_percent(benchmark.threshold, 0)} "
        "(P(X <= k), k = rate x evaluable to the nearest whole number, halves up), "
        "treating a Kaplan-Meier rate as a simple proportion; "
        f"significant when p < {alpha:g}. Time points within {tolerance:g} week{plural} of "
        f"{benchmark.weeks:g} weeks are used; {APPROXIMATE_MARK} marks those that are not exact.",
    )
    if any(r["evaluable_assumed"] for r in rows):
        footnotes += (ASSUMED_NOTE,)
    return Listing(
        COLUMNS,
        tuple(rows),
        title=f"Progression-free rate against the benchmark: {benchmark.describe()}",
        table_columns=SHOWN,
        footnotes=footnotes,
    )
