"""One trial document -> a Trial, with a located problem for every bad field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from igfcli.errors import Problem
from igfcli.model import (
    PHASES,
    WEEKS_PER_MONTH,
    AlsoReported,
    Catalog,
    Cohort,
    PfsPoint,
    Response,
    Source,
    Trial,
)
from igfcli.records.fields import Reader, describe_value, field_name

if TYPE_CHECKING:  # only a file being parsed needs YAML; a cached run never loads it
    from igfcli.records import yamldoc

TRIAL_KEYS = {
    "id",
    "title",
    "regimen",
    "phase",
    "condition",
    "histologies",
    "enrolled",
    "response",
    "pfs",
    "cohorts",
    "sources",
    "notes",
    "also_reported",
}
TRIAL_REQUIRED = ("id", "title", "regimen", "phase", "sources")
_LOCATED = {"id", "enrolled", "response", "pfs", "cohorts", "also_reported"}
COHORT_KEYS = {"name", "histologies", "enrolled", "response", "pfs"}
RESPONSE_KEYS = {"criteria", "evaluable", "responders", "reported_rate", "also_reported"}
ALSO_REPORTED_KEYS = {"rate", "of", "source"}
PFS_KEYS = {"weeks", "months", "rate", "evaluable"}
SOURCE_KEYS = {"citation", "doi", "pmid", "nct", "eudract", "url"}


def read_trial(doc: yamldoc.Document, file: Path, catalog: Catalog, problems: list[Problem]) -> Trial | None:
    start = len(problems)
    r = Reader(doc, problems)
    m = r.mapping((), doc.data, TRIAL_KEYS, TRIAL_REQUIRED)
    assert m is not None  # _read only returns mappings
    trial_id = r.optional(m, (), "id", r.text)
    stem = file.stem
    if trial_id is not None and trial_id != stem:
        r.problem(("id",), f"'{trial_id}' does not match the file name; the id of {file.name} is '{stem}'")
    title = r.optional(m, (), "title", r.text)
    regimen = _regimen(r, m, catalog)
    phase_value = m.get("phase")
    if isinstance(phase_value, int) and not isinstance(phase_value, bool):
        phase_value = str(phase_value)  # `phase: 2` unquoted is as clear as "2"
    phase = r.choice(("phase",), phase_value, PHASES) if phase_value is not None else None
    enrolled = r.optional(m, (), "enrolled", r.count)
    response = _response(r, m, (), enrolled)
    pfs = _pfs_list(r, m, (), enrolled)
    cohorts = _cohorts(r, m)
    sources = _sources(r, m)
    condition = r.optional(m, (), "condition", r.text)
    histologies = r.optional(m, (), "histologies", r.texts) or ()
    notes = r.optional(m, (), "notes", r.text)
    also = _also_reported(r, m, ())
    if len(problems) > start:
        return None
    assert trial_id is not None and title is not None and phase is not None
    # only what a later message can point at: figures, cohorts and the id (not sources or notes)
    locations = {field_name(path): mark for path, mark in doc.marks.items() if path and path[0] in _LOCATED}
    return Trial(
        id=trial_id,
        title=title,
        regimen=regimen,
        phase=phase,
        condition=condition,
        histologies=histologies,
        enrolled=enrolled,
        response=response,
        pfs=pfs,
        cohorts=cohorts,
        sources=sources,
        notes=notes,
        path=doc.path,
        also_reported=also,
        locations=locations,
    )


def _regimen(r: Reader, m: dict[str, Any], catalog: Catalog) -> tuple[str, ...]:
    if m.get("regimen") is None:
        return ()
    labels = r.texts(("regimen",), m["regimen"])
    if isinstance(m["regimen"], list) and not m["regimen"]:
        r.problem(("regimen",), "lists no agents")
    names: list[str] = []
    for i, label in enumerate(labels):
        name = catalog.resolve(label)
        if name is None:
            if catalog.agents:
                r.problem(("regimen", i), f"'{label}' is not in the agent catalog{catalog.suggest(label)}")
            continue
        if name in names:
            r.problem(("regimen", i), f"'{label}' is {name}, already in the regimen")
            continue
        names.append(name)
    return tuple(names)


def _response(r: Reader, parent: dict[str, Any], at: yamldoc.Path, enrolled: int | None) -> Response | None:
    path = (*at, "response")
    if parent.get("response") is None:
        return None
    m = r.mapping(path, parent["response"], RESPONSE_KEYS)
    if m is None:
        return None
    start = len(r.problems)
    evaluable = r.optional(m, path, "evaluable", r.count)
    responders = r.optional(m, path, "responders", r.count)
    reported = r.optional(m, path, "reported_rate", r.rate)
    criteria = r.optional(m, path, "criteria", r.text)
    also = _also_reported(r, m, path)
    defaulted = False
    if m.get("evaluable") is None:
        if enrolled is None:
            r.problem(path, "missing 'evaluable' (and no 'enrolled' to default it to)")
        else:
            evaluable, defaulted = enrolled, True
    if m.get("responders") is None and m.get("reported_rate") is None:
        r.problem(path, "needs 'responders' or 'reported_rate' (or both)")
    if evaluable is not None and enrolled is not None and evaluable > enrolled:
        r.problem((*path, "evaluable"), f"{evaluable} is more than enrolled ({enrolled})")
    if evaluable is not None and responders is not None and responders > evaluable:
        r.problem((*path, "responders"), f"{responders} is more than evaluable ({evaluable})")
    if evaluable == 0:
        r.problem((*path, "evaluable"), "is 0; a response rate needs at least one evaluable patient")
    if len(r.problems) > start or evaluable is None:
        return None
    return Response(criteria, evaluable, responders, reported, defaulted, also)


def _also_reported(r: Reader, m: dict[str, Any], at: yamldoc.Path) -> tuple[AlsoReported, ...]:
    if m.get("also_reported") is None:
        return ()
    path = (*at, "also_reported")
    items = m["also_reported"]
    if not isinstance(items, list):
        r.problem(path, f"should be a list, not {describe_value(items)}")
        return ()
    out = []
    for i, item in enumerate(items):
        p = (*path, i)
        e = r.mapping(p, item, ALSO_REPORTED_KEYS, ("rate", "source"))
        if e is None:
            continue
        rate = r.optional(e, p, "rate", r.rate)
        of = r.optional(e, p, "of", r.count)
        source = r.optional(e, p, "source", r.text)
        if of == 0:
            r.problem((*p, "of"), "is 0; a rate needs a denominator of at least 1")
            continue
        if rate is not None and source is not None:
            out.append(AlsoReported(rate, of, source))
    return tuple(out)


def _pfs_list(
    r: Reader, parent: dict[str, Any], at: yamldoc.Path, enrolled: int | None
) -> tuple[PfsPoint, ...]:

    path = (*at, "pfs")
    if parent.get("pfs") is None:
        return ()
    items = parent["pfs"]
    if not isinstance(items, list):
        r.problem(path, f"should be a list of time points, not {describe_value(items)}")
        return ()
    points = []
    for i, item in enumerate(items):
        p = (*path, i)
        m = r.mapping(p, item, PFS_KEYS, ("rate",))
        if m is None:
            continue
        weeks = r.optional(m, p, "weeks", r.number)
        months = r.optional(m, p, "months", r.number)
        rate = r.optional(m, p, "rate", r.rate)
        evaluable = r.optional(m, p, "evaluable", r.count)
        if (m.get("weeks") is None) == (m.get("months") is None):
            r.problem(p, "needs exactly one of 'weeks' and 'months'")
            continue
        if evaluable is not None and enrolled is not None and evaluable > enrolled:
            r.problem((*p, "evaluable"), f"{evaluable} is more than enrolled ({enrolled})")
            continue
        if evaluable == 0:
            r.problem((*p, "evaluable"), "is 0; a rate needs at least one patient")
            continue
        if rate is None or (weeks is None and months is None):
            continue
        point_weeks = weeks if weeks is not None else (months or 0.0) * WEEKS_PER_MONTH
        points.append(PfsPoint(point_weeks, months, rate, evaluable))
    return tuple(points)


def _cohorts(r: Reader, m: dict[str, Any]) -> tuple[Cohort, ...]:
    if m.get("cohorts") is None:
        return ()
    items = m["cohorts"]
    if not isinstance(items, list):
        r.problem(("cohorts",), f"should be a list of cohorts, not {describe_value(items)}")
        return ()
    cohorts = []
    names: dict[str, int] = {}
    for i, item in enumerate(items):
        p: yamldoc.Path = ("cohorts", i)
        c = r.mapping(p, item, COHORT_KEYS, ("name",))
        if c is None:
            continue
        name = r.optional(c, p, "name", r.text)
        if name is not None:
            if name.casefold() in names:
                r.problem((*p, "name"), f"'{name}' is already the name of cohorts[{names[name.casefold()]}]")
            names[name.casefold()] = i
        enrolled = r.optional(c, p, "enrolled", r.count)
        cohorts.append(
            Cohort(
                name=name or "",
                histologies=r.optional(c, p, "histologies", r.texts) or (),
                enrolled=enrolled,
                response=_response(r, c, p, enrolled),
                pfs=_pfs_list(r, c, p, enrolled),
                index=i,
            )
        )
    return tuple(cohorts)


def _sources(r: Reader, m: dict[str, Any]) -> tuple[Source, ...]:
    if m.get("sources") is None:
        return ()
    items = m["sources"]
    if not isinstance(items, list) or not items:
        r.problem(("sources",), "should list at least one source, each with a citation")
        return ()
    out = []
    for i, item in enumerate(items):
        p: yamldoc.Path = ("sources", i)
        s = r.mapping(p, item, SOURCE_KEYS, ("citation",))
        if s is None:
            continue
        fields = {key: r.optional(s, p, key, r.text) for key in SOURCE_KEYS}
        if fields["citation"] is not None:
            out.append(Source(**fields))
    return tuple(out)
