"""Agents and regimens ranked by objective response rate, with exact or Wilson intervals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from igfcli.model import Cohort, Column, Listing, Response, Trial
from igfcli.selection import Selection
from igfcli.stats import clopper_pearson, wilson


class CiMethod(StrEnum):
    exact = "exact"
    wilson = "wilson"


class RankBy(StrEnum):
    regimen = "regimen"
    trial = "trial"
    cohort = "cohort"


RATE_COLUMN = Column("rate", "Rate", "rate")
# marks a count the record does not give, taken as the number enrolled, in tables for people
ASSUMED_MARK = "†"
ASSUMED_NOTE = (
    f"{ASSUMED_MARK} The record gives no evaluable count for this figure: the number enrolled is used."
)
CI_LABELS = {CiMethod.exact: "exact (Clopper-Pearson)", CiMethod.wilson: "Wilson score"}


@dataclass(frozen=True)
class ResponseUnit:
    """One response figure that enters a ranking: a whole trial's, or one cohort's."""

    trial: Trial
    cohort: Cohort | None
    response: Response


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
        for cohort in trial.cohorts:
            if cohort.response is not None and selection.cohort_matches(trial, cohort):
                yield ResponseUnit(trial, cohort, cohort.response)


def cohort_units(selection: Selection) -> Iterator[ResponseUnit]:
    for trial in selection.trials():
        for cohort in trial.cohorts:
            if cohort.response is not None and selection.cohort_matches(trial, cohort):
                yield ResponseUnit(trial, cohort, cohort.response)


def interval(k: int, n: int, method: CiMethod, level: float) -> tuple[float, float]:
    return clopper_pearson(k, n, level) if method is CiMethod.exact else wilson(k, n, level)


def rank_listing(
    selection: Selection,
    by: RankBy = RankBy.regimen,
    method: CiMethod = CiMethod.exact,
    level: float = 0.95,
) -> Listing:
    units = list(cohort_units(selection) if by is RankBy.cohort else response_units(selection))
    groups: dict[tuple[str, ...], list[ResponseUnit]] = {}
    for unit in units:
        if by is RankBy.regimen:
            key: tuple[str, ...] = (unit.trial.regimen_name,)
        elif by is RankBy.trial:
            key = (unit.trial.id,)
        else:
            assert unit.cohort is not None
            key = (unit.trial.id, unit.cohort.name)
        groups.setdefault(key, []).append(unit)

    rows: list[dict[str, Any]] = []
    for key, members in groups.items():
        evaluable = sum(u.response.evaluable for u in members)
        responders = sum(u.response.responders_used for u in members)
        low, high = interval(responders, evaluable, method, level)
        first = members[0].trial
        trial_ids = list(dict.fromkeys(u.trial.id for u in members))
        row: dict[str, Any] = {
            "rank": 0,
            "regimen": first.regimen_name,
            "agents": sorted(first.regimen, key=lambda a: (a.casefold(), a)),
            "trials": len(trial_ids),
            "trial_ids": trial_ids,
            "evaluable": evaluable,
            "responders": responders,
            "rate": responders / evaluable,
            "ci_low": low,
            "ci_high": high,
            "ci": (low, high),
            "ci_method": method.value,
            "level": level,
            "estimated": any(u.response.responders_estimated for u in members),
            "evaluable_assumed": any(u.response.evaluable_defaulted for u in members),
        }
        if by is not RankBy.regimen:
            row["trial"] = key[0]
        if by is RankBy.cohort:
            row["cohort"] = key[1]
        row["_name"] = " / ".join(key)
        rows.append(row)

    rows.sort(key=lambda r: (-r["rate"], -r["ci_low"], -r["evaluable"], r["_name"].casefold(), r["_name"]))
    for position, row in enumerate(rows, 1):
        row["rank"] = position
        del row["_name"]

    percent = f"{level * 100:g}%"
    columns = [Column("rank", "Rank", "count", "#")]
    if by is not RankBy.regimen:
        columns.append(Column("trial", "Trial"))
    if by is RankBy.cohort:
        columns.append(Column("cohort", "Cohort"))
    columns += [
        Column("regimen", "Regimen"),
        Column("agents", "Agents", "list"),
        Column("trials", "Trials", "count"),
        Column("trial_ids", "Trial ids", "list"),
        Column("evaluable", "Evaluable", "count", "N", mark=("evaluable_assumed", ASSUMED_MARK)),
        Column("responders", "Responders", "count", "Resp."),
        RATE_COLUMN,
        Column("ci_low", f"{percent} CI low", "rate"),
        Column("ci_high", f"{percent} CI high", "rate"),
        Column("ci_method", "CI method"),
        Column("level", "Level", "number"),
        Column("estimated", "Estimated", "bool", "Est."),
        Column("evaluable_assumed", "Evaluable assumed", "bool"),
    ]
    footnotes = (ASSUMED_NOTE,) if any(r["evaluable_assumed"] for r in rows) else ()
    return Listing(
        tuple(columns),
        tuple(rows),
        title=f"Objective response rate by {by.value}, {percent} {CI_LABELS[method]} intervals",
        forest=("rate", "ci_low", "ci_high"),
        table_columns=tuple(
            key
            for key in (*(c.key for c in columns[: columns.index(RATE_COLUMN) + 1]), "ci", "estimated")
            if key not in ("agents", "trial_ids", "trials")
        ),
        display_only=(Column("ci", f"{percent} CI", "interval"),),
        footnotes=footnotes,
    )
