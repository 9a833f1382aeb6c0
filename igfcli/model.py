"""The evidence base as frozen values: agents, trials, cohorts and their figures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

STATUSES = ("halted", "active", "awaiting-results", "unknown")
PHASES = ("1", "1/2", "2", "2/3", "3")
WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class Rate:
    """A rate as printed in a source: its value as a fraction, and how precisely it was printed.

    `half_unit` is half of the last printed digit, as a fraction: "14.2%" was
    printed to 0.1 percentage point, so any true value within 0.0005 of 0.142
    prints the same. The consistency checks need it.
    """

    value: float
    text: str
    half_unit: float

    @property
    def is_percentage(self) -> bool:
        return self.text.endswith("%")


@dataclass(frozen=True)
class AlsoReported:
    """The same response figure as another source printed it (the editorial, say)."""

    rate: Rate
    of: int | None
    source: str


@dataclass(frozen=True)
class Response:
    """An objective response figure: responders (complete + partial) of the evaluable patients."""

    criteria: str | None
    evaluable: int
    responders: int | None
    reported_rate: Rate | None
    evaluable_defaulted: bool = False
    also_reported: tuple[AlsoReported, ...] = ()

    @property
    def responders_estimated(self) -> bool:
        return self.responders is None

    @property
    def responders_used(self) -> int:
        """Responders as given, else the nearest integer to reported rate x evaluable."""
        if self.responders is not None:
            return self.responders
        assert self.reported_rate is not None  # the loader guarantees one of the two
        return round_half_up(self.reported_rate.value * self.evaluable)

    @property
    def rate(self) -> float | None:
        if self.evaluable == 0:
            return None
        return self.responders_used / self.evaluable


@dataclass(frozen=True)
class PfsPoint:
    """A progression-free rate at one time point."""

    weeks: float
    months: float | None
    rate: Rate
    evaluable: int | None


@dataclass(frozen=True)
class Cohort:
    """An arm or histology tier of a trial, with its own enrolment, response and progression-free rates."""

    name: str
    histologies: tuple[str, ...]
    enrolled: int | None
    response: Response | None
    pfs: tuple[PfsPoint, ...]
    index: int


@dataclass(frozen=True)
class Source:
    """Where a record's figures come from: a citation and its identifiers."""

    citation: str
    doi: str | None = None
    pmid: str | None = None
    nct: str | None = None
    eudract: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Agent:
    """One drug program of the catalog: its names, class, sponsor and development status."""

    name: str
    codes: tuple[str, ...]
    drug_class: str | None
    sponsor: str | None
    parent: str | None
    status: str
    status_as_of: int | None
    status_reason: str | None
    status_source: str | None

    @property
    def owner(self) -> str | None:
        """The owning company: the parent where one is named, else the sponsor."""
        return self.parent or self.sponsor


@dataclass(frozen=True)
class Trial:
    """One trial record, validated: agents resolved to canonical names, rates parsed, figures located."""

    id: str
    title: str
    regimen: tuple[str, ...]  # canonical agent names, in the order the record lists them
    phase: str
    condition: str | None
    histologies: tuple[str, ...]
    enrolled: int | None
    response: Response | None
    pfs: tuple[PfsPoint, ...]
    cohorts: tuple[Cohort, ...]
    sources: tuple[Source, ...]
    notes: str | None
    path: str
    # response rates other sources printed where the record has no response figure of its own
    also_reported: tuple[AlsoReported, ...] = ()
    # field path ("response.reported_rate") -> (line, column), for messages about figures
    locations: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def regimen_name(self) -> str:
        return regimen_name(self.regimen)

    @property
    def patients(self) -> int:
        """Patients the record counts: its enrolled, or where it gives enrolment only by cohort, the sum."""
        if self.enrolled is not None:
            return self.enrolled
        return sum(c.enrolled or 0 for c in self.cohorts)

    def location(self, field_path: str) -> tuple[int | None, int | None]:
        line_col = self.locations.get(field_path)
        return (line_col[0], line_col[1]) if line_col else (None, None)


@dataclass(frozen=True)
class Evidence:
    """Everything one data folder holds, after loading and validation."""

    folder: str
    agents: tuple[Agent, ...]
    trials: tuple[Trial, ...]

    def agent(self, name: str) -> Agent:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Agent]:
        # every trial asks for its agents, many times over in a large folder
        return {agent.name: agent for agent in self.agents}


def regimen_name(agents: tuple[str, ...] | list[str]) -> str:
    """Canonical regimen name: agents sorted case-insensitively, joined with " + "."""
    return " + ".join(sorted(agents, key=lambda a: (a.casefold(), a)))


def round_half_up(x: float) -> int:
    """Nearest integer, halves away from zero: what a reader does by hand (0.5 -> 1)."""
    # Python's round() goes to even; a figure like 2.5 patients must become 3.
    return math.floor(x + 0.5 + 1e-9)


class Catalog:
    """Resolves agent names and codes, case-insensitively, to canonical agent names."""

    def __init__(self, agents: Iterable[Agent]) -> None:
        self.agents = list(agents)
        self._names: dict[str, str] = {}
        for agent in self.agents:
            for label in (agent.name, *agent.codes):
                self._names.setdefault(label.casefold(), agent.name)

    def resolve(self, label: str) -> str | None:
        return self._names.get(label.casefold())

    def suggest(self, label: str) -> str:
        """ "; did you mean X?" for the name or code nearest to `label`, or nothing."""
        import difflib  # only when a name is wrong

        close = difflib.get_close_matches(label.casefold(), list(self._names), n=1)
        return f"; did you mean {self._names[close[0]]}?" if close else ""

    def unknown(self, label: str) -> str:
        """The one message for a name that is not in the catalog, wherever it was written."""
        return f"'{label}' is not in the agent catalog{self.suggest(label)}"
