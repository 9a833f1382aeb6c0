"""agents.yaml -> the agent catalog, with a located problem for every bad entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from igfcli.errors import Problem
from igfcli.model import STATUSES, Agent
from igfcli.records.fields import Reader, describe_value

if TYPE_CHECKING:  # only a file being parsed needs YAML; a cached run never loads it
    from igfcli.records import yamldoc

AGENT_KEYS = {
    "name",
    "codes",
    "class",
    "sponsor",
    "parent",
    "status",
    "status_as_of",
    "status_reason",
    "status_source",
}


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
    seen: dict[str, tuple[str, int]] = {}  # casefolded label -> (agent name, line)
    for i, entry in enumerate(entries):
        path: yamldoc.Path = ("agents", i)
        m = r.mapping(path, entry, AGENT_KEYS, ("name",))
        if m is None:
            continue
        name = r.optional(m, path, "name", r.text)
        codes = r.optional(m, path, "codes", r.texts) or ()
        status = r.optional(m, path, "status", lambda p, v: r.choice(p, v, STATUSES))
        if name is None:
            continue
        for j, label in enumerate((name, *codes)):
            label_path = (*path, "name") if j == 0 else (*path, "codes", j - 1)
            key = label.casefold()
            if key in seen:
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
                status=status or "unknown",
                status_as_of=r.optional(m, path, "status_as_of", r.year),
                status_reason=r.optional(m, path, "status_reason", r.text),
                status_source=r.optional(m, path, "status_source", r.text),
            )
        )
    return agents
