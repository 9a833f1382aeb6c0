"""One trial document -> a Trial, with a located problem for every bad field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from igfcli.errors import Problem
from igfcli.model import (
    PHASES,
    Catalog,
    Cohort,
    Source,
    Trial,
)
from igfcli.records.arms import read_arms, read_comparisons
from igfcli.records.fields import Reader, describe_value, field_name
from igfcli.records.figures import agent_list, also_reported, pfs_list, response

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
    "arms",
    "comparisons",
}
TRIAL_REQUIRED = ("id", "title", "regimen", "phase", "sources")
_LOCATED = {"id", "enrolled", "response", "pfs", "cohorts", "also_reported", "arms", "comparisons"}
COHORT_KEYS = {"name", "histologies", "enrolled", "response", "pfs"}
SOURCE_KEYS = {"citation", "doi", "pmid", "nct", "eudract", "url"}
# What each identifier of a source looks like: a misprinted one points at nothing, or at another
# trial, and the figures it backs are then without a source.
IDENTIFIERS = {
    "nct": (re.compile(r"NCT[0-9]{8}"), "an NCT id such as NCT01234567"),
    "pmid": (re.compile(r"[1-9][0-9]{0,8}"), "a PubMed id such as 24797726 (digits only)"),
    "doi": (
        re.compile(r"10\.[0-9]{4,9}/\S+"),
        "a DOI such as 10.1200/JCO.2011.37.2359 (no https://doi.org/)",
    ),
    "eudract": (re.compile(r"[0-9]{4}-[0-9]{6}-[0-9]{2}"), "a EudraCT number such as 2007-003940-30"),
    "url": (re.compile(r"https?://\S+"), "a web address such as https://example.org/trial"),
}


def read_trial(doc: yamldoc.Document, file: Path, catalog: Catalog, problems: list[Problem]) -> Trial | None:
    start = len(problems)
    r = Reader(doc, problems)
    m = r.mapping((), doc.data, TRIAL_KEYS, TRIAL_REQUIRED)
    assert m is not None  # _read only returns mappings
    trial_id = r.optional(m, (), "id", r.text)
    stem = file.stem
    # an id no reader can tell from another, or that a list of ids would split, is one problem,
    # whatever the file is called
    readable = trial_id is not None and r.visible(("id",), trial_id) and r.one_item(("id",), trial_id)
    if readable and trial_id != stem:
        r.problem(("id",), f"'{trial_id}' does not match the file name; the id of {file.name} is '{stem}'")
    title = r.optional(m, (), "title", r.text)
    regimen = agent_list(r, m, (), catalog)
    phase_value = m.get("phase")
    if isinstance(phase_value, int) and not isinstance(phase_value, bool):
        phase_value = str(phase_value)  # `phase: 2` unquoted is as clear as "2"
    phase = r.choice(("phase",), phase_value, PHASES) if phase_value is not None else None
    enrolled = r.optional(m, (), "enrolled", r.count)
    trial_response = response(r, m, (), enrolled)
    pfs = pfs_list(r, m, (), enrolled)
    cohorts = _cohorts(r, m)
    sources = _sources(r, m)
    condition = r.optional(m, (), "condition", r.text)
    histologies = r.optional(m, (), "histologies", r.items) or ()
    notes = r.optional(m, (), "notes", r.text)
    also = also_reported(r, m, ())
    arms = read_arms(r, m, catalog, regimen, enrolled)
    comparisons = read_comparisons(r, m, arms)
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
        response=trial_response,
        pfs=pfs,
        cohorts=cohorts,
        sources=sources,
        notes=notes,
        path=doc.path,
        also_reported=also,
        arms=arms,
        comparisons=comparisons,
        locations=locations,
    )


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
        name = r.unique_name(c, p, names)
        enrolled = r.optional(c, p, "enrolled", r.count)
        cohorts.append(
            Cohort(
                name=name or "",
                histologies=r.optional(c, p, "histologies", r.items) or (),
                enrolled=enrolled,
                response=response(r, c, p, enrolled),
                pfs=pfs_list(r, c, p, enrolled),
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
        for key, (pattern, what) in IDENTIFIERS.items():
            if fields[key] is not None and not pattern.fullmatch(fields[key]):
                r.problem((*p, key), f"'{fields[key]}' is not {what}")
        if fields["citation"] is not None:
            out.append(Source(**fields))
    return tuple(out)
