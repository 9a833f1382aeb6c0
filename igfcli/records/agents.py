"""agents.yaml -> the agent catalog, with a located problem for every bad entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from igfcli.errors import Problem
from igfcli.model import LIST_SEPARATOR, STATUSES, Agent, ProgramEvent
from igfcli.names import name_key
from igfcli.records.fields import Reader, describe_value, field_name

if TYPE_CHECKING:  # only a file being parsed needs YAML; a cached run never loads it
    from pathlib import Path

    from igfcli.records import yamldoc

# the first format's status keys: still read, as a history of one event
STATUS_KEYS = ("status", "status_as_of", "status_reason", "status_source")
# What joins agents in what igf prints: an agent named with either would read as two agents, and
# "a + b" as one agent would be ranked with the regimen of a and b.
JOINERS = {
    " + ": "which joins the agents of a regimen (a + b)",
    LIST_SEPARATOR: "which separates the agents in a list (csv, tsv)",
}
AGENT_KEYS = {"name", "codes", "class", "sponsor", "parent", "history", *STATUS_KEYS}
EVENT_KEYS = {"year", "status", "indication", "sponsor", "name", "reason", "source"}
EVENT_REQUIRED = ("year", "status", "indication", "source")


def read_agents(doc: yamldoc.Document, problems: list[Problem]) -> list[Agent]:
    r = Reader(doc, problems)
    top = r.mapping((), doc.data, {"agents"}, ("agents",))
    if top is None or "agents" not in top:
        return []
    entries = top["agents"]
    if not isinstance(entries, list):
        r.problem(("agents",), f"should be a list of agents, not {describe_value(entries)}")
        return []
    if not entries:
        r.problem(("agents",), "the catalog lists no agents")
        return []
    agents: list[Agent] = []
    seen: dict[str, tuple[str, int]] = {}  # name_key of a label -> (agent name, line)
    for i, entry in enumerate(entries):
        path: yamldoc.Path = ("agents", i)
        m = r.mapping(path, entry, AGENT_KEYS, ("name",))
        if m is None:
            continue
        name = r.optional(m, path, "name", r.text)
        codes = r.optional(m, path, "codes", r.texts) or ()
        history = _history(r, m, path)
        if name is None:
            continue
        for j, label in enumerate((name, *codes)):
            label_path = (*path, "name") if j == 0 else (*path, "codes", j - 1)
            key = name_key(label)  # in any case, Unicode form or spacing: one name
            joiner = next((sep for sep in JOINERS if sep in label), None)
            if not r.visible(label_path, label):
                continue  # said: a name that looks like another's
            if joiner is not None:
                what = f"'{label}' holds '{joiner}', {JOINERS[joiner]}"
                r.problem(label_path, f"{what}; name the agent without it")
            elif key in seen:
                other, line = seen[key]
                what = "name" if j == 0 else "code"
                r.problem(label_path, f"{what} '{label}' is already used by {other} (line {line})")
            else:
                seen[key] = (name, doc.mark(label_path)[0])
        agents.append(
            Agent(
                name=name,
                codes=tuple(codes),
                drug_class=r.optional(m, path, "class", r.text),
                sponsor=r.optional(m, path, "sponsor", r.text),
                parent=r.optional(m, path, "parent", r.text),
                history=history,
            )
        )
    return agents


def _history(r: Reader, m: dict[str, Any], path: yamldoc.Path) -> tuple[ProgramEvent, ...]:
    """The agent's events: its `history`, or the first format's status keys as one event."""
    written_the_old_way = [key for key in STATUS_KEYS if key in m]
    if "history" not in m:
        if not written_the_old_way:
            return ()
        status = r.optional(m, path, "status", lambda p, v: r.choice(p, v, STATUSES))
        return (
            ProgramEvent(
                year=r.optional(m, path, "status_as_of", r.year),
                status=status or "unknown",
                indication=None,
                sponsor=None,
                name=None,
                reason=r.optional(m, path, "status_reason", r.text),
                source=r.optional(m, path, "status_source", r.text),
            ),
        )
    at = (*path, "history")
    if written_the_old_way:
        r.problem(
            (*path, written_the_old_way[0]),
            f"'{written_the_old_way[0]}' and 'history' both give the status; "
            "write it as an event of the history",
            at_key=True,
        )
    items = m["history"]
    if not isinstance(items, list) or not items:
        r.problem(at, f"should be a list of events, not {describe_value(items)}")
        return ()
    events: list[ProgramEvent] = []
    for i, item in enumerate(items):
        p = (*at, i)
        e = r.mapping(p, item, EVENT_KEYS, EVENT_REQUIRED)
        if e is None:
            continue
        year = r.optional(e, p, "year", r.year)
        status = r.optional(e, p, "status", lambda q, v: r.choice(q, v, STATUSES))
        indication = r.optional(e, p, "indication", r.item)
        source = r.optional(e, p, "source", r.text)
        if events and year is not None and events[-1].year is not None and year < events[-1].year:
            r.problem(
                (*p, "year"),
                f"{year} is before the event above ({events[-1].year}); list events in time order",
            )
        if year is None or status is None or indication is None or source is None:
            continue
        events.append(
            ProgramEvent(
                year=year,
                status=status,
                indication=indication,
                sponsor=r.optional(e, p, "sponsor", r.text),
                name=r.optional(e, p, "name", r.item),
                reason=r.optional(e, p, "reason", r.text),
                source=source,
            )
        )
    return tuple(events)


def label_positions(catalog: Path) -> dict[str, tuple[int | None, int | None, str]]:
    """Where a catalog file writes each agent's name and code, by name_key: line, column and
    field, for messages about them. Catalogs keep no positions once read, so the file is read
    again, once, and only for such messages; a label it no longer holds is not in the answer."""
    from igfcli.records import yamldoc

    try:
        doc, _ = yamldoc.parse(str(catalog), catalog.read_bytes())
    except OSError:
        doc = None
    if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("agents"), list):
        return {}
    found: dict[str, tuple[int | None, int | None, str]] = {}
    for i, entry in enumerate(doc.data["agents"]):
        if not isinstance(entry, dict):
            continue
        codes = entry.get("codes")
        codes = codes if isinstance(codes, list) else []
        named: list[tuple[yamldoc.Path, Any]] = [(("agents", i, "name"), entry.get("name"))]
        named += [(("agents", i, "codes", j), code) for j, code in enumerate(codes)]
        for path, value in named:
            if isinstance(value, str | int):
                found.setdefault(name_key(str(value)), (*doc.mark(path), field_name(path)))
    return found
