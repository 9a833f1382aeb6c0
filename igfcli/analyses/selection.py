"""Filters shared by every listing: which trials (and cohorts) a command looks at."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

import msgspec

from igfcli.errors import SelectionError
from igfcli.model import PHASES, Agent, Arm, Catalog, Cohort, Evidence, Trial
from igfcli.names import folded


class Filters(msgspec.Struct, frozen=True):
    """Each field holds the values given on the command line; a trial must match one of each."""

    agents: tuple[str, ...] = ()
    sponsors: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    histologies: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()

    def named(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each filter's name, as the library calls it, and its values."""
        return (
            ("agent", self.agents),
            ("sponsor", self.sponsors),
            ("class", self.classes),
            ("phase", self.phases),
            ("histology", self.histologies),
            ("condition", self.conditions),
        )

    def describe(self) -> str:
        """The filters in words, for report headings; empty when there are none."""
        parts = [f"{label} {' or '.join(values)}" for label, values in self.named() if values]
        return "; ".join(parts)


def _fold(values: tuple[str, ...]) -> set[str]:
    return {folded(v) for v in values}


def _contains_any(texts: tuple[str, ...], needles: tuple[str, ...]) -> bool:
    return any(folded(n) in folded(t) for t in texts for n in needles)


def _all_contain_any(texts: tuple[str, ...], needles: tuple[str, ...]) -> bool:
    """Whether every text (and there is at least one) contains one of the needles."""
    return bool(texts) and all(any(folded(n) in folded(t) for n in needles) for t in texts)


def _check_names_something(evidence: Evidence, filters: Filters) -> None:
    """Stop at a filter value that matches nothing in the data: a typo must not read as "no trials"."""
    agents = evidence.agents
    trials = evidence.trials

    def histologies() -> list[str]:
        units: list[Trial | Cohort] = [*trials, *(c for t in trials for c in t.cohorts)]
        return [h for u in units for h in u.histologies]

    # what the data holds for each filter, gathered only for a filter that was given
    checks: list[tuple[str, tuple[str, ...], Callable[[], list[str]], bool]] = [
        (
            "sponsor",
            filters.sponsors,
            # the sponsors a program had in its history too: igf halted groups programs by them
            lambda: [x for a in agents for x in (a.sponsor, a.parent, *(e.sponsor for e in a.history)) if x],
            False,
        ),
        ("class", filters.classes, lambda: [a.drug_class for a in agents if a.drug_class], False),
        ("phase", filters.phases, lambda: [t.phase for t in trials], False),
        ("histology", filters.histologies, histologies, True),
        ("condition", filters.conditions, lambda: [t.condition for t in trials if t.condition], True),
    ]
    for name, values, gather, by_part in checks:
        known = gather() if values else []
        for value in values:
            wanted = folded(value)
            if any((wanted in folded(k)) if by_part else wanted == folded(k) for k in known):
                continue
            if name == "phase" and value not in PHASES:
                raise SelectionError(name, f"'{value}' is not a phase; use one of {', '.join(PHASES)}")
            raise SelectionError(name, f"'{value}' matches nothing in the data{_suggest(value, known)}")


def _suggest(value: str, known: list[str]) -> str:
    """Up to three values of the data like `value`: containing it, or spelled like it."""
    distinct = sorted(set(known), key=str.casefold)
    wanted = value.casefold()
    like = [k for k in distinct if wanted in k.casefold()]
    by_case = {k.casefold(): k for k in distinct}
    like += [by_case[k] for k in difflib.get_close_matches(wanted, list(by_case), n=3, cutoff=0.6)]
    # "ewnig" is far from "Ewing sarcoma" as a whole, but close to its first word
    words = {w: k for k in distinct for w in k.casefold().split()}
    like += [words[w] for w in difflib.get_close_matches(wanted, list(words), n=3, cutoff=0.7)]
    like = list(dict.fromkeys(like))[:3]
    if like:
        return "; did you mean " + " or ".join(f"'{k}'" for k in like) + "?"
    if distinct:
        shown = ", ".join(f"'{k}'" for k in distinct[:6]) + (", ..." if len(distinct) > 6 else "")
        return f"; the data has {shown}"
    return ""


class Selection:
    """Filters resolved against one evidence base (agent codes become canonical names)."""

    def __init__(self, evidence: Evidence, filters: Filters) -> None:
        self.evidence = evidence
        self.filters = filters
        for option, values in filters.named():
            # "" is in every text: an empty --histology would select everything, silently
            empty = next((v for v in values if not v.strip()), None)
            if empty is not None:
                raise SelectionError(option, f"'{empty}' is empty; give a value, or leave the option out")
        catalog = Catalog(evidence.agents)
        names = []
        for label in filters.agents:
            name = catalog.resolve(label)
            if name is None:
                raise SelectionError("agent", catalog.unknown(label))
            names.append(name)
        self.agent_names = set(names)
        _check_names_something(evidence, filters)
        # each trial's verdict, by identity: every analysis asks again for every trial, and a
        # report runs several analyses (the trial is kept beside it, so its id stays its own)
        self._matches: dict[int, tuple[Trial, bool]] = {}
        self._trials: list[Trial] | None = None

    def agent_matches(self, agent: Agent, *, holders: tuple[str | None, ...] = ()) -> bool:
        """Whether an agent itself is selected by --agent, --sponsor (or parent) and --class;
        `holders` are more sponsors --sponsor may name (who holds a program now, say)."""
        f = self.filters
        if self.agent_names and agent.name not in self.agent_names:
            return False
        sponsors = {folded(x or "") for x in (agent.sponsor, agent.parent, *holders)}
        if f.sponsors and not sponsors & _fold(f.sponsors):
            return False
        return not f.classes or folded(agent.drug_class or "") in _fold(f.classes)

    def _agent_fields_match(self, regimen: tuple[str, ...]) -> bool:
        """Whether a regimen (a trial's, an arm's) holds an agent that --agent, --sponsor and
        --class select."""
        f = self.filters
        if self.agent_names and not self.agent_names & set(regimen):
            return False
        if not (f.sponsors or f.classes):
            return True  # most runs: the agents' own fields are not asked about
        agents = [self.evidence.agent(name) for name in regimen]
        if f.sponsors and not any(
            folded(a.sponsor or "") in _fold(f.sponsors) or folded(a.parent or "") in _fold(f.sponsors)
            for a in agents
        ):
            return False
        return not f.classes or any(folded(a.drug_class or "") in _fold(f.classes) for a in agents)

    def trial_matches(self, trial: Trial) -> bool:
        """Whether a trial, or at least one of its cohorts, is selected."""
        known = self._matches.get(id(trial))
        if known is None:
            known = self._matches[id(trial)] = (trial, self._trial_matches(trial))
        return known[1]

    def _trial_matches(self, trial: Trial) -> bool:
        f = self.filters
        if not self._agent_fields_match(trial.regimen):
            return False
        if f.phases and trial.phase not in f.phases:
            return False
        if f.conditions and not _contains_any((trial.condition or "",), f.conditions):
            return False
        if f.histologies:
            return _contains_any(trial.histologies, f.histologies) or any(
                _contains_any(c.histologies, f.histologies) for c in trial.cohorts
            )
        return True

    def cohort_matches(self, trial: Trial, cohort: Cohort) -> bool:
        """Whether a cohort of a selected trial is selected (histology narrows to cohorts)."""
        if not self.trial_matches(trial):
            return False
        f = self.filters
        return not f.histologies or _contains_any(cohort.histologies or trial.histologies, f.histologies)

    def arm_matches(self, trial: Trial, arm: Arm) -> bool:
        """Whether an arm of a selected trial is selected: an experimental arm by its own agents
        where --agent, --sponsor or --class asks (a trial of two IGF-1R agents has an arm for
        each, and --agent names one), a control arm with its trial."""
        if not self.whole_trial_matches(trial):
            return False
        f = self.filters
        if arm.role != "experimental" or not (self.agent_names or f.sponsors or f.classes):
            return True
        return self._agent_fields_match(arm.regimen)

    def whole_trial_matches(self, trial: Trial) -> bool:
        """Whether the trial's own pooled figures belong to the selection.

        With a histology filter, a trial's own figures count only when every
        histology it enrolled matches: a trial of osteosarcoma and synovial
        sarcoma pools both, so for osteosarcoma only its osteosarcoma cohort
        (where the record has one) stands for it.
        """
        if not self.trial_matches(trial):
            return False
        f = self.filters
        return not f.histologies or _all_contain_any(trial.histologies, f.histologies)

    def patients(self, trial: Trial) -> int | None:
        """Patients of a selected trial: all it counts (Trial.patients), or those of its selected
        cohorts; None where the record counts none of them."""
        if self.whole_trial_matches(trial):
            return trial.patients
        return known_sum(c.enrolled for c in trial.cohorts if self.cohort_matches(trial, c))

    def total_patients(self, trials: Iterable[Trial]) -> int | None:
        """Patients of these trials, of those that count them; None where none does (0 for no trial)."""
        counts = [self.patients(t) for t in trials]
        return known_sum(counts) if counts else 0

    def trials(self) -> list[Trial]:
        if self._trials is None:  # a report asks for them in every section
            self._trials = [t for t in self.evidence.trials if self.trial_matches(t)]
        return list(self._trials)


def known_sum(counts: Iterable[int | None]) -> int | None:
    """The sum of the counts that are known; None where none is (a count not given is not 0)."""
    known = [n for n in counts if n is not None]
    return sum(known) if known else None
