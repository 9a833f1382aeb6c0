"""One trial in full: every figure, with the ones the analyses derive marked as derived."""

from __future__ import annotations

from dataclasses import dataclass, field

from msgspec.structs import asdict

from igfcli.model import AlsoReported, Comparison, Evidence, PfsPoint, Printed, Response, Trial


@dataclass(frozen=True)
class AlsoDetail:
    rate: str
    of: int | None
    source: str


@dataclass(frozen=True)
class ResponseDetail:
    criteria: str | None
    evaluable: int
    evaluable_derived: bool  # taken as the number enrolled
    responders: int
    responders_derived: bool  # the nearest whole number to reported rate x evaluable
    rate: float | None
    reported_rate: str | None
    also_reported: tuple[AlsoDetail, ...]


@dataclass(frozen=True)
class PfsDetail:
    weeks: float
    months: float | None
    rate: float
    reported_rate: str
    evaluable: int | None  # the denominator the analyses use: its own, else the number enrolled
    evaluable_derived: bool


@dataclass(frozen=True)
class CohortDetail:
    name: str
    histologies: tuple[str, ...]
    enrolled: int | None
    response: ResponseDetail | None
    pfs: tuple[PfsDetail, ...]


@dataclass(frozen=True)
class EventDetail:
    year: int | None
    status: str
    indication: str | None
    sponsor: str | None
    name: str | None
    reason: str | None
    source: str | None


@dataclass(frozen=True)
class AgentBrief:
    name: str
    drug_class: str | None = field(metadata={"key": "class"})
    sponsor: str | None
    status: str
    history: tuple[EventDetail, ...]


@dataclass(frozen=True)
class ArmDetail:
    name: str
    role: str
    regimen: str  # its agents and backbone, as a regimen is named
    enrolled: int | None
    response: ResponseDetail | None
    pfs: tuple[PfsDetail, ...]


@dataclass(frozen=True)
class ComparisonDetail:
    endpoint: str
    experimental: str
    control: str
    hr: str  # as printed
    ci_low: str
    ci_high: str
    level: float
    p: str | None
    p_sided: int
    median_experimental: str | None
    median_control: str | None
    median_unit: str | None
    verdict: str
    source: str


@dataclass(frozen=True)
class TrialDetail:
    id: str
    title: str
    file: str
    regimen: str
    agents: tuple[AgentBrief, ...]
    phase: str
    condition: str | None
    histologies: tuple[str, ...]
    enrolled: int | None
    response: ResponseDetail | None
    pfs: tuple[PfsDetail, ...]
    cohorts: tuple[CohortDetail, ...]
    sources: tuple[dict[str, str], ...]  # a source's identifiers that the record gives, by name
    also_reported: tuple[AlsoDetail, ...]
    notes: str | None
    arms: tuple[ArmDetail, ...]
    comparisons: tuple[ComparisonDetail, ...]


def _also(reports: tuple[AlsoReported, ...]) -> tuple[AlsoDetail, ...]:
    return tuple(AlsoDetail(a.rate.text, a.of, a.source) for a in reports)


def _response(response: Response | None) -> ResponseDetail | None:
    if response is None:
        return None
    return ResponseDetail(
        criteria=response.criteria,
        evaluable=response.evaluable,
        evaluable_derived=response.evaluable_defaulted,
        responders=response.responders_used,
        responders_derived=response.responders_estimated,
        rate=response.rate,
        reported_rate=response.reported_rate.text if response.reported_rate else None,
        also_reported=_also(response.also_reported),
    )


def _pfs(points: tuple[PfsPoint, ...], enrolled: int | None) -> tuple[PfsDetail, ...]:
    return tuple(
        PfsDetail(
            weeks=p.weeks,
            months=p.months,
            rate=p.rate.value,
            reported_rate=p.rate.text,
            evaluable=p.evaluable if p.evaluable is not None else enrolled,
            evaluable_derived=p.evaluable is None and enrolled is not None,
        )
        for p in points
    )


def trial_detail(evidence: Evidence, trial: Trial) -> TrialDetail:
    """Everything about one trial, with derived figures marked as such."""
    agents = [evidence.agent(name) for name in trial.regimen]
    return TrialDetail(
        id=trial.id,
        title=trial.title,
        file=trial.path,
        regimen=trial.regimen_name,
        agents=tuple(
            AgentBrief(
                a.name,
                a.drug_class,
                a.sponsor,
                a.status,
                tuple(EventDetail(**asdict(e)) for e in a.history),
            )
            for a in agents
        ),
        phase=trial.phase,
        condition=trial.condition,
        histologies=trial.histologies,
        enrolled=trial.enrolled,
        response=_response(trial.response),
        pfs=_pfs(trial.pfs, trial.enrolled),
        cohorts=tuple(
            CohortDetail(c.name, c.histologies, c.enrolled, _response(c.response), _pfs(c.pfs, c.enrolled))
            for c in trial.cohorts
        ),
        sources=tuple({k: v for k, v in asdict(s).items() if v is not None} for s in trial.sources),
        also_reported=_also(trial.also_reported),
        notes=trial.notes,
        arms=tuple(
            ArmDetail(
                a.name, a.role, a.regimen_name, a.enrolled, _response(a.response), _pfs(a.pfs, a.enrolled)
            )
            for a in trial.arms
        ),
        comparisons=tuple(_comparison(c) for c in trial.comparisons),
    )


def _text(number: Printed | None) -> str | None:
    return None if number is None else number.text


def _comparison(c: Comparison) -> ComparisonDetail:
    return ComparisonDetail(
        endpoint=c.endpoint,
        experimental=c.experimental,
        control=c.control,
        hr=c.hr.text,
        ci_low=c.ci_low.text,
        ci_high=c.ci_high.text,
        level=c.level,
        p=_text(c.p),
        p_sided=c.p_sided,
        median_experimental=_text(c.median_experimental),
        median_control=_text(c.median_control),
        median_unit=c.median_unit,
        verdict=c.verdict,
        source=c.source,
    )
