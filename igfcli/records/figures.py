"""The figures a trial, a cohort and an arm share: regimens, responses, progression-free rates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from igfcli.model import WEEKS_PER_MONTH, AlsoReported, Catalog, PfsPoint, Response
from igfcli.records.fields import Reader, describe_value, field_name

if TYPE_CHECKING:  # only a file being parsed needs YAML; a cached run never loads it
    from igfcli.records import yamldoc

RESPONSE_KEYS = {"criteria", "evaluable", "responders", "reported_rate", "also_reported"}
ALSO_REPORTED_KEYS = {"rate", "of", "source"}
PFS_KEYS = {"weeks", "months", "rate", "evaluable"}


def agent_list(
    r: Reader, m: dict[str, Any], at: yamldoc.Path, catalog: Catalog, *, may_be_empty: bool = False
) -> tuple[str, ...]:
    """`m["regimen"]` as canonical agent names, each once; an empty list only where it may be."""
    if m.get("regimen") is None:
        return ()
    path = (*at, "regimen")
    labels = r.texts(path, m["regimen"])
    if isinstance(m["regimen"], list) and not m["regimen"] and not may_be_empty:
        r.problem(path, "lists no agents")
    names: list[str] = []
    for i, label in enumerate(labels):
        name = catalog.resolve(label)
        if name is None:
            if catalog.agents:
                r.problem((*path, i), catalog.unknown(label))
            continue
        if name in names:
            r.problem((*path, i), f"'{label}' is {name}, already in the regimen")
            continue
        names.append(name)
    return tuple(names)


def response(r: Reader, parent: dict[str, Any], at: yamldoc.Path, enrolled: int | None) -> Response | None:
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
    also = also_reported(r, m, path)
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


def also_reported(r: Reader, m: dict[str, Any], at: yamldoc.Path) -> tuple[AlsoReported, ...]:
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


def pfs_list(
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
    seen: dict[float, tuple[int, str]] = {}  # time point in weeks -> the point that gave it first
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
        if evaluable is None and enrolled == 0:  # the denominator it would default to
            r.problem((*p, "rate"), "has no patient under it: no evaluable here, and enrolled is 0")
            continue
        if rate is None or (weeks is None and months is None):
            continue
        point_weeks = weeks if weeks is not None else (months or 0.0) * WEEKS_PER_MONTH
        unit = "weeks" if weeks is not None else "months"
        first, said = seen.setdefault(round(point_weeks, 6), (i, f"{m[unit]} {unit}"))
        if first != i:  # 3 months is 13 weeks: two rates at one time, of which an analysis takes one
            where = f"{field_name(path)}[{first}]"
            r.problem((*p, unit), f"{m[unit]} {unit} is the time point of {where} ({said}) too; give it once")
            continue
        points.append(PfsPoint(point_weeks, months, rate, evaluable))
    return tuple(points)
