"""Agents and regimens ranked by objective response rate, with exact or Wilson intervals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

from igfcli.analyses.results import Column, Listing, Row, column, columns_of
from igfcli.analyses.selection import Selection
from igfcli.analyses.terms import (
    ASSUMED_MARK,
    CI_LABELS,
    CI_SHORT,
    DISAGREES_MARK,
    SUMMED_MARK,
    CiMethod,
    Pool,
    RankBy,
    mark_notes,
)
from igfcli.model import Arm, Cohort, Response, Trial
from igfcli.names import folded

if TYPE_CHECKING:
    from igfcli.pooling import Pooled
from igfcli.stats import clopper_pearson, wilson


class RankRow(Row, frozen=True):
    """One ranked regimen, trial or cohort: its pooled responders and the interval around the rate."""

    rank: int = column("Rank", "count", short="#")
    trial: str | None = column("Trial", whole=True)
    cohort: str | None = column("Cohort")
    histology: str | None = column("Histology")
    regimen: str = column("Regimen", whole=True)
    agents: tuple[str, ...] = column("Agents", "list")
    trials: int = column("Trials", "count")
    trial_ids: tuple[str, ...] = column("Trial ids", "list")
    evaluable: int = column(
        "Evaluable",
        "count",
        short="N",
        mark=("evaluable_assumed", ASSUMED_MARK),
        also=(("cohorts_summed", SUMMED_MARK),),
    )
    responders: int = column("Responders", "count", short="Resp.")
    rate: float = column("Rate", "rate", mark=("reported_disagrees", DISAGREES_MARK))
    ci_low: float = column("CI low", "rate")
    ci_high: float = column("CI high", "rate")
    ci_method: str = column("CI method")
    level: float = column("Level", "number")
    estimated: bool = column("Estimated", "bool", short="Est.")
    evaluable_assumed: bool = column("Evaluable assumed", "bool")
    studies: int = column("Studies", "count", short="k")
    pool: str = column("Pool")
    tau2: float | None = column("tau²", "number")
    i2: float | None = column("I²", "rate")
    q: float | None = column("Q", "number")
    q_p: float | None = column("Q p", "p_value")
    pi_low: float | None = column("PI low", "rate")
    pi_high: float | None = column("PI high", "rate")
    note: str | None = column("Note")
    reported_disagrees: bool = column("Reported rate disagrees", "bool")
    cohorts_summed: bool = column("Cohorts summed", "bool")

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def name(self) -> str:
        """What the row ranks: the regimen, the histology, the trial, or the trial and cohort."""
        return " / ".join(x for x in (self.trial, self.cohort) if x) or self.histology or self.regimen

    @property
    def pi(self) -> tuple[float, float] | None:
        return None if self.pi_low is None or self.pi_high is None else (self.pi_low, self.pi_high)


class ResponseUnit(msgspec.Struct, frozen=True):
    """One response figure that enters a ranking: a whole trial's, one cohort's, or one arm's."""

    trial: Trial
    cohort: Cohort | None
    response: Response
    arm: Arm | None = None

    @property
    def part(self) -> str | None:
        """The cohort or arm the figure belongs to; None for the whole trial's."""
        return self.arm.name if self.arm else self.cohort.name if self.cohort else None

    @property
    def agents(self) -> tuple[str, ...]:
        return self.arm.regimen if self.arm else self.trial.regimen

    @property
    def regimen_name(self) -> str:
        return self.arm.regimen_name if self.arm else self.trial.regimen_name


def response_units(selection: Selection) -> Iterator[ResponseUnit]:
    """The response figures of the selection, each counted once.

    A trial's own response is used when the whole trial is selected and reports
    one; otherwise its selected cohorts that report responses stand for it (a
    histology filter selects cohorts; a trial may report responses only by arm).
    """
    for trial in selection.trials():
        if selection.whole_trial_matches(trial) and trial.response is not None:
            yield ResponseUnit(trial, None, trial.response)
            continue
        yield from _cohorts_of(selection, trial)
        yield from _experimental_arms(selection, trial)


def cohort_units(selection: Selection) -> Iterator[ResponseUnit]:
    for trial in selection.trials():
        yield from _cohorts_of(selection, trial)
        yield from _experimental_arms(selection, trial)


def _experimental_arms(selection: Selection, trial: Trial) -> Iterator[ResponseUnit]:
    """A randomised trial's experimental arms: each is a regimen of its own. A control arm of
    chemotherapy or placebo alone is not an IGF-1R regimen, and is not ranked."""
    for arm in trial.arms:
        if arm.role == "experimental" and arm.response is not None and selection.arm_matches(trial, arm):
            yield ResponseUnit(trial, None, arm.response, arm)


def _cohorts_of(selection: Selection, trial: Trial) -> Iterator[ResponseUnit]:
    for cohort in trial.cohorts:
        if cohort.response is not None and selection.cohort_matches(trial, cohort):
            yield ResponseUnit(trial, cohort, cohort.response)


def interval(k: int, n: int, method: CiMethod, level: float) -> tuple[float, float]:
    return clopper_pearson(k, n, level) if method is CiMethod.exact else wilson(k, n, level)


def _group_key(unit: ResponseUnit, by: RankBy) -> tuple[str, ...]:
    if by is RankBy.regimen:
        return (unit.regimen_name,)
    if by is RankBy.trial:
        return (unit.trial.id,)
    assert unit.part is not None
    return (unit.trial.id, unit.part)


def _histology_of(unit: ResponseUnit) -> str | None:
    """The one histology a trial's, cohort's or arm's figure is of; None where it mixes several."""
    histologies = (unit.cohort.histologies if unit.cohort else ()) or unit.trial.histologies
    return histologies[0] if len(histologies) == 1 else None


def _histology_label(members: list[ResponseUnit]) -> str:
    """A row's histology as most of its figures write it (of spellings as common, the first in order)."""
    spellings = Counter(str(_histology_of(u)) for u in members)
    return min(spellings, key=lambda spelling: (-spellings[spelling], spelling))


def histology_units(selection: Selection) -> tuple[list[ResponseUnit], int]:
    """Every single-histology figure: a trial's own where it enrolled one histology, else its
    cohorts and arms of one; and how many figures mixed several histologies (left out)."""
    units: list[ResponseUnit] = []
    mixed = 0
    for trial in selection.trials():
        whole = selection.whole_trial_matches(trial)
        if whole and trial.response is not None and len(trial.histologies) == 1:
            units.append(ResponseUnit(trial, None, trial.response))
            continue
        if whole and trial.response is not None:
            mixed += 1
        for unit in (*_cohorts_of(selection, trial), *_experimental_arms(selection, trial)):
            if _histology_of(unit) is None:
                mixed += 1
            else:
                units.append(unit)
    return units, mixed


def grouped_units(selection: Selection, by: RankBy) -> tuple[dict[tuple[str, ...], list[ResponseUnit]], int]:
    """The response figures of each row, and (by histology) how many mixed several histologies."""
    mixed = 0
    if by is RankBy.histology:
        units, mixed = histology_units(selection)
    else:
        units = list(cohort_units(selection) if by is RankBy.cohort else response_units(selection))
    groups: dict[tuple[str, ...], list[ResponseUnit]] = {}
    for unit in units:
        # a histology in any case or spacing is one row, as --histology matches it
        key = (folded(str(_histology_of(unit))),) if by is RankBy.histology else _group_key(unit, by)
        groups.setdefault(key, []).append(unit)
    return groups, mixed


class _Estimate(msgspec.Struct, frozen=True):
    rate: float
    ci_low: float
    ci_high: float
    pooled: Pooled | None = None
    note: str | None = None


def _estimate(members: list[ResponseUnit], pool: Pool, method: CiMethod, level: float) -> _Estimate:
    """The row's rate and interval: the summed counts, or a random-effects fit of two or more."""
    if pool is Pool.counts or len(members) < 2:
        return _summed(members, method, level)
    from igfcli.pooling import pool as fit

    counts_of = [(u.response.responders_used, u.response.evaluable) for u in members]
    pooled = fit(counts_of, "glmm" if pool is Pool.glmm else "dl", level)
    if pooled.rate is None or pooled.ci_low is None or pooled.ci_high is None:
        # never a number that was not computed: the row keeps the summed counts, and says why
        note = f"{pool.value} not fitted ({pooled.note}); the summed counts are shown"
        return msgspec.structs.replace(_summed(members, method, level), note=note)
    return _Estimate(pooled.rate, pooled.ci_low, pooled.ci_high, pooled)


def _summed(members: list[ResponseUnit], method: CiMethod, level: float) -> _Estimate:
    """The summed counts' rate and interval: a pooled row shows them only when its fit fails."""
    evaluable = sum(u.response.evaluable for u in members)
    responders = sum(u.response.responders_used for u in members)
    low, high = interval(responders, evaluable, method, level)
    return _Estimate(responders / evaluable, low, high)


def _sums_cohorts(members: list[ResponseUnit]) -> bool:
    """Whether the row adds up two or more cohorts of one trial (which then prints no whole-trial figure)."""
    seen: set[str] = set()
    for unit in members:
        if unit.cohort is not None:
            if unit.trial.id in seen:
                return True
            seen.add(unit.trial.id)
    return False


def rank_rows(
    selection: Selection,
    by: RankBy,
    method: CiMethod = CiMethod.exact,
    level: float = 0.95,
    pool: Pool = Pool.counts,
) -> list[RankRow]:
    """The ranked rows: the figures of each row pooled by `pool`, ordered by its rate."""
    groups, _ = grouped_units(selection, by)
    rows = []
    for key, members in groups.items():
        estimate = _estimate(members, pool, method, level)
        fitted = estimate.pooled
        first = members[0]
        rows.append(
            RankRow(
                rank=0,
                trial=key[0] if by in (RankBy.trial, RankBy.cohort) else None,
                cohort=key[1] if by is RankBy.cohort else None,
                histology=_histology_label(members) if by is RankBy.histology else None,
                regimen=first.regimen_name,
                agents=tuple(sorted({a for u in members for a in u.agents}, key=lambda a: (a.casefold(), a))),
                trials=len(dict.fromkeys(u.trial.id for u in members)),
                trial_ids=tuple(dict.fromkeys(u.trial.id for u in members)),
                evaluable=sum(u.response.evaluable for u in members),
                responders=sum(u.response.responders_used for u in members),
                rate=estimate.rate,
                ci_low=estimate.ci_low,
                ci_high=estimate.ci_high,
                # a fitted row's interval is the model's Wald interval, whatever --ci says
                ci_method="wald" if fitted else method.value,
                level=level,
                estimated=any(u.response.responders_estimated for u in members),
                evaluable_assumed=any(u.response.evaluable_defaulted for u in members),
                studies=len(members),
                pool=pool.value,
                tau2=fitted.tau2 if fitted else None,
                i2=fitted.i2 if fitted else None,
                q=fitted.q if fitted else None,
                q_p=fitted.q_p if fitted else None,
                pi_low=fitted.pi_low if fitted else None,
                pi_high=fitted.pi_high if fitted else None,
                note=estimate.note,
                reported_disagrees=any(u.response.reported_disagrees for u in members),
                cohorts_summed=_sums_cohorts(members),
            )
        )
    rows.sort(key=lambda r: (-r.rate, -r.ci_low, -r.evaluable, r.name.casefold(), r.name))
    for position, row in enumerate(rows, 1):
        # numbered in place: the rows are this function's own until it returns, and a copy of
        # each (a replace) cost a tenth of a report of 10,000 trials
        msgspec.structs.force_setattr(row, "rank", position)
    return rows


POOL_LABELS = {
    Pool.counts: "Trials pooled by summing responders and evaluable patients",
    Pool.glmm: "Trials pooled by a random-effects logistic model (GLMM, maximum likelihood)",
    Pool.dl: "Trials pooled by inverse-variance logits with the DerSimonian-Laird tau²",
}


def rank_listing(
    selection: Selection,
    by: RankBy = RankBy.regimen,
    method: CiMethod = CiMethod.exact,
    level: float = 0.95,
    pool: Pool = Pool.counts,
) -> Listing:
    rows = rank_rows(selection, by, method, level, pool)
    percent = f"{level * 100:g}%"
    omit = {
        RankBy.regimen: ("trial", "cohort", "histology"),
        RankBy.trial: ("cohort", "histology"),
        RankBy.cohort: ("histology",),
        RankBy.histology: ("trial", "cohort", "regimen"),
    }[by]
    columns = columns_of(
        RankRow, omit=omit, labels={"ci_low": f"{percent} CI low", "ci_high": f"{percent} CI high"}
    )
    people = ["rank", "trial", "cohort", "histology", "regimen", "evaluable", "responders", "rate", "ci"]
    if pool is not Pool.counts:
        people += ["studies", "tau2", "i2", "pi"]
    people.append("estimated")
    notes = list(mark_notes(rows))
    if pool is not Pool.counts:
        notes.append(
            f"{POOL_LABELS[pool]}; {percent} Wald interval of the pooled rate, and {percent} "
            "prediction interval (PI) for a new trial from 3 studies up (a study is a trial's figure, "
            "or each cohort's where the trial reports its cohorts apart); a row of one study keeps its "
            f"{CI_LABELS[method]} interval (docs/methods.md)."
        )
    notes += [f"{r.name}: {r.note}." for r in rows if r.note]
    ranked = {t for r in rows for t in r.trial_ids}
    unranked = [t.id for t in selection.trials() if t.id not in ranked]
    if unranked:
        what = {
            RankBy.cohort: "cohort or arm with a response figure",
            RankBy.histology: "response figure of one histology",
        }
        missing = what.get(by, "response figure")
        notes.append(f"Not ranked, no {missing} for this selection: {', '.join(unranked)}.")
    if by is RankBy.histology:
        _, mixed = grouped_units(selection, by)
        if mixed:
            notes.append(
                f"Left out: {mixed} trial or cohort figure{'s' if mixed != 1 else ''} of more than one "
                "histology, which no single histology can claim."
            )
    how = "" if pool is Pool.counts else f" (Wald where pooled), {pool.value} pooling"
    short = CI_SHORT[method] if pool is Pool.counts else f"{CI_SHORT[method]} or Wald"
    return Listing(
        columns,
        tuple(rows),
        title=f"Objective response rate by {by.value}, {percent} {CI_LABELS[method]} intervals{how}",
        forest=("rate", "ci_low", "ci_high"),
        forest_band=("pi_low", "pi_high") if pool is not Pool.counts else None,
        table_columns=tuple(k for k in people if k not in omit),
        display_only=(
            # the method in the label: markdown has no title to say it
            Column("ci", f"{percent} CI, {short}", "interval"),
            Column("pi", f"{percent} PI", "interval"),
        ),
        footnotes=tuple(notes),
        drop_order=(
            "estimated",
            "responders",
            "pi",
            "studies",
            *(("regimen",) if by in (RankBy.trial, RankBy.cohort) else ()),
        ),
        stack=("cohort",) if by is RankBy.cohort else (),
    )
