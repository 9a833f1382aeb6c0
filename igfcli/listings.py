"""The plain listings: trials, one trial in full, and the agent catalog."""

from __future__ import annotations

from typing import Any

from igfcli.model import AlsoReported, Column, Evidence, Listing, PfsPoint, Response, Trial
from igfcli.selection import Selection
from igfcli.stats import format_percent

BENCHMARK_WEEKS = 12.0

TRIAL_COLUMNS = (
    Column("id", "Trial"),
    Column("regimen", "Regimen"),
    Column("phase", "Phase"),
    Column("histologies", "Histologies", "list"),
    Column("enrolled", "Enrolled", "count"),
    Column("evaluable", "Evaluable", "count"),
    Column("responders", "Responders", "count"),
    Column("response_rate", "Response rate", "rate"),
    Column("responders_estimated", "Estimated", "bool"),
    Column("pfs_12w", "PFS 12 wk", "rate"),
)


def pfs_at(points: tuple[PfsPoint, ...], weeks: float, tolerance: float) -> PfsPoint | None:
    """The time point closest to `weeks`, if it lies within `tolerance` weeks (inclusive)."""
    best = min(points, key=lambda p: (abs(p.weeks - weeks), p.weeks), default=None)
    if best is None or abs(best.weeks - weeks) > tolerance + 1e-9:
        return None
    return best


def _response_fields(response: Response | None) -> dict[str, Any]:
    if response is None:
        return {"evaluable": None, "responders": None, "response_rate": None, "responders_estimated": None}
    return {
        "evaluable": response.evaluable,
        "responders": response.responders_used,
        "response_rate": response.rate,
        "responders_estimated": response.responders_estimated,
    }


def trials_listing(selection: Selection) -> Listing:
    rows = []
    for trial in selection.trials():
        point = pfs_at(trial.pfs, BENCHMARK_WEEKS, 0.0)
        rows.append(
            {
                "id": trial.id,
                "regimen": trial.regimen_name,
                "phase": trial.phase,
                "histologies": list(trial.histologies),
                "enrolled": trial.enrolled,
                **_response_fields(trial.response),
                "pfs_12w": point.rate.value if point else None,
            }
        )
    return Listing(TRIAL_COLUMNS, tuple(rows), title="Trials")


AGENT_COLUMNS = (
    Column("name", "Agent"),
    Column("codes", "Codes", "list"),
    Column("class", "Class"),
    Column("sponsor", "Sponsor"),
    Column("parent", "Parent"),
    Column("status", "Status", whole=True),
    Column("status_as_of", "As of", "count"),
    Column("trials", "Trials", "count"),
    Column("patients", "Patients", "count"),
)


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
            {
                "name": agent.name,
                "codes": list(agent.codes),
                "class": agent.drug_class,
                "sponsor": agent.sponsor,
                "parent": agent.parent,
                "status": agent.status,
                "status_as_of": agent.status_as_of,
                "trials": len(trials),
                "patients": sum(t.patients for t in trials),
            }
        )
    return Listing(AGENT_COLUMNS, tuple(rows), title="Agents")


def _response_detail(response: Response | None) -> dict[str, Any] | None:
    if response is None:
        return None
    return {
        "criteria": response.criteria,
        "evaluable": response.evaluable,
        "evaluable_derived": response.evaluable_defaulted,
        "responders": response.responders_used,
        "responders_derived": response.responders_estimated,
        "rate": response.rate,
        "reported_rate": response.reported_rate.text if response.reported_rate else None,
        "also_reported": _also_detail(response.also_reported),
    }


def _also_detail(reports: tuple[AlsoReported, ...]) -> list[dict[str, Any]]:
    return [{"rate": a.rate.text, "of": a.of, "source": a.source} for a in reports]


def _pfs_detail(points: tuple[PfsPoint, ...], enrolled: int | None) -> list[dict[str, Any]]:
    """Each time point, with the denominator the analyses use: its own, else the number enrolled."""
    return [
        {
            "weeks": p.weeks,
            "months": p.months,
            "rate": p.rate.value,
            "reported_rate": p.rate.text,
            "evaluable": p.evaluable if p.evaluable is not None else enrolled,
            "evaluable_derived": p.evaluable is None and enrolled is not None,
        }
        for p in points
    ]


def trial_detail(evidence: Evidence, trial: Trial) -> dict[str, Any]:
    """Everything about one trial, with derived figures marked as such."""
    agents = [evidence.agent(name) for name in trial.regimen]
    return {
        "id": trial.id,
        "title": trial.title,
        "file": trial.path,
        "regimen": trial.regimen_name,
        "agents": [
            {"name": a.name, "class": a.drug_class, "sponsor": a.sponsor, "status": a.status} for a in agents
        ],
        "phase": trial.phase,
        "condition": trial.condition,
        "histologies": list(trial.histologies),
        "enrolled": trial.enrolled,
        "response": _response_detail(trial.response),
        "pfs": _pfs_detail(trial.pfs, trial.enrolled),
        "cohorts": [
            {
                "name": c.name,
                "histologies": list(c.histologies),
                "enrolled": c.enrolled,
                "response": _response_detail(c.response),
                "pfs": _pfs_detail(c.pfs, c.enrolled),
            }
            for c in trial.cohorts
        ],
        "sources": [{k: v for k, v in vars(s).items() if v is not None} for s in trial.sources],
        "also_reported": _also_detail(trial.also_reported),
        "notes": trial.notes,
    }


SHOW_COLUMNS = (Column("field", "Field"), Column("value", "Value"))


def _response_text(r: dict[str, Any] | None) -> list[str]:
    if r is None:
        return []
    line = f"{r['responders']}/{r['evaluable']} = {format_percent(r['rate'])}"
    if r["criteria"]:
        line += f" ({r['criteria']})"
    if r["reported_rate"]:
        line += f"; reported {r['reported_rate']}"
    lines = [line]
    if r["evaluable_derived"]:
        lines.append("evaluable: derived, taken as the number enrolled")
    if r["responders_derived"]:
        lines.append("responders: derived, the nearest whole number to reported rate x evaluable")
    return lines + _also_text(r["also_reported"])


def _also_text(reports: list[dict[str, Any]]) -> list[str]:
    return [
        f"also reported: {a['rate']}"
        + (f" of {a['of']}" if a["of"] is not None else "")
        + f" ({a['source']})"
        for a in reports
    ]


def _pfs_text(points: list[dict[str, Any]]) -> list[str]:
    out = []
    for p in points:
        when = f"{p['months']:g} months ({p['weeks']:.1f} weeks)" if p["months"] else f"{p['weeks']:g} weeks"
        of = f" of {p['evaluable']}" if p["evaluable"] is not None else ""
        if p["evaluable_derived"]:
            of += " (derived: the number enrolled)"
        printed = p["reported_rate"]
        if not printed.endswith("%"):
            printed += f" ({format_percent(p['rate'])})"
        out.append(f"{when}: {printed}{of}")
    return out


def show_listing(detail: dict[str, Any]) -> Listing:
    """One trial as field/value rows, for the table, markdown, csv and tsv formats."""
    rows: list[tuple[str, str | None]] = [
        ("id", detail["id"]),
        ("title", detail["title"]),
        ("file", detail["file"]),
        (
            "regimen",
            "; ".join(
                f"{a['name']} ({', '.join(x for x in (a['class'], a['sponsor'], a['status']) if x)})"
                for a in detail["agents"]
            ),
        ),
        ("phase", detail["phase"]),
        ("condition", detail["condition"]),
        ("histologies", ", ".join(detail["histologies"])),
        ("enrolled", None if detail["enrolled"] is None else str(detail["enrolled"])),
    ]
    rows += [("response", line) for line in _response_text(detail["response"])]
    rows += [("response", line) for line in _also_text(detail["also_reported"])]
    rows += [("pfs", line) for line in _pfs_text(detail["pfs"])]
    for c in detail["cohorts"]:
        label = f"cohort {c['name']}"
        head = ", ".join(c["histologies"])
        if c["enrolled"] is not None:
            head += ("; " if head else "") + f"enrolled {c['enrolled']}"
        rows.append((label, head))
        rows += [(f"{label} response", line) for line in _response_text(c["response"])]
        rows += [(f"{label} pfs", line) for line in _pfs_text(c["pfs"])]
    for i, s in enumerate(detail["sources"], 1):
        ids = [f"{k}: {v}" for k, v in s.items() if k != "citation"]
        rows.append((f"source {i}", s["citation"] + (f" ({'; '.join(ids)})" if ids else "")))
    rows.append(("notes", detail["notes"]))
    return Listing(
        SHOW_COLUMNS,
        tuple({"field": k, "value": v} for k, v in rows if v not in (None, "")),
        title=detail["id"],
    )
