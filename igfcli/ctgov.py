"""ClinicalTrials.gov study records (API v2 JSON) -> trial record skeletons for a curator to finish.

The registry holds the design of a trial, not its results, so a skeleton has the
title, phase, conditions, regimen and identifiers, and the response and PFS
fields as commented hints. What cannot be mapped without judgement (an
intervention the agent catalog does not know, a phase the record format has no
value for) is written as a TODO marker, which the loader refuses: an unfinished
skeleton fails `igf validate` with a message at the marker, instead of entering
an analysis half right.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from igfcli.errors import IgfError
from igfcli.loading import TODO, Catalog
from igfcli.scaffold import HINTS, RecordText

STUDY_URL = "https://clinicaltrials.gov/study/"
NCT_ID = re.compile(r"NCT\d{8}")
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
SECONDARY_ID_LABELS = {
    "NIH": "NIH grant",
    "FDA": "FDA",
    "VA": "VA",
    "CDC": "CDC",
    "AHRQ": "AHRQ",
    "SAMHSA": "SAMHSA",
    "OTHER_GRANT": "grant",
    "EUDRACT_NUMBER": "EudraCT",
    "CTIS": "EU CT number",
    "REGISTRY": "registry",
    "OTHER": "other id",
}
CREDENTIAL = re.compile(
    r"(MD|PhD|DO|MPH|MS|MSc|MBBS|MBChB|FRCPC|FRCP|FACP|MRCP|RN|PharmD|DrPH|MBA|MA|BS|BSc|DPhil|Prof|Dr|Jr|Sr)",
    re.IGNORECASE,
)


class RegistryError(IgfError):
    """Registry files that cannot be read as ClinicalTrials.gov studies; one message per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass(frozen=True)
class Intervention:
    type: str | None
    name: str
    other_names: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Every text that may name the agent: the name, its parts around brackets, the other names."""
        out = [self.name]
        bracket = re.fullmatch(r"(.*?)\s*\((.*)\)\s*", self.name)
        if bracket:
            out += [bracket.group(1), bracket.group(2)]
        return tuple(label for label in (*out, *self.other_names) if label.strip())


@dataclass(frozen=True)
class Study:
    """What a skeleton takes from one registry record."""

    nct_id: str
    origin: str  # file and JSON path, for messages
    title: str | None = None
    phases: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    enrollment: int | None = None
    enrollment_type: str | None = None
    lead_sponsor: str | None = None
    overall_status: str | None = None
    why_stopped: str | None = None
    start_year: int | None = None
    last_update: str | None = None
    investigator: str | None = None
    organization: str | None = None
    org_study_id: str | None = None
    secondary_ids: tuple[tuple[str, str, str | None], ...] = ()  # id, label, link
    interventions: tuple[Intervention, ...] = ()
    results: tuple[tuple[str, str | None], ...] = ()  # citation, pmid of RESULT references
    has_results: bool = False


@dataclass(frozen=True)
class Skeleton:
    """One record to write: its id, its YAML text, and what a curator must still do."""

    study: Study
    id: str
    text: str
    to_finish: tuple[str, ...] = field(default=())


# --- reading the registry's JSON ----------------------------------------------------------------


def read_studies(raw: bytes, name: str) -> list[Study]:
    """One file's studies: a single study, an API page ({"studies": [...]}) or a JSON list of studies."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError([f"{name}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError([f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"]) from None
    if isinstance(value, dict) and "studies" in value:
        items, base = value["studies"], "$.studies"
        if not isinstance(items, list):
            raise RegistryError([f"{name}: $.studies: should be a list of studies, not {_kind(items)}"])
    elif isinstance(value, list):
        items, base = value, "$"
    elif isinstance(value, dict) and "protocolSection" in value:
        return [_study(value, name, "$")]
    else:
        legacy = isinstance(value, dict) and ("FullStudiesResponse" in value or "FullStudy" in value)
        raise RegistryError(
            [
                f"{name}: $: not a ClinicalTrials.gov study record"
                + (
                    " (this is the retired API v1 format; download the study again from the v2 API)"
                    if legacy
                    else "; expected an API v2 study (with protocolSection) or a page with studies"
                )
            ]
        )
    studies, messages = [], []
    for i, item in enumerate(items):
        try:
            studies.append(_study(item, name, f"{base}[{i}]"))
        except RegistryError as exc:
            messages.extend(exc.messages)
    if messages:
        raise RegistryError(messages)
    return studies


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text ({json.dumps(value)})"
    return f"a number ({value})"


class _Reader:
    """Typed values out of one study's JSON, with a message naming the file and JSON path of each bad one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.messages: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.messages.append(f"{self.name}: {path}: {message}")

    def object(self, node: Any, path: str, *keys: str) -> tuple[Any, str]:
        """The value under `keys`, or None where a module or field is missing."""
        for key in keys:
            if node is None:
                return None, path
            if not isinstance(node, dict):
                self.problem(path, f"should be an object, not {_kind(node)}")
                return None, path
            node, path = node.get(key), f"{path}.{key}"
        return node, path

    def text(self, node: Any, path: str, *keys: str) -> str | None:
        value, path = self.object(node, path, *keys)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.problem(path, f"should be text, not {_kind(value)}")
            return None
        value = " ".join(value.split())  # registry text wraps lines; a record field is one line
        return value or None

    def list(self, node: Any, path: str, *keys: str) -> list[tuple[Any, str]]:
        value, path = self.object(node, path, *keys)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"should be a list, not {_kind(value)}")
            return []
        return [(item, f"{path}[{i}]") for i, item in enumerate(value)]

    def texts(self, node: Any, path: str, *keys: str) -> tuple[str, ...]:
        out = []
        for item, item_path in self.list(node, path, *keys):
            text = self.text(item, item_path)
            if text is not None:
                out.append(text)
        return tuple(out)

    def count(self, node: Any, path: str, *keys: str) -> int | None:
        # The API writes numbers as JSON numbers, but exports and older tools write them as text.
        value, path = self.object(node, path, *keys)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, float) and value.is_integer() and value >= 0:
            return int(value)
        self.problem(path, f"should be a count of participants, not {_kind(value)}")
        return None

    def year(self, node: Any, path: str, *keys: str) -> int | None:
        text = self.text(node, path, *keys)
        if text is None:
            return None
        match = re.match(r"(\d{4})(-|$)", text)
        if match is None:
            self.problem(f"{path}.{'.'.join(keys)}", f"'{text}' is not a date such as 2020-06-16")
            return None
        return int(match.group(1))


def _study(node: Any, name: str, at: str) -> Study:
    r = _Reader(name)
    if not isinstance(node, dict):
        raise RegistryError([f"{name}: {at}: should be a study (an object), not {_kind(node)}"])
    protocol, ppath = r.object(node, at, "protocolSection")
    if protocol is None:
        raise RegistryError([f"{name}: {ppath}: missing; not a ClinicalTrials.gov API v2 study record"])
    nct_id = r.text(protocol, ppath, "identificationModule", "nctId")
    nct_path = f"{ppath}.identificationModule.nctId"
    if nct_id is None:
        r.problem(nct_path, "missing; every registry record has an NCT id")
    elif not NCT_ID.fullmatch(nct_id):
        r.problem(nct_path, f"'{nct_id}' is not an NCT id such as NCT01234567")

    ident = ("identificationModule",)
    status = ("statusModule",)
    secondary = []
    for item, path in r.list(protocol, ppath, *ident, "secondaryIdInfos"):
        sid = r.text(item, path, "id")
        if sid is None:
            continue
        kind = r.text(item, path, "type")
        label = r.text(item, path, "domain") or SECONDARY_ID_LABELS.get(kind or "", kind or "other id")
        if kind == "EUDRACT_NUMBER":
            label = "EudraCT"
        secondary.append((sid, label, r.text(item, path, "link")))
    interventions = []
    for item, path in r.list(protocol, ppath, "armsInterventionsModule", "interventions"):
        iname = r.text(item, path, "name")
        if iname is None:
            continue
        interventions.append(
            Intervention(r.text(item, path, "type"), iname, r.texts(item, path, "otherNames"))
        )
    results = []
    for item, path in r.list(protocol, ppath, "referencesModule", "references"):
        citation = r.text(item, path, "citation")
        if citation is not None and r.text(item, path, "type") == "RESULT":
            results.append((citation, r.text(item, path, "pmid")))
    study = Study(
        nct_id=nct_id or "",
        origin=f"{name}: {at}",
        title=r.text(protocol, ppath, *ident, "briefTitle")
        or r.text(protocol, ppath, *ident, "officialTitle"),
        phases=r.texts(protocol, ppath, "designModule", "phases"),
        conditions=r.texts(protocol, ppath, "conditionsModule", "conditions"),
        enrollment=r.count(protocol, ppath, "designModule", "enrollmentInfo", "count"),
        enrollment_type=r.text(protocol, ppath, "designModule", "enrollmentInfo", "type"),
        lead_sponsor=r.text(protocol, ppath, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        overall_status=r.text(protocol, ppath, *status, "overallStatus"),
        why_stopped=r.text(protocol, ppath, *status, "whyStopped"),
        start_year=r.year(protocol, ppath, *status, "startDateStruct", "date")
        or r.year(protocol, ppath, *status, "studyFirstSubmitDate"),
        last_update=r.text(protocol, ppath, *status, "lastUpdatePostDateStruct", "date"),
        investigator=_investigator(r, protocol, ppath),
        organization=r.text(protocol, ppath, *ident, "organization", "fullName"),
        org_study_id=r.text(protocol, ppath, *ident, "orgStudyIdInfo", "id"),
        secondary_ids=tuple(secondary),
        interventions=tuple(interventions),
        results=tuple(results),
        has_results=node.get("hasResults") is True,
    )
    if r.messages:
        raise RegistryError(r.messages)
    return study


def _investigator(r: _Reader, protocol: Any, ppath: str) -> str | None:
    """The first principal investigator or study chair, by name (not a sponsor's call centre)."""
    for item, path in r.list(protocol, ppath, "contactsLocationsModule", "overallOfficials"):
        if r.text(item, path, "role") in ("PRINCIPAL_INVESTIGATOR", "STUDY_CHAIR"):
            name = r.text(item, path, "name")
            if name:
                return name
    return None


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
    """(agent, intervention) for those the catalog knows; the agent-type ones it does not; the rest."""
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
        elif all(agent != known for known, _ in mapped):
            mapped.append((agent, intervention))
    return mapped, unmapped, not_agents


def skeleton(study: Study, catalog: Catalog, record: str | None = None) -> Skeleton:
    """The record text for one study; `record` overrides the id (when two studies would share one)."""
    mapped, unmapped, not_agents = map_regimen(study, catalog)
    rid = record or record_id(study, (agent for agent, _ in mapped))
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
    for agent, intervention in mapped:
        out.item(agent, note=f"{_type_name(intervention.type)}: {intervention.name}", indent=2)
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
    out.sources(_sources(study))
    out.field("notes", _notes(study))
    return Skeleton(study, rid, out.text(), tuple(to_finish))


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
    ids = [d.id for d in drafts]
    return [
        skeleton(d.study, catalog, f"{d.id}-{d.study.nct_id.lower()}")
        if ids.count(d.id) > 1 and d.id != d.study.nct_id
        else d
        for d in drafts
    ]
