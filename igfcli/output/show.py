"""One trial in full as field/value lines, for the table, markdown, csv and tsv formats of `show`."""

from __future__ import annotations

from igfcli.analyses.detail import (
    AlsoDetail,
    ComparisonDetail,
    EventDetail,
    PfsDetail,
    ResponseDetail,
    TrialDetail,
)
from igfcli.analyses.results import Listing, Row, column, columns_of
from igfcli.output.text import format_percent


class FieldRow(Row, frozen=True):
    field: str = column("Field")
    value: str = column("Value")


def _response_text(r: ResponseDetail | None) -> list[str]:
    if r is None:
        return []
    line = f"{r.responders}/{r.evaluable} = {format_percent(r.rate)}"
    if r.criteria:
        line += f" ({r.criteria})"
    if r.reported_rate:
        line += f"; reported {r.reported_rate}"
    lines = [line]
    if r.evaluable_derived:
        lines.append("evaluable: derived, taken as the number enrolled")
    if r.responders_derived:
        lines.append("responders: derived, the nearest whole number to reported rate x evaluable")
    return lines + _also_text(r.also_reported)


def _also_text(reports: tuple[AlsoDetail, ...]) -> list[str]:
    return [
        f"also reported: {a.rate}" + (f" of {a.of}" if a.of is not None else "") + f" ({a.source})"
        for a in reports
    ]


def _pfs_text(points: tuple[PfsDetail, ...]) -> list[str]:
    out = []
    for p in points:
        when = f"{p.months:g} months ({p.weeks:.1f} weeks)" if p.months else f"{p.weeks:g} weeks"
        of = f" of {p.evaluable}" if p.evaluable is not None else ""
        if p.evaluable_derived:
            of += " (derived: the number enrolled)"
        printed = p.reported_rate
        if not printed.endswith("%"):
            printed += f" ({format_percent(p.rate)})"
        out.append(f"{when}: {printed}{of}")
    return out


def _comparison_text(c: ComparisonDetail) -> str:
    text = f"{c.experimental} against {c.control}: {c.hr} ({c.level * 100:g}% CI {c.ci_low}-{c.ci_high})"
    if c.p is not None:
        text += f", p {c.p}" + (" (one-sided)" if c.p_sided == 1 else "")
    if c.median_experimental is not None or c.median_control is not None:
        medians = f"{c.median_experimental or '?'} against {c.median_control or '?'}"
        text += f"; medians {medians} {c.median_unit or ''}"
    return text.rstrip() + f": {c.verdict} ({c.source})"


def _event_text(e: EventDetail) -> str:
    when = "" if e.year is None else f"{e.year} "
    where = "".join(f", {x}" for x in (e.indication, e.sponsor, f"as {e.name}" if e.name else None) if x)
    because = f": {e.reason}" if e.reason else ""
    return f"{when}{e.status}{where}{because}" + (f" ({e.source})" if e.source else "")


def show_listing(detail: TrialDetail) -> Listing:
    """One trial as field/value rows."""
    rows: list[tuple[str, str | None]] = [
        ("id", detail.id),
        ("title", detail.title),
        ("file", detail.file),
        (
            "regimen",
            "; ".join(
                f"{a.name} ({', '.join(x for x in (a.drug_class, a.sponsor, a.status) if x)})"
                for a in detail.agents
            ),
        ),
        ("phase", detail.phase),
        ("condition", detail.condition),
        ("histologies", ", ".join(detail.histologies)),
        ("enrolled", None if detail.enrolled is None else str(detail.enrolled)),
    ]
    rows += [("response", line) for line in _response_text(detail.response)]
    rows += [("response", line) for line in _also_text(detail.also_reported)]
    rows += [("pfs", line) for line in _pfs_text(detail.pfs)]
    for c in detail.cohorts:
        label = f"cohort {c.name}"
        head = ", ".join(c.histologies)
        if c.enrolled is not None:
            head += ("; " if head else "") + f"enrolled {c.enrolled}"
        rows.append((label, head))
        rows += [(f"{label} response", line) for line in _response_text(c.response)]
        rows += [(f"{label} pfs", line) for line in _pfs_text(c.pfs)]
    for arm in detail.arms:
        label = f"arm {arm.name}"
        # an arm of no agent and no backbone named (a control arm, say) is said to be so
        head = f"{arm.role}: {arm.regimen or 'no agent or backbone named'}" + (
            f"; enrolled {arm.enrolled}" if arm.enrolled is not None else ""
        )
        rows.append((label, head))
        rows += [(f"{label} response", line) for line in _response_text(arm.response)]
        rows += [(f"{label} pfs", line) for line in _pfs_text(arm.pfs)]
    rows += [(f"{c.endpoint} hazard ratio", _comparison_text(c)) for c in detail.comparisons]
    for agent in detail.agents:
        rows += [(f"{agent.name} history", _event_text(e)) for e in agent.history]
    for i, s in enumerate(detail.sources, 1):
        ids = [f"{k}: {v}" for k, v in s.items() if k != "citation"]
        rows.append((f"source {i}", s["citation"] + (f" ({'; '.join(ids)})" if ids else "")))
    rows.append(("notes", detail.notes))
    return Listing(
        columns_of(FieldRow),
        tuple(FieldRow(k, v) for k, v in rows if v not in (None, "")),
        title=detail.id,
    )
