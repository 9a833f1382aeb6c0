"""The plain listings: the trials and the agent catalog."""

from __future__ import annotations

from igfcli.analyses.benchmark import APPROXIMATE_MARK, EDITORIAL, pfs_at
from igfcli.analyses.results import Listing, Row, column, columns_of
from igfcli.analyses.selection import Selection, known_sum
from igfcli.model import Evidence, Trial


class TrialRow(Row, frozen=True):
    """One trial: what it tested, how many patients, its response and its benchmark-time PFS."""

    id: str = column("Trial", whole=True)
    regimen: str = column("Regimen")
    phase: str = column("Phase")
    histologies: tuple[str, ...] = column("Histologies", "list")
    enrolled: int | None = column("Enrolled", "count")
    evaluable: int | None = column("Evaluable", "count")
    responders: int | None = column("Responders", "count")
    response_rate: float | None = column("Response rate", "rate")
    responders_estimated: bool | None = column("Estimated", "bool")
    pfs_12w: float | None = column(
        f"PFS {EDITORIAL.weeks:g} wk", "rate", mark=("pfs_approximate", APPROXIMATE_MARK)
    )
    # the time point pfs_12w is at: the benchmark's, or the nearest within its tolerance
    pfs_weeks: float | None = column("PFS weeks", "number")
    pfs_approximate: bool = False


def trial_row(trial: Trial, partly: Selection | None = None) -> TrialRow:
    """A trial's row; `partly`, the selection of which only some of its histologies are: then
    its own figures do not count (they mix in the others), and its patients are those of its
    selected cohorts, as in every analysis."""
    response = None if partly else trial.response
    # the time point the benchmark would test (editorial-2014's, within its tolerance)
    point = None if partly else pfs_at(trial.pfs, EDITORIAL.weeks, EDITORIAL.tolerance_weeks)
    return TrialRow(
        id=trial.id,
        regimen=trial.regimen_name,
        phase=trial.phase,
        histologies=trial.histologies,
        enrolled=partly.patients(trial) if partly else trial.enrolled,
        evaluable=response.evaluable if response else None,
        responders=response.responders_used if response else None,
        response_rate=response.rate if response else None,
        responders_estimated=response.responders_estimated if response else None,
        pfs_12w=point.rate.value if point else None,
        pfs_weeks=None if point is None else round(point.weeks, 6),  # as the benchmark gives it
        pfs_approximate=point is not None and abs(point.weeks - EDITORIAL.weeks) > 1e-9,
    )


def trials_listing(selection: Selection) -> Listing:
    rows, partly = [], []
    for trial in selection.trials():
        if selection.whole_trial_matches(trial):
            rows.append(trial_row(trial))
        else:
            rows.append(trial_row(trial, partly=selection))
            partly.append(trial.id)
    notes: tuple[str, ...] = ()
    if partly:
        notes += (
            "Only some histologies of these trials are selected: their patients are those of the "
            f"selected cohorts, and their own figures are left out: {', '.join(partly)}.",
        )
    if any(row.pfs_approximate for row in rows):
        weeks, tolerance = EDITORIAL.weeks, EDITORIAL.tolerance_weeks
        notes += (
            f"{APPROXIMATE_MARK} The progression-free rate at the time point nearest {weeks:g} weeks, "
            f"within {tolerance:g} week{'' if tolerance == 1 else 's'} (as the benchmark takes it), "
            f"not at {weeks:g} weeks.",
        )
    shown = tuple(c.attr for c in columns_of(TrialRow) if c.attr != "pfs_weeks")
    return Listing(
        columns_of(TrialRow),
        tuple(rows),
        title="Trials",
        table_columns=shown,
        footnotes=notes,
        drop_order=("histologies", "responders_estimated", "evaluable", "responders", "phase"),
    )


class AgentRow(Row, frozen=True):
    """One agent of the catalog, with the trials and patients the data holds for it."""

    name: str = column("Agent", whole=True)
    codes: tuple[str, ...] = column("Codes", "list")
    drug_class: str | None = column("Class", key="class")
    sponsor: str | None = column("Sponsor")
    parent: str | None = column("Parent")
    status: str = column("Status", whole=True)
    status_as_of: int | None = column("Status since", "count", short="Since")
    trials: int = column("Trials", "count")
    patients: int | None = column("Patients", "count")
    history: tuple[str, ...] = column("History", "list")


def trials_of(evidence: Evidence, agent_name: str) -> list[Trial]:
    return [t for t in evidence.trials if agent_name in t.regimen]


def agents_listing(selection: Selection) -> Listing:
    evidence = selection.evidence
    rows = []
    for agent in sorted(evidence.agents, key=lambda a: a.name.casefold()):
        if not selection.agent_matches(agent):
            continue
        trials = trials_of(evidence, agent.name)
        rows.append(
            AgentRow(
                name=agent.name,
                codes=agent.codes,
                drug_class=agent.drug_class,
                sponsor=agent.sponsor,
                parent=agent.parent,
                status=agent.status,
                status_as_of=agent.status_as_of,
                trials=len(trials),
                patients=known_sum(t.patients for t in trials) if trials else 0,
                history=tuple(e.describe() for e in agent.history),
            )
        )
    return Listing(
        columns_of(AgentRow),
        tuple(rows),
        title="Agents",
        drop_order=("history", "parent", "codes", "patients", "drug_class"),
    )
