"""Progression-free rates against a sarcoma benchmark, trial by trial and cohort by cohort."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from igfcli.analyses.results import Listing, Row, column, columns_of
from igfcli.analyses.selection import Selection
from igfcli.analyses.terms import ASSUMED_MARK, mark_notes
from igfcli.errors import BadValue
from igfcli.model import WEEKS_PER_MONTH, PfsPoint, Rate, Trial
from igfcli.stats import binom_cdf, count_at, exact_value


@dataclass(frozen=True)
class Benchmark:
    """A progression-free rate at a time point that separates active from inactive drugs.

    With `inactive_at` set, the benchmark has two thresholds (EORTC style):
    at or below `inactive_at` is inactive, at or above `threshold` active,
    between the two inconclusive. Every text that describes a benchmark (table
    titles, footnotes, the report's methods) is written from these fields.
    """

    name: str
    weeks: float
    threshold: float
    source: str
    inactive_at: float | None = None
    scope: str = ""  # the population the thresholds were set for, where narrower than sarcoma
    tolerance_weeks: float = 1.0  # a time point this close to `weeks` stands for it
    months: float | None = None  # the time point as the source set it, where in months

    def verdict(self, rate: Rate) -> str:
        """The rate as printed against the levels as set, exactly (29.99999999999999999% is below
        30%, which a float of it is not)."""
        value = exact_value(rate)
        if self.inactive_at is None:
            return "meets" if value >= _exact(self.threshold) else "below"
        if value <= _exact(self.inactive_at):
            return "inactive"
        if value >= _exact(self.threshold):
            return "active"
        return "inconclusive"

    @property
    def failing_verdicts(self) -> tuple[str, ...]:
        return ("below",) if self.inactive_at is None else ("inactive",)

    @property
    def when(self) -> str:
        """The time point as its source set it: "12 weeks", or "3 months" (13 weeks)."""
        if self.months is not None:
            return f"{_number(self.months)} months"
        return f"{_number(self.weeks)} weeks"

    def describe(self) -> str:
        if self.inactive_at is None:
            return f"progression-free rate of {level_text(self.threshold)} at {self.when}"
        return (
            f"progression-free rate at {self.when}: {level_text(self.inactive_at)} or less inactive, "
            f"{level_text(self.threshold)} or more active"
        )

    def time_point_text(self) -> str:
        """Which time points stand for the benchmark's, in words."""
        plural = "" if self.tolerance_weeks == 1 else "s"
        return f"a time point within {_number(self.tolerance_weeks)} week{plural} of {self.when} is used"

    def test_text(self) -> str:
        """The exact test against this benchmark, in words."""
        return (
            "an exact one-sided binomial test of the rate against the benchmark, "
            f"P(X <= k) for X ~ Binomial(evaluable, {_fraction_text(self.threshold)}) with k the nearest "
            "whole number to rate x evaluable"
        )


def level_text(fraction: float) -> str:
    """A benchmark's level as a percentage, with every digit it was set with: 30%, 25.4%, 12.5%,
    30.00001% (a level shown rounded would contradict the verdicts tested against it)."""
    percent = (Decimal(repr(fraction)) * 100).normalize()
    return f"{percent:f}%"


def _exact(level: float) -> Fraction:
    """A level as the decimal it was set with (a float prints as the shortest decimal it holds)."""
    return Fraction(repr(level))


def _number(x: float) -> str:
    """Weeks or months with every digit they were set with (12, 13.5, 12.0000001)."""
    return f"{x:.15g}"


def _fraction_text(fraction: float) -> str:
    """The level as a fraction: two decimals (0.30) where they hold it whole, else every digit."""
    return f"{fraction:.2f}" if _exact(fraction) == _exact(round(fraction, 2)) else repr(fraction)


EDITORIAL = Benchmark(
    name="editorial-2014",
    weeks=12.0,
    threshold=0.30,
    source="Chmielowski B. Cancer. 2014;120:2384-2387 (citing Arcaro A. Front Pharmacol. 2013;4:30)",
)
EORTC_2002 = Benchmark(
    name="eortc-2002",
    weeks=3 * WEEKS_PER_MONTH,
    months=3,
    threshold=0.40,
    inactive_at=0.20,
    source="Van Glabbeke M, et al. Eur J Cancer. 2002;38:543-549 (EORTC Soft Tissue and Bone Sarcoma Group)",
    scope="pretreated soft-tissue sarcoma",
)
PRESETS = {EDITORIAL.name: EDITORIAL, EORTC_2002.name: EORTC_2002}


def custom(
    preset: Benchmark,
    threshold: str | None = None,
    weeks: float | None = None,
    tolerance: float | None = None,
) -> Benchmark:
    """A preset with its threshold (written as a rate: 30% or 0.3), time point or tolerance replaced."""
    chosen = preset
    if threshold is not None:
        from igfcli.stats import RateError, parse_rate, plain_number

        text = threshold.strip()
        number = plain_number(text)
        if "%" not in text and number is None:
            raise BadValue(
                "threshold", f"'{threshold}' is not a rate such as 30% or 0.3 (plain digits 0-9 and a point)"
            )
        try:
            rate = parse_rate(text) if number is None else parse_rate(number, text)
        except RateError as exc:
            raise BadValue("threshold", str(exc)) from None
        value = rate.value
        if exact_value(rate) != _exact(value):  # the level is kept, and tested, as a float
            raise BadValue("threshold", f"'{text}' has more digits than a level keeps (15); write fewer")
        chosen = replace(chosen, threshold=value, name="custom", source="set on the command line")
        # at or below the inactive level a rate would be inactive and active at once
        if chosen.inactive_at is not None and value <= chosen.inactive_at:
            raise BadValue(
                "threshold",
                f"not above the preset's inactive level ({level_text(chosen.inactive_at)}); "
                "use the editorial-2014 preset",
            )
    if weeks is not None:
        if not math.isfinite(weeks):
            raise BadValue("weeks", f"{weeks} is not a number of weeks")
        # the preset's source set its threshold at its own time point, not at this one
        source = (
            "set on the command line"
            if chosen.name == "custom"
            else (f"the time point set on the command line; the threshold from {chosen.source}")
        )
        chosen = replace(chosen, weeks=weeks, months=None, name="custom", source=source)
    if tolerance is not None:
        chosen = replace(chosen, tolerance_weeks=tolerance)
    return chosen


APPROXIMATE_MARK = "*"


class BenchmarkRow(Row, frozen=True):
    """One trial or cohort against the benchmark: the time point used, the verdict and the exact test."""

    trial: str = column("Trial", whole=True)
    cohort: str | None = column("Cohort")
    regimen: str = column("Regimen")
    histologies: tuple[str, ...] = column("Histologies", "list")
    weeks: float | None = column("Weeks", "number", mark=("approximate", APPROXIMATE_MARK))
    pfs_rate: float | None = column("PFS rate", "rate")
    reported_rate: str | None = column("Reported")
    evaluable: int | None = column("Evaluable", "count", short="N", mark=("evaluable_assumed", ASSUMED_MARK))
    progression_free: int | None = column("Progression-free", "count")
    threshold: float = column("Threshold", "rate")
    threshold_inactive: float | None = column("Inactive at", "rate")
    verdict: str = column("Verdict", whole=True)
    p_value: float | None = column("p", "p_value")
    significant: bool | None = column("Significant", "bool", short="Sig.")
    approximate: bool | None = column("Approximate", "bool")
    evaluable_assumed: bool | None = column("Evaluable assumed", "bool")
    benchmark: str = column("Benchmark")


SHOWN = ("trial", "cohort", "regimen", "weeks", "pfs_rate", "evaluable", "verdict", "p_value", "significant")


def pfs_at(points: tuple[PfsPoint, ...], weeks: float, tolerance: float) -> PfsPoint | None:
    """The time point closest to `weeks`, if it lies within `tolerance` weeks (inclusive)."""
    best = min(points, key=lambda p: (abs(p.weeks - weeks), p.weeks), default=None)
    if best is None or abs(best.weeks - weeks) > tolerance + 1e-9:
        return None
    return best


@dataclass(frozen=True)
class _Unit:
    """A trial, one of its cohorts or one of its arms, with the figures the benchmark reads."""

    trial: Trial
    part: str | None  # the cohort's or arm's name
    regimen: str
    points: tuple[PfsPoint, ...]
    enrolled: int | None
    histologies: tuple[str, ...]


def _row(benchmark: Benchmark, alpha: float, unit: _Unit) -> BenchmarkRow:
    # every figure worked out first and the row built once: a copy of the row for each figure
    # (a replace) cost a tenth of a report of 10,000 trials
    point = pfs_at(unit.points, benchmark.weeks, benchmark.tolerance_weeks)
    evaluable: int | None = None
    progression_free: int | None = None
    p_value: float | None = None
    if point is not None:
        evaluable = point.evaluable if point.evaluable is not None else unit.enrolled
    if point is not None and evaluable:
        # A Kaplan-Meier rate is treated as k of n patients here: exact only without censoring.
        progression_free = count_at(point.rate, evaluable)
        p_value = binom_cdf(progression_free, evaluable, benchmark.threshold)
    return BenchmarkRow(
        trial=unit.trial.id,
        cohort=unit.part,
        regimen=unit.regimen,
        histologies=unit.histologies,
        weeks=None if point is None else round(point.weeks, 6),
        pfs_rate=None if point is None else point.rate.value,
        reported_rate=None if point is None else point.rate.text,
        evaluable=evaluable,
        progression_free=progression_free,
        threshold=benchmark.threshold,
        threshold_inactive=benchmark.inactive_at,
        verdict="no-data" if point is None else benchmark.verdict(point.rate),
        p_value=p_value,
        significant=None if p_value is None else p_value < alpha,
        approximate=None if point is None else abs(point.weeks - benchmark.weeks) > 1e-9,
        evaluable_assumed=None if point is None else point.evaluable is None and evaluable is not None,
        benchmark=benchmark.name,
    )


def _units(selection: Selection) -> list[_Unit]:
    units = []
    for trial in selection.trials():
        whole = selection.whole_trial_matches(trial)
        if whole:
            units.append(_Unit(trial, None, trial.regimen_name, trial.pfs, trial.enrolled, trial.histologies))
        for cohort in trial.cohorts:
            if selection.cohort_matches(trial, cohort):
                histologies = cohort.histologies or trial.histologies
                units.append(
                    _Unit(trial, cohort.name, trial.regimen_name, cohort.pfs, cohort.enrolled, histologies)
                )
        # every arm that reports a progression-free rate, control arms too: each is tested on its own
        for arm in trial.arms:
            if arm.pfs and selection.arm_matches(trial, arm):
                units.append(
                    _Unit(trial, arm.name, arm.regimen_name, arm.pfs, arm.enrolled, trial.histologies)
                )
    return units


def benchmark_rows(
    selection: Selection,
    benchmark: Benchmark = EDITORIAL,
    alpha: float = 0.05,
    only_below: bool = False,
    with_data: bool = False,
) -> list[BenchmarkRow]:
    rows = [_row(benchmark, alpha, unit) for unit in _units(selection)]
    if only_below:
        rows = [r for r in rows if r.verdict in benchmark.failing_verdicts]
    if with_data:
        rows = [r for r in rows if r.verdict != "no-data"]
    return rows


def footnotes(benchmark: Benchmark, alpha: float) -> tuple[str, str]:
    """What the benchmark is and how the test works, as printed under every benchmark table."""
    tolerance = benchmark.tolerance_weeks
    plural = "" if tolerance == 1 else "s"
    return (
        f"Benchmark: {benchmark.describe()}; source: {benchmark.source}"
        + (f"; thresholds set for {benchmark.scope}." if benchmark.scope else "."),
        f"p: exact one-sided binomial test of the rate against {level_text(benchmark.threshold)} "
        "(P(X <= k), k = rate x evaluable to the nearest whole number, halves up), "
        "treating a Kaplan-Meier rate as a simple proportion; "
        f"significant when p < {alpha:g}. Time points within {tolerance:g} week{plural} of "
        f"{benchmark.when}{'' if benchmark.months is None else f' ({benchmark.weeks:.1f} weeks)'} are used; "
        f"{APPROXIMATE_MARK} marks those that are not exact.",
    )


def benchmark_listing(
    rows: list[BenchmarkRow], benchmark: Benchmark = EDITORIAL, alpha: float = 0.05
) -> Listing:
    """The rows of benchmark_rows (with the benchmark and alpha they were tested at) as a listing."""
    notes = footnotes(benchmark, alpha) + mark_notes(rows)
    return Listing(
        columns_of(BenchmarkRow),
        tuple(rows),
        title=f"Progression-free rate against the benchmark: {benchmark.describe()}",
        table_columns=SHOWN,
        footnotes=notes,
        drop_order=("regimen", "significant", "weeks"),
        stack=("cohort",),
        emphasis="verdict",
    )
