"""Drug programs by status (halted, by default), grouped by sponsor or owning company."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from igfcli.model import Column, Listing
from igfcli.selection import Selection


class GroupBy(StrEnum):
    sponsor = "sponsor"
    parent = "parent"


def halted_listing(
    selection: Selection, status: str | None = "halted", by: GroupBy = GroupBy.sponsor
) -> Listing:
    """One row per program; `status=None` lists every program whatever its status."""
    f = selection.filters
    trial_filtered = bool(f.phases or f.histologies or f.conditions)
    # trials are counted without the agent filters, so an agent's own trials all count
    trial_selection = Selection(
        selection.evidence, type(f)(phases=f.phases, histologies=f.histologies, conditions=f.conditions)
    )
    rows: list[dict[str, Any]] = []
    for agent in selection.evidence.agents:
        if status is not None and agent.status != status:
            continue
        if not selection.agent_matches(agent):
            continue
        trials = [t for t in trial_selection.trials() if agent.name in t.regimen]
        if trial_filtered and not trials:
            continue
        group = agent.owner if by is GroupBy.parent else agent.sponsor
        rows.append(
            {
                "group": group or "(no sponsor)",
                "sponsor": agent.sponsor,
                "parent": agent.parent,
                "agent": agent.name,
                "codes": list(agent.codes),
                "class": agent.drug_class,
                "status": agent.status,
                "status_as_of": agent.status_as_of,
                "reason": agent.status_reason,
                "status_source": agent.status_source,
                "trials": len(trials),
                "patients": sum(trial_selection.patients(t) for t in trials),
            }
        )
    rows.sort(key=lambda r: (r["group"].casefold(), r["agent"].casefold(), r["agent"]))
    columns = (
        Column("group", "Sponsor" if by is GroupBy.sponsor else "Company"),
        Column("sponsor", "Sponsor"),
        Column("parent", "Parent"),
        Column("agent", "Agent"),
        Column("codes", "Codes", "list"),
        Column("class", "Class"),
        Column("status", "Status", whole=True),
        Column("status_as_of", "As of", "count", "Year"),
        Column("reason", "Reason"),
        Column("status_source", "Status source"),
        Column("trials", "Trials", "count"),
        Column("patients", "Patients", "count"),
    )
    shown = ["group", "agent", "codes", "class", "status_as_of", "trials", "patients", "reason"]
    if status is None:
        shown.insert(4, "status")  # with one status selected the column would only repeat it
    if by is GroupBy.parent:
        shown.insert(1, "sponsor")
    what = f"{status} programs" if status else "all programs"
    return Listing(
        columns,
        tuple(rows),
        title=f"{what.capitalize()} by {'sponsor' if by is GroupBy.sponsor else 'owning company'}",
        group_by="group",
        table_columns=tuple(shown),
    )
