"""Drug programs by status (halted, by default), grouped by sponsor or owning company."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from igfcli.analyses.results import Listing, column, columns_of
from igfcli.analyses.selection import Filters, Selection


class GroupBy(StrEnum):
    sponsor = "sponsor"
    parent = "parent"


@dataclass(frozen=True)
class ProgramRow:
    """One drug program: its sponsor, status, and the trials and patients the data holds for it."""

    group: str = column("Sponsor")
    sponsor: str | None = column("Sponsor")
    parent: str | None = column("Parent")
    agent: str = column("Agent")
    codes: tuple[str, ...] = column("Codes", "list")
    drug_class: str | None = column("Class", key="class")
    status: str = column("Status", whole=True)
    status_as_of: int | None = column("As of", "count", short="Year")
    reason: str | None = column("Reason")
    status_source: str | None = column("Status source")
    trials: int = column("Trials", "count")
    patients: int = column("Patients", "count")


def halted_rows(
    selection: Selection, status: str | None = "halted", by: GroupBy = GroupBy.sponsor
) -> list[ProgramRow]:
    """One row per program; `status=None` lists every program whatever its status."""
    f = selection.filters
    trial_filtered = bool(f.phases or f.histologies or f.conditions)
    # trials are counted without the agent filters, so an agent's own trials all count
    trial_selection = Selection(
        selection.evidence, Filters(phases=f.phases, histologies=f.histologies, conditions=f.conditions)
    )
    rows = []
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
            ProgramRow(
                group=group or "(no sponsor)",
                sponsor=agent.sponsor,
                parent=agent.parent,
                agent=agent.name,
                codes=agent.codes,
                drug_class=agent.drug_class,
                status=agent.status,
                status_as_of=agent.status_as_of,
                reason=agent.status_reason,
                status_source=agent.status_source,
                trials=len(trials),
                patients=sum(trial_selection.patients(t) for t in trials),
            )
        )
    rows.sort(key=lambda r: (r.group.casefold(), r.agent.casefold(), r.agent))
    return rows


def halted_listing(
    selection: Selection, status: str | None = "halted", by: GroupBy = GroupBy.sponsor
) -> Listing:
    rows = halted_rows(selection, status, by)
    shown = ["group", "agent", "codes", "drug_class", "status_as_of", "trials", "patients", "reason"]
    if status is None:
        shown.insert(4, "status")  # with one status selected the column would only repeat it
    if by is GroupBy.parent:
        shown.insert(1, "sponsor")
    what = f"{status} programs" if status else "all programs"
    return Listing(
        columns_of(ProgramRow, labels={"group": "Sponsor" if by is GroupBy.sponsor else "Company"}),
        tuple(rows),
        title=f"{what.capitalize()} by {'sponsor' if by is GroupBy.sponsor else 'owning company'}",
        group_by="group",
        table_columns=tuple(shown),
    )
