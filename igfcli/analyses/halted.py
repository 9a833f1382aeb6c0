"""Drug programs by status (halted, by default), grouped by sponsor or owning company.

A program's status comes from its history: in each indication, the event that
began its latest status, as of a year or today. A program halted in oncology
and approved elsewhere is listed as halted in oncology, with the later event
beside it.
"""

from __future__ import annotations

from igfcli.analyses.results import Listing, Row, column, columns_of
from igfcli.analyses.selection import Filters, Selection
from igfcli.analyses.terms import GroupBy
from igfcli.model import Agent, ProgramEvent
from igfcli.names import folded


class ProgramRow(Row, frozen=True):
    """One drug program in one indication: who held it, its status and since when, what came later."""

    group: str = column("Sponsor")
    sponsor: str | None = column("Sponsor")
    parent: str | None = column("Parent")
    agent: str = column("Agent", whole=True)
    codes: tuple[str, ...] = column("Codes", "list")
    drug_class: str | None = column("Class", key="class")
    status: str = column("Status", whole=True)
    status_as_of: int | None = column("Status since", "count", short="Since")
    reason: str | None = column("Reason")
    status_source: str | None = column("Status source")
    trials: int = column("Trials", "count")
    patients: int | None = column("Patients", "count")
    indication: str | None = column("Indication")
    later: tuple[str, ...] = column("Later", "list")


def _later(agent: Agent, event: ProgramEvent, as_of: int | None) -> tuple[str, ...]:
    """Where the program went since `event` in its other indications: each one's standing event
    that the history lists after it (in time order: a later year, or the same year after it)."""
    order = {id(e): i for i, e in enumerate(agent.history)}
    return tuple(
        other.describe()
        for other in agent.standing(as_of)
        if other.indication_key != event.indication_key
        and other.year is not None
        and (
            event.year is None
            or other.year > event.year
            or (other.year == event.year and order.get(id(other), -1) > order.get(id(event), -1))
        )
    )


def _sponsor_now(agent: Agent, event: ProgramEvent | None, as_of: int | None) -> str | None:
    """Who holds the program in the event's indication: the last sponsor named since the event
    began its status (a program approved under one company and then bought by another is the
    buyer's), else the agent's."""
    if event is None:
        return agent.sponsor
    since = [e for e in agent.events(as_of) if e.indication_key == event.indication_key and e.sponsor]
    since = [e for e in since if (e.year or 0) >= (event.year or 0)]
    return since[-1].sponsor if since else event.sponsor or agent.sponsor


def halted_rows(
    selection: Selection,
    status: str | None = "halted",
    by: GroupBy = GroupBy.sponsor,
    as_of: int | None = None,
) -> list[ProgramRow]:
    """One row per program and indication standing at `status` (every status with None)."""
    f = selection.filters
    trial_filtered = bool(f.phases or f.histologies or f.conditions)
    # trials are counted without the agent filters, so an agent's own trials all count
    trial_selection = Selection(
        selection.evidence, Filters(phases=f.phases, histologies=f.histologies, conditions=f.conditions)
    )
    rows = []
    # a company written in two cases or spacings ("Acme", "acme ") is one group, shown as the
    # catalog first writes it, as agents' names are compared
    spelled: dict[str, str] = {}
    for agent in selection.evidence.agents:
        if not selection.agent_matches(agent, holders=tuple(e.sponsor for e in agent.history)):
            continue
        trials = [t for t in trial_selection.trials() if agent.name in t.regimen]
        if trial_filtered and not trials:
            continue
        standing = agent.standing(as_of) or (None,)  # an agent with no history is of unknown status
        for event in standing:
            event_status = event.status if event else "unknown"
            if status is not None and event_status != status:
                continue
            sponsor = _sponsor_now(agent, event, as_of)
            # --sponsor names the program's own sponsor or parent, or who holds it in this row
            if not selection.agent_matches(agent, holders=(sponsor,)):
                continue
            group = agent.owner if by is GroupBy.parent else sponsor
            group = spelled.setdefault(folded(group), group) if group else "(no sponsor)"
            rows.append(
                ProgramRow(
                    group=group,
                    sponsor=sponsor,
                    parent=agent.parent,
                    agent=agent.name,
                    codes=agent.codes,
                    drug_class=agent.drug_class,
                    status=event_status,
                    status_as_of=event.year if event else None,
                    reason=event.reason if event else None,
                    status_source=event.source if event else None,
                    trials=len(trials),
                    patients=trial_selection.total_patients(trials),
                    indication=event.indication if event else None,
                    later=_later(agent, event, as_of) if event else (),
                )
            )
    rows.sort(key=lambda r: (r.group.casefold(), r.agent.casefold(), r.agent, r.status_as_of or 0))
    return rows


def halted_listing(
    selection: Selection,
    status: str | None = "halted",
    by: GroupBy = GroupBy.sponsor,
    as_of: int | None = None,
) -> Listing:
    rows = halted_rows(selection, status, by, as_of)
    shown = ["group", "agent", "codes", "drug_class", "status_as_of", "trials", "patients", "reason"]
    if status is None:
        shown.insert(4, "status")  # with one status selected the column would only repeat it
    if by is GroupBy.parent:
        shown.insert(1, "sponsor")
    if any(r.indication for r in rows):
        shown.insert(shown.index("status_as_of"), "indication")
    if any(r.later for r in rows):
        shown.append("later")
    what = f"{status} programs" if status else "all programs"
    when = f", as of {as_of}" if as_of is not None else ""
    return Listing(
        columns_of(ProgramRow, labels={"group": "Sponsor" if by is GroupBy.sponsor else "Company"}),
        tuple(rows),
        title=f"{what.capitalize()} by {'sponsor' if by is GroupBy.sponsor else 'owning company'}{when}",
        group_by="group",
        table_columns=tuple(shown),
        drop_order=("codes", "drug_class", "reason", "patients", "trials", "sponsor", "indication"),
    )
