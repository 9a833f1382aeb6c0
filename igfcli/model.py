"""The evidence base as frozen values: agents, trials, cohorts and their figures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cached_property

import msgspec
from msgspec.structs import force_setattr

from igfcli.names import folded, name_key
from igfcli.sharing import share

# Each vocabulary written once: the readers check records against it, the command line offers it
# as the choices of --status and --phase.
ProgramStatus = StrEnum("ProgramStatus", ["halted", "active", "awaiting-results", "approved", "unknown"])
Phase = StrEnum("Phase", ["1", "1/2", "2", "2/3", "3"])
STATUSES = tuple(status.value for status in ProgramStatus)
PHASES = tuple(phase.value for phase in Phase)
# joins the items of a list in a csv or tsv cell ("Ewing sarcoma; osteosarcoma"): no item may
# hold it, or the cell would read back as more items than it has
LIST_SEPARATOR = ";"
ARM_ROLES = ("experimental", "control")
MEDIAN_UNITS = ("weeks", "months", "years")
WEEKS_PER_MONTH = 52 / 12
# More patients than any trial has enrolled: a count above it is a slip, not a figure (and
# counts this size stay exact as floats).
MAX_COUNT = 100_000_000


# one mapping for each position a trial's id stands at, which most records share (read only)
_ONE_LOCATION: dict[tuple[str, tuple[int, int]], Mapping[str, tuple[int, int]]] = {}


class Rate(msgspec.Struct, frozen=True):
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


class AlsoReported(msgspec.Struct, frozen=True):
    """The same response figure as another source printed it (the editorial, say)."""

    rate: Rate
    of: int | None
    source: str


class Response(msgspec.Struct, frozen=True):
    """An objective response figure: responders (complete + partial) of the evaluable patients."""

    criteria: str | None
    evaluable: int
    responders: int | None
    reported_rate: Rate | None
    evaluable_defaulted: bool = False
    also_reported: tuple[AlsoReported, ...] = ()

    def __post_init__(self) -> None:
        share(self, "criteria")

    @property
    def responders_estimated(self) -> bool:
        return self.responders is None

    @property
    def responders_used(self) -> int:
        """Responders as given, else the nearest integer to reported rate x evaluable."""
        if self.responders is not None:
            return self.responders
        assert self.reported_rate is not None  # the loader guarantees one of the two
        from igfcli.stats import count_at  # stats builds on this module

        return count_at(self.reported_rate, self.evaluable)

    @property
    def rate(self) -> float | None:
        if self.evaluable == 0:
            return None
        return self.responders_used / self.evaluable

    @property
    def reported_disagrees(self) -> bool:
        """The printed rate is not responders / evaluable at the precision it was printed."""
        if self.reported_rate is None or self.responders is None or not self.evaluable:
            return False
        from igfcli.stats import matches  # stats builds on this module

        return not matches(self.reported_rate, self.responders, self.evaluable)


class PfsPoint(msgspec.Struct, frozen=True):
    """A progression-free rate at one time point."""

    weeks: float
    months: float | None
    rate: Rate
    evaluable: int | None


class Cohort(msgspec.Struct, frozen=True):
    """An arm or histology tier of a trial, with its own enrolment, response and progression-free rates."""

    name: str
    histologies: tuple[str, ...]
    enrolled: int | None
    response: Response | None
    pfs: tuple[PfsPoint, ...]
    index: int


class Source(msgspec.Struct, frozen=True):
    """Where a record's figures come from: a citation and its identifiers."""

    citation: str
    doi: str | None = None
    pmid: str | None = None
    nct: str | None = None
    eudract: str | None = None
    url: str | None = None


class ProgramEvent(msgspec.Struct, frozen=True):
    """One thing that happened to a drug program: its status from a year on, for an indication.

    An agent written in the first record format (`status`, `status_as_of`, ...) has one
    event, with no indication and perhaps no year; an undated event counts at any date.
    """

    year: int | None
    status: str
    indication: str | None
    sponsor: str | None  # who held the program then, where the source says
    name: str | None  # the name the program went by then, where not the catalog's
    reason: str | None
    source: str | None

    @property
    def indication_key(self) -> str | None:
        """The indication however written: "Oncology" and "oncology" are one program's history."""
        return None if self.indication is None else folded(self.indication)

    def describe(self) -> str:
        """ "approved 2020, thyroid eye disease, as teprotumumab"."""
        parts = [self.status + (f" {self.year}" if self.year is not None else "")]
        parts += [x for x in (self.indication,) if x]
        if self.name:
            parts.append(f"as {self.name}")
        return ", ".join(parts)


class Agent(msgspec.Struct, frozen=True):
    """One drug program of the catalog: its names, class, sponsor and what became of it."""

    name: str
    codes: tuple[str, ...]
    drug_class: str | None
    sponsor: str | None
    parent: str | None
    history: tuple[ProgramEvent, ...]  # in the order of their years

    @property
    def owner(self) -> str | None:
        """The owning company: the parent where one is named, else the sponsor."""
        return self.parent or self.sponsor

    def events(self, as_of: int | None = None) -> tuple[ProgramEvent, ...]:
        """The events known by the end of `as_of` (every event without it)."""
        if as_of is None:
            return self.history
        return tuple(e for e in self.history if e.year is None or e.year <= as_of)

    def standing(self, as_of: int | None = None) -> tuple[ProgramEvent, ...]:
        """Where the program stands in each indication: for each, the event that began its
        latest status (a program halted in 2009 and said to be halted again in 2014 was
        halted in 2009), in the order the indications were first named."""
        runs: dict[str | None, ProgramEvent] = {}
        for event in self.events(as_of):
            key = event.indication_key
            current = runs.get(key)
            if current is None or current.status != event.status:
                runs[key] = event
        return tuple(runs.values())

    def latest(self, as_of: int | None = None) -> ProgramEvent | None:
        """The event that began the status of the latest event's indication (as `standing`)."""
        events = self.events(as_of)
        if not events:
            return None
        last = events[-1]
        return next(e for e in self.standing(as_of) if e.indication_key == last.indication_key)

    @property
    def status(self) -> str:
        """The program's latest status ("unknown" with no event)."""
        latest = self.latest()
        return latest.status if latest else "unknown"

    @property
    def status_as_of(self) -> int | None:
        """The year that status began."""
        latest = self.latest()
        return latest.year if latest else None

    @property
    def status_reason(self) -> str | None:
        latest = self.latest()
        return latest.reason if latest else None

    @property
    def status_source(self) -> str | None:
        latest = self.latest()
        return latest.source if latest else None


class Printed(msgspec.Struct, frozen=True):
    """A number as a source printed it (a hazard ratio, a p-value, a median): value and text.

    The text keeps what the value loses (1.00 reads as 1.0) and a bound ("<0.001"),
    where `value` is then the bound and `bound` says so.
    """

    value: float
    text: str
    bound: bool = False


class Arm(msgspec.Struct, frozen=True):
    """One randomised arm of a trial: its regimen, role, enrolment and figures."""

    name: str
    regimen: tuple[str, ...]  # catalog agents; a control arm of chemotherapy alone has none
    backbone: str | None  # what else every patient of the arm got (chemotherapy, placebo)
    role: str  # "experimental" or "control"
    enrolled: int | None
    response: Response | None
    pfs: tuple[PfsPoint, ...]
    index: int

    @property
    def regimen_name(self) -> str:
        """The agents, as a regimen is named, and the backbone after them."""
        agents = regimen_name(self.regimen)
        return " + ".join(x for x in (agents, self.backbone) if x)


class Comparison(msgspec.Struct, frozen=True):
    """A hazard ratio of an experimental arm against a control arm, as the source printed it."""

    endpoint: str
    experimental: str  # arm names
    control: str
    hr: Printed
    ci_low: Printed
    ci_high: Printed
    level: float
    p: Printed | None
    p_sided: int  # 2, or 1 where the source says its p is one-sided
    median_experimental: Printed | None
    median_control: Printed | None
    median_unit: str | None
    source: str
    index: int

    @property
    def verdict(self) -> str:
        """ "benefit" when the whole interval lies below 1, "harm" above 1, else "no difference"."""
        if self.ci_high.value < 1:
            return "benefit"
        if self.ci_low.value > 1:
            return "harm"
        return "no difference"


class Trial(msgspec.Struct, frozen=True):
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
    arms: tuple[Arm, ...] = ()  # a randomised trial's arms
    comparisons: tuple[Comparison, ...] = ()
    # field path ("response.reported_rate") -> (line, column), for messages about figures
    locations: Mapping[str, tuple[int, int]] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        share(self, "regimen", "phase", "condition", "histologies")
        if len(self.locations) == 1:  # the id's alone, as a loaded trial keeps them: often the same
            shared = _ONE_LOCATION.setdefault(next(iter(self.locations.items())), self.locations)
            force_setattr(self, "locations", shared)

    # Where a figure stands in its file is not part of the trial: equal and hashed without it
    # (a mapping could not be hashed at all).
    def _compared(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__struct_fields__ if name != "locations")

    def __eq__(self, other: object) -> bool:
        return self._compared() == other._compared() if type(other) is Trial else NotImplemented

    def __hash__(self) -> int:
        return hash(self._compared())

    @property
    def regimen_name(self) -> str:
        return regimen_name(self.regimen)

    @property
    def patients(self) -> int | None:
        """Patients the record counts: its enrolled, or where it gives enrolment only by cohort
        (or by arm), the sum; None where it counts none (never 0 for a count not given)."""
        if self.enrolled is not None:
            return self.enrolled
        parts = [c.enrolled for c in self.cohorts] + [a.enrolled for a in self.arms]
        return sum(n for n in parts if n is not None) if any(n is not None for n in parts) else None

    def arm(self, name: str) -> Arm | None:
        return next((a for a in self.arms if a.name == name), None)

    def location(self, field_path: str) -> tuple[int | None, int | None]:
        line_col = self.locations.get(field_path)
        return (line_col[0], line_col[1]) if line_col else (None, None)


class Evidence(msgspec.Struct, frozen=True, dict=True):  # a dict for its cached index
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


class Catalog:
    """Resolves agent names and codes, in any case, Unicode form or spacing (names.name_key), to
    canonical agent names."""

    def __init__(self, agents: Iterable[Agent]) -> None:
        self.agents = list(agents)
        self._names: dict[str, str] = {}
        for agent in self.agents:
            for label in (agent.name, *agent.codes):
                self._names.setdefault(name_key(label), agent.name)

    def resolve(self, label: str) -> str | None:
        return self._names.get(name_key(label))

    def suggest(self, label: str) -> str:
        """ "; did you mean X?" for the name or code nearest to `label`, or nothing."""
        import difflib  # only when a name is wrong

        close = difflib.get_close_matches(name_key(label), list(self._names), n=1)
        return f"; did you mean {self._names[close[0]]}?" if close else ""

    def unknown(self, label: str) -> str:
        """The one message for a name that is not in the catalog, wherever it was written."""
        return f"'{label}' is not in the agent catalog{self.suggest(label)}"
