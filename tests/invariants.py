"""What every value the record readers build holds true: the readers' promises, written out.

The readers refuse a record with a located problem; what they build is sound by
construction. This states what "sound" means (a denominator of at least 1,
responders at most evaluable, agents of the catalog, a phase of PHASES, text that
is not empty, ...), and tests/test_readers_promise.py checks it of every record
the readers build, so a reader that lets one of these through fails a test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

from igfcli.errors import Problem
from igfcli.model import (
    ARM_ROLES,
    LIST_SEPARATOR,
    MAX_COUNT,
    MEDIAN_UNITS,
    PHASES,
    STATUSES,
    WEEKS_PER_MONTH,
    Agent,
    AlsoReported,
    Arm,
    Catalog,
    Cohort,
    Comparison,
    PfsPoint,
    Printed,
    Rate,
    Response,
    Source,
    Trial,
)
from igfcli.records.fields import LONE_SURROGATE, is_todo
from igfcli.stats import PLAIN_NUMBER, RateError, parse_rate

_P_BOUND = re.compile(r"<\s*(0?\.[0-9]+)")


def is_text(value: str) -> bool:
    """Text a record's field can hold, as Reader.text returns it: not blank, not left for a
    curator ("TODO"), and made of characters (no half of a UTF-16 surrogate pair)."""
    return bool(value.strip()) and not is_todo(value) and LONE_SURROGATE.search(value) is None


def _items(*texts: str) -> bool:
    return not any(LIST_SEPARATOR in text for text in texts)


class Unsound(ValueError):
    """Values of the right types that no reader of this version builds."""


def need(condition: bool, what: str) -> None:
    if not condition:
        raise Unsound(what)


def sound_result(
    trial: Trial | None, problems: list[Problem], warnings: list[Problem], catalog: Catalog, stem: str
) -> None:
    """One record file's result: a trial and its warnings, or the errors that refused it (never neither)."""
    _problems(problems, "error")
    _problems(warnings, "warning")
    if trial is None:
        need(bool(problems) and not warnings, "a file refused without a problem")
        return
    need(not problems, "a trial built despite errors")
    sound_trial(trial, catalog, stem)


def sound_catalog(agents: list[Agent], problems: list[Problem]) -> None:
    """The agent catalog's result: each agent sound; a clean catalog names at least one, each label once."""
    _problems(problems, "error")
    for agent in agents:
        _agent(agent, clean=not problems)
    if problems:
        return
    need(bool(agents), "a clean catalog of no agents")
    labels = [label.casefold() for a in agents for label in (a.name, *a.codes)]
    need(len(set(labels)) == len(labels), "a name or code used twice")


def sound_trial(trial: Trial, catalog: Catalog, stem: str) -> None:
    t = trial
    need(_text(t.id) and t.id == stem, "an id that is not the file's name")
    # what a csv or tsv cell lists among others holds no ';', which separates the items
    need(_items(t.id, *t.histologies, *(h for c in t.cohorts for h in c.histologies)), "a ';' in an item")
    need(_text(t.title) and t.phase in PHASES, "a title or phase")
    need(_optional_text(t.condition, t.notes) and _texts(t.histologies), "a text")
    need(all(catalog.resolve(a) == a for a in t.regimen) and _once(t.regimen), "an agent of the regimen")
    need(bool(t.regimen) or not catalog.agents, "a regimen of no agents")
    _count(t.enrolled)
    _response(t.response, t.enrolled)
    _pfs(t.pfs, t.enrolled)
    _also(t.also_reported)
    need(bool(t.sources) and all(_source(s) for s in t.sources), "a source")
    need(set(t.locations) <= {"id"} and all(min(v) >= 1 for v in t.locations.values()), "a location")
    _cohorts(t.cohorts)
    _arms(t, catalog)
    _comparisons(t.comparisons, t.arms)


def _problems(problems: list[Problem], severity: str) -> None:
    for p in problems:
        need(p.severity == severity and bool(p.message.strip()), "a problem")
        need((p.line is None) == (p.column is None), "a problem's position")
        need(p.line is None or (p.line >= 1 and p.column is not None and p.column >= 1), "a position")


def _text(value: str) -> bool:
    return is_text(value)


def _texts(values: Iterable[str]) -> bool:
    return all(is_text(v) for v in values)


def _optional_text(*values: str | None) -> bool:
    return all(v is None or is_text(v) for v in values)


def _once(names: Iterable[str]) -> bool:
    folded = [n.casefold() for n in names]
    return len(set(folded)) == len(folded)


def _count(n: int | None, least: int = 0, most: int | None = None) -> None:
    need(n is None or least <= n <= min(MAX_COUNT, MAX_COUNT if most is None else most), "a count")


def _number(text: str) -> float | int:
    """The value a plain number's text gives, as YAML builds it (an int without a point)."""
    need(PLAIN_NUMBER.fullmatch(text) is not None, "a number not written plainly")
    return int(text) if text.lstrip("+-").isdigit() else float(text)


def _rate(rate: Rate) -> None:
    need(math.isfinite(rate.value) and math.isfinite(rate.half_unit), "a rate")
    need(_rate_of(rate.text) == rate, "a rate unlike its text")


@lru_cache(maxsize=4096)  # a large folder prints the same few hundred rates again and again
def _rate_of(text: str) -> Rate | None:
    """The rate a reader builds from this text, or None where it builds none."""
    try:
        return parse_rate(text) if text.endswith("%") else parse_rate(_number(text), text)
    except (RateError, Unsound):
        return None


def _response(r: Response | None, enrolled: int | None) -> None:
    if r is None:
        return
    _count(r.evaluable, 1, enrolled)
    _count(r.responders, 0, r.evaluable)
    need(r.responders is not None or r.reported_rate is not None, "a response of no figure")
    if r.reported_rate is not None:
        _rate(r.reported_rate)
    need(_optional_text(r.criteria), "criteria")
    need(not r.evaluable_defaulted or r.evaluable == enrolled, "a defaulted evaluable")
    _also(r.also_reported)


def _also(reports: tuple[AlsoReported, ...]) -> None:
    for a in reports:
        _rate(a.rate)
        _count(a.of, 1)
        need(_text(a.source), "a source")


def _pfs(points: tuple[PfsPoint, ...], enrolled: int | None) -> None:
    for p in points:
        need(math.isfinite(p.weeks) and p.weeks > 0, "weeks")
        months = p.months
        need(months is None or (math.isfinite(months) and months > 0), "months")
        need(months is None or p.weeks == months * WEEKS_PER_MONTH, "weeks unlike months")
        _rate(p.rate)
        _count(p.evaluable, 1, enrolled)
        need(p.evaluable is not None or enrolled != 0, "a rate over no patient")


def _source(s: Source) -> bool:
    return _text(s.citation) and _optional_text(s.doi, s.pmid, s.nct, s.eudract, s.url)


def _cohorts(cohorts: tuple[Cohort, ...]) -> None:
    need(_once(c.name for c in cohorts), "a cohort's name twice")
    for i, c in enumerate(cohorts):
        need(c.index == i and _text(c.name) and _texts(c.histologies), "a cohort")
        _count(c.enrolled)
        _response(c.response, c.enrolled)
        _pfs(c.pfs, c.enrolled)


def _arms(t: Trial, catalog: Catalog) -> None:
    arms: tuple[Arm, ...] = t.arms
    need(_once(a.name for a in arms), "an arm's name twice")
    for i, a in enumerate(arms):
        need(a.index == i and _text(a.name) and a.role in ARM_ROLES, "an arm")
        need(_once(a.regimen) and all(catalog.resolve(x) == x for x in a.regimen), "an arm's agent")
        need(not t.regimen or set(a.regimen) <= set(t.regimen), "an arm's agent outside the regimen")
        need(_optional_text(a.backbone), "a backbone")
        _count(a.enrolled, 0, t.enrolled)
        _response(a.response, a.enrolled)
        _pfs(a.pfs, a.enrolled)
    if not arms:
        return
    need(any(a.role == "experimental" for a in arms), "no experimental arm")
    need(all(a.regimen for a in arms if a.role == "experimental"), "an experimental arm of no agent")
    need(t.response is None and not t.pfs, "a whole-trial figure beside arms")
    counts = [a.enrolled for a in arms]
    if t.enrolled is not None and all(n is not None for n in counts):
        need(sum(n or 0 for n in counts) == t.enrolled, "arms that do not add up")


def _printed(p: Printed | None, *, positive: bool = True) -> None:
    if p is None:
        return
    need(math.isfinite(p.value) and (p.value > 0 or not positive), "a number")
    if p.bound:
        bound = _P_BOUND.fullmatch(p.text)
        need(bound is not None and float(bound.group(1)) == p.value, "a bound")
    else:
        need(_number(p.text) == p.value, "a number unlike its text")


def _comparisons(comparisons: tuple[Comparison, ...], arms: tuple[Arm, ...]) -> None:
    roles = {a.name: a.role for a in arms}
    for i, c in enumerate(comparisons):
        need(c.index == i and _text(c.endpoint) and _text(c.source), "a comparison")
        need(roles.get(c.experimental) == "experimental" and roles.get(c.control) == "control", "its arms")
        for x in (c.hr, c.ci_low, c.ci_high, c.median_experimental, c.median_control):
            _printed(x)
            need(x is None or not x.bound, "a bound")
        need(c.ci_low.value <= c.hr.value <= c.ci_high.value, "a ratio outside its interval")
        need(math.isfinite(c.level) and 0 < c.level < 1, "a level")
        _printed(c.p)
        need(c.p is None or c.p.value <= 1, "a p-value")
        need(c.p_sided in (1, 2) and (c.p_sided == 2 or c.p is not None), "p_sided")
        need(c.median_unit is None or c.median_unit in MEDIAN_UNITS, "a median's unit")
        medians = (c.median_experimental, c.median_control)
        need(c.median_unit is not None or medians == (None, None), "a median without its unit")


def _agent(a: Agent, clean: bool) -> None:
    need(_text(a.name) and _texts(a.codes), "an agent's name or code")
    need(_optional_text(a.drug_class, a.sponsor, a.parent), "an agent's text")
    old_format = any(e.indication is None for e in a.history)
    need(not old_format or len(a.history) == 1, "an event without an indication")
    for e in a.history:
        need(e.status in STATUSES and (e.year is None or 1900 <= e.year <= 2100), "an event")
        need(_optional_text(e.indication, e.sponsor, e.name, e.reason, e.source), "an event's text")
        need(_items(*(x for x in (e.indication, e.name) if x is not None)), "a ';' in an event")
        if old_format:
            need(e.sponsor is None and e.name is None, "an event of the first format")
        else:
            need(e.year is not None and e.indication is not None and e.source is not None, "an event")
    years = [e.year or 0 for e in a.history]
    need(not clean or years == sorted(years), "events out of time order")
