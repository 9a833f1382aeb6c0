"""Agents and regimens ranked by objective response rate, with exact or Wilson intervals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from igfcli.analyses.results import Column, Listing, column, columns_of
from igfcli.analyses.selection import Selection
from igfcli.model import Arm, Cohort, Response, Trial
from igfcli.stats import clopper_pearson, wilson


class CiMethod(StrEnum):
    exact = "exact"
    wilson = "wilson"


class RankBy(StrEnum):
    regimen = "regimen"
    trial = "trial"
    cohort = "cohort"


CI_LABELS = {CiMethod.exact: "exact (Clopper-Pearson)", CiMethod.wilson: "Wilson score"}
# marks a count the record does not give, taken as the number enrolled, in tables for people
ASSUMED_MARK = "†"
ASSUMED_NOTE = (
    f"{ASSUMED_MARK} The record gives no evaluable count for this figure: the number enrolled is used."
)


@dataclass(frozen=True)
class RankRow:
    """One ranked regimen, trial or cohort: its pooled responders and the interval around the rate."""

    rank: int = column("Rank", "count", short="#")
    trial: str | None = column("Trial", whole=True)
    cohort: str | None = column("Cohort")
    regimen: str = column("Regimen", whole=True)
    agents: tuple[str, ...] = column("Agents", "list")
    trials: int = column("Trials", "count")
    trial_ids: tuple[str, ...] = column("Trial ids", "list")
    evaluable: int = column("Evaluable", "count", short="N", mark=("evaluable_assumed", ASSUMED_MARK))
    responders: int = column("Responders", "count", short="Resp.")
    rate: float = column("Rate", "rate")
    ci_low: float = column("CI low", "rate")
    ci_high: float = column("CI high", "rate")
    ci_method: str = column("CI method")
    level: float = column("Level", "number")
    estimated: bool = column("Estimated", "bool", short="Est.")
    evaluable_assumed: bool = column("Evaluable assumed", "bool")

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def name(self) -> str:
        """What the row ranks: the regimen, the trial, or the trial and cohort."""
        return " / ".join(x for x in (self.trial, self.cohort) if x) or self.regimen


@dataclass(frozen=True)
class ResponseUnit:
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
    if not selection.whole_trial_matches(trial):
        return
    for arm in trial.arms:
        if arm.role == "experimental" and arm.response is not None:
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


def rank_rows(
    selection: Selection, by: RankBy, method: CiMethod = CiMethod.exact, level: float = 0.95
) -> list[RankRow]:
    """The ranked rows: the trials of each group pooled (responders and evaluable summed)."""
    units = cohort_units(selection) if by is RankBy.cohort else response_units(selection)
    groups: dict[tuple[str, ...], list[ResponseUnit]] = {}
    for unit in units:
        groups.setdefault(_group_key(unit, by), []).append(unit)
    rows = []
    for key, members in groups.items():
        evaluable = sum(u.response.evaluable for u in members)
        responders = sum(u.response.responders_used for u in members)
        low, high = interval(responders, evaluable, method, level)
        first = members[0]
        rows.append(
            RankRow(
                rank=0,
                trial=key[0] if by is not RankBy.regimen else None,
                cohort=key[1] if by is RankBy.cohort else None,
                regimen=first.regimen_name,
                agents=tuple(sorted(first.agents, key=lambda a: (a.casefold(), a))),
                trials=len(dict.fromkeys(u.trial.id for u in members)),
                trial_ids=tuple(dict.fromkeys(u.trial.id for u in members)),
                evaluable=evaluable,
                responders=responders,
                rate=responders / evaluable,
                ci_low=low,
                ci_high=high,
                ci_method=method.value,
                level=level,
                estimated=any(u.response.responders_estimated for u in members),
                evaluable_assumed=any(u.response.evaluable_defaulted for u in members),
            )
        )
    rows.sort(key=lambda r: (-r.rate, -r.ci_low, -r.evaluable, r.name.casefold(), r.name))
    return [replace(row, rank=position) for position, row in enumerate(rows, 1)]


def rank_listing(
    selection: Selection,
    by: RankBy = RankBy.regimen,
    method: CiMethod = CiMethod.exact,
    level: float = 0.95,
) -> Listing:
    rows = rank_rows(selection, by, method, level)
    percent = f"{level * 100:g}%"
    omit = {RankBy.regimen: ("trial", "cohort"), RankBy.trial: ("cohort",), RankBy.cohort: ()}[by]
    columns = columns_of(
        RankRow, omit=omit, labels={"ci_low": f"{percent} CI low", "ci_high": f"{percent} CI high"}
    )
    people = ("rank", "trial", "cohort", "regimen", "evaluable", "responders", "rate", "ci", "estimated")
    return Listing(
        columns,
        tuple(rows),
        title=f"Objective response rate by {by.value}, {percent} {CI_LABELS[method]} intervals",
        forest=("rate", "ci_low", "ci_high"),
        table_columns=tuple(k for k in people if k not in omit),
        display_only=(Column("ci", f"{percent} CI", "interval"),),
        footnotes=(ASSUMED_NOTE,) if any(r.evaluable_assumed for r in rows) else (),
        drop_order=("estimated", "responders", *(("regimen",) if by is not RankBy.regimen else ())),
        stack=("cohort",) if by is RankBy.cohort else (),
    )
