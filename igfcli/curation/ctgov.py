"""ClinicalTrials.gov studies -> trial record skeletons for a curator to finish.

The registry holds the design of a trial, not its results, so a skeleton has the
title, phase, conditions, regimen and identifiers, and the response and PFS
fields as commented hints. What cannot be mapped without judgement (an
intervention the agent catalog does not know, a phase the record format has no
value for) is written as a TODO marker, which the loader refuses: an unfinished
skeleton fails `igf validate` with a message at the marker, instead of entering
an analysis half right.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from igfcli.curation.registry import Intervention, RegistryError, Study
from igfcli.curation.scaffold import HINTS, RecordText
from igfcli.model import Catalog
from igfcli.names import id_key
from igfcli.records.fields import TODO

STUDY_URL = "https://clinicaltrials.gov/study/"
# Intervention types that can be an agent of the regimen; the others (procedures,
# devices, radiation, questionnaires) are listed in a comment and left out.
AGENT_TYPES = {"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "GENETIC"}
PHASES = {
    ("PHASE1",): "1",
    ("EARLY_PHASE1",): "1",
    ("PHASE1", "PHASE2"): "1/2",
    ("PHASE2",): "2",
    ("PHASE2", "PHASE3"): "2/3",
    ("PHASE3",): "3",
}
CREDENTIAL = re.compile(
    r"(MD|PhD|DO|MPH|MS|MSc|MBBS|MBChB|FRCPC|FRCP|FACP|MRCP|RN|PharmD|DrPH|MBA|MA|BS|BSc|DPhil|Prof|Dr|Jr|Sr)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Skeleton:
    """One record to write: its id, its YAML text, and what a curator must still do."""

    study: Study
    id: str
    text: str
    to_finish: tuple[str, ...] = field(default=())


# --- building the skeleton ----------------------------------------------------------------------


def slug(text: str) -> str:
    """Lower-case letters, digits and hyphens: safe in a file name on every system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.replace("'", "").lower()).strip("-")


def surname(name: str) -> str:
    """'Jacob M Sands', 'Sands, Jacob M' and 'Jacob Sands, MD' all give 'Sands'."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    parts = [p for p in parts if not all(CREDENTIAL.fullmatch(t.replace(".", "")) for t in p.split())]
    if not parts:
        return ""
    if len(parts) > 1:
        return parts[0].split()[-1]
    words = [w for w in parts[0].split() if not CREDENTIAL.fullmatch(w.replace(".", ""))]
    return words[-1] if words else ""


def _sponsor_word(sponsor: str) -> str:
    acronym = re.search(r"\(([A-Z][A-Za-z0-9-]{1,11})\)", sponsor)
    return acronym.group(1) if acronym else sponsor.split()[0]


def record_id(study: Study, agents: Iterable[str]) -> str:
    """Who, when and what (`sands-2020-pembrolizumab`), else the NCT id."""
    who = slug(surname(study.investigator)) if study.investigator else ""
    if not who and study.lead_sponsor:
        who = slug(_sponsor_word(study.lead_sponsor))
    if not who or study.start_year is None:
        return study.nct_id
    first_agent = next(iter(agents), None)
    return "-".join(p for p in (who, str(study.start_year), slug(first_agent or "")) if p)


def map_regimen(
    study: Study, catalog: Catalog
) -> tuple[list[tuple[str, Intervention]], list[Intervention], list[Intervention]]:
    """(agent, intervention) for those the catalog knows, every one (two may name one agent: its
    name and its code); the agent-type ones it does not; the rest."""
    mapped: list[tuple[str, Intervention]] = []
    unmapped: list[Intervention] = []
    not_agents: list[Intervention] = []
    for intervention in study.interventions:
        if intervention.type is not None and intervention.type not in AGENT_TYPES:
            not_agents.append(intervention)
            continue
        agent = next((a for a in map(catalog.resolve, intervention.labels) if a is not None), None)
        if agent is None:
            unmapped.append(intervention)
        else:
            mapped.append((agent, intervention))
    return mapped, unmapped, not_agents


def skeleton(study: Study, catalog: Catalog, record: str | None = None) -> Skeleton:
    """The record text for one study; `record` overrides the id (when two studies would share one)."""
    mapped, unmapped, not_agents = map_regimen(study, catalog)
    agents = list(dict.fromkeys(agent for agent, _ in mapped))  # the regimen names each agent once
    rid = record or record_id(study, agents)
    to_finish: list[str] = []
    out = RecordText()

    out.comment(f"Imported from ClinicalTrials.gov {study.nct_id} ({STUDY_URL}{study.nct_id}).")
    out.comment(
        "The registry holds the design, not the results: add response and PFS figures from the\n"
        "publications. Every TODO fails `igf validate` until it is replaced."
    )
    if not_agents:
        left_out = "; ".join(f"{_type_name(i.type)}: {i.name}" for i in not_agents)
        out.comment(f"Interventions left out, not agents: {left_out}.")
    out.field("id", rid)
    if study.title:
        out.field("title", study.title)
    else:
        out.field("title", f"{TODO}: the registry record has no title")
        to_finish.append("title: the registry record has no title")

    out.lines.append("regimen:")
    for agent in agents:
        named = "; ".join(f"{_type_name(i.type)}: {i.name}" for a, i in mapped if a == agent)
        out.item(agent, note=named, indent=2)
    for intervention in unmapped:
        out.item(
            f"{TODO}: {intervention.name}",
            note=f"{_type_name(intervention.type)} not in the agent catalog: add it to agents.yaml, "
            "or remove this line",
            indent=2,
        )
        to_finish.append(f"regimen: {intervention.name} is not in the agent catalog")
    if not mapped and not unmapped:
        out.item(f"{TODO}: the registry lists no drug; name the agents", indent=2)
        to_finish.append("regimen: the registry lists no drug")

    phase = PHASES.get(tuple(sorted(study.phases)))
    if phase is None:
        shown = "/".join(study.phases) or "no phase"
        out.field("phase", f"{TODO}: the registry gives {shown}", note='one of "1", "1/2", "2", "2/3", "3"')
        to_finish.append(f"phase: the registry gives {shown}")
    else:
        out.field("phase", phase, note=f"registry: {'/'.join(study.phases)}")

    if study.conditions:
        out.field(
            "condition",
            "; ".join(study.conditions),
            note="the registry's conditions; shorten to the disease, e.g. sarcoma",
        )
    else:
        out.comment(HINTS["condition"])
    out.comment(HINTS["histologies"])
    if study.enrollment is not None and study.enrollment_type == "ACTUAL":
        out.field("enrolled", study.enrollment, note="ACTUAL enrolment in the registry")
    else:
        # A planned size is not an enrolment: left out so no analysis counts it.
        if study.enrollment is None:
            out.comment(f"enrolled: {TODO}    # the registry gives no enrolment")
        else:
            kind = study.enrollment_type or "type not given"
            out.comment(f"enrolled: {TODO}    # the registry gives {study.enrollment} ({kind}), not a count")
    for key in ("response", "pfs", "cohorts"):
        out.comment(HINTS[key])
    if len(study.arm_groups) > 1:
        _arms(out, study, mapped, to_finish)
    else:
        out.comment(HINTS["arms"])
    out.comment(HINTS["comparisons"])
    out.sources(_sources(study))
    out.field("notes", _notes(study))
    return Skeleton(study, rid, out.text(), tuple(to_finish))


# the registry's arm types: what is compared against is a control arm
ROLES = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "control",
    "PLACEBO_COMPARATOR": "control",
    "SHAM_COMPARATOR": "control",
    "NO_INTERVENTION": "control",
}


def _arms(
    out: RecordText, study: Study, mapped: list[tuple[str, Intervention]], to_finish: list[str]
) -> None:
    """The registry's arm groups as arms: their names, catalog agents, other drugs and roles."""
    agent_of = {intervention.name.casefold(): agent for agent, intervention in mapped}
    out.lines.append("arms:  # the registry's arm groups; add each arm's enrolment from the publications")
    for group in study.arm_groups:
        names = [n.split(": ", 1)[-1] for n in group.interventions]
        agents = list(dict.fromkeys(agent_of[n.casefold()] for n in names if n.casefold() in agent_of))
        others = [
            n
            for full, n in zip(group.interventions, names, strict=True)
            if n.casefold() not in agent_of and full.split(": ", 1)[0].upper() in ("DRUG", "BIOLOGICAL")
        ]
        out.field("- name", group.label, indent=2)
        out.list_field("regimen", agents, indent=4)
        if others:
            out.field("backbone", ", ".join(others), note="the arm's other drugs in the registry", indent=4)
        role = ROLES.get(group.type or "")
        if role is None:
            out.field("role", f"{TODO}: the registry calls it {group.type or 'nothing'}", indent=4)
            to_finish.append(f"arms: the role of '{group.label}' (registry: {group.type or 'no type'})")
        else:
            out.field("role", role, note=f"registry: {group.type}", indent=4)


def _type_name(kind: str | None) -> str:
    return (kind or "intervention").replace("_", " ").capitalize()


def _sources(study: Study) -> list[dict[str, str]]:
    sources = [
        {
            "citation": f"ClinicalTrials.gov {study.nct_id}: {study.title or 'registry record'}",
            "nct": study.nct_id,
            "url": STUDY_URL + study.nct_id,
        }
    ]
    labels: dict[str, list[str]] = {}
    links: dict[str, str] = {}
    kinds: dict[str, str] = {}
    if study.org_study_id:
        labels[study.org_study_id] = [f"{study.organization or 'sponsor'} study id"]
    for sid, label, link in study.secondary_ids:
        if sid == study.nct_id:
            continue
        labels.setdefault(sid, [])
        if label not in labels[sid]:
            labels[sid].append(label)
        if link:
            links.setdefault(sid, link)
        if label == "EudraCT":
            kinds[sid] = "eudract"
    for sid, names in labels.items():
        source = {"citation": f"{sid} ({'; '.join(names)})"}
        if kinds.get(sid) == "eudract":
            source["eudract"] = sid
        if sid in links:
            source["url"] = links[sid]
        sources.append(source)
    for citation, pmid in study.results:
        sources.append({"citation": citation, **({"pmid": pmid} if pmid else {})})
    return sources


def _notes(study: Study) -> str:
    updated = f", last updated {study.last_update}" if study.last_update else ""
    parts = [f"Registry: ClinicalTrials.gov {study.nct_id}{updated}."]
    if study.lead_sponsor:
        parts.append(f"Lead sponsor: {study.lead_sponsor}.")
    if study.overall_status:
        parts.append(f"Overall status: {study.overall_status}.")
    if study.why_stopped:
        parts.append(f"Why stopped: {study.why_stopped.rstrip('.')}.")
    if study.enrollment is not None:
        parts.append(f"Enrolment: {study.enrollment} ({study.enrollment_type or 'type not given'}).")
    parts.append(f"Phases: {', '.join(study.phases) or 'none'}.")
    if study.has_results:
        parts.append("The registry has posted results.")
    return " ".join(parts)


def skeletons(studies: list[Study], catalog: Catalog) -> list[Skeleton]:
    """One skeleton per study, each with an id of its own (NCT ids keep two alike apart)."""
    seen: dict[str, str] = {}
    for study in studies:
        if study.nct_id in seen:
            raise RegistryError([f"{study.origin}: {study.nct_id} is also the study at {seen[study.nct_id]}"])
        seen[study.nct_id] = study.origin
    drafts = [skeleton(s, catalog) for s in studies]
    ids = Counter(id_key(d.id) for d in drafts)  # counted once: a page may hold thousands of studies
    return [
        skeleton(d.study, catalog, f"{d.id}-{d.study.nct_id.lower()}")
        if ids[id_key(d.id)] > 1 and d.id != d.study.nct_id
        else d
        for d in drafts
    ]


def clashes(drafts: list[Skeleton], folder: Path, existing: dict[str, Path], force: bool) -> list[str]:
    """Each draft whose id another record of the folder already has (or, without `force`, its own
    file); `existing` maps model.id_key of each record's id to its file."""
    out = []
    drafted: dict[str, str] = {}
    for draft in drafts:
        target = folder / f"{draft.id}.yaml"
        first = drafted.setdefault(id_key(draft.id), draft.id)
        if first != draft.id:
            out.append(
                f"{target}: '{draft.id}' and '{first}', two records of this import, are one trial's id"
            )
        other = existing.get(id_key(draft.id))
        if other is not None and (other != target or not force):
            out.append(f"{target}: '{draft.id}' is already the id of {other}")
    return out
