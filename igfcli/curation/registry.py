"""ClinicalTrials.gov study records (API v2 JSON) read into the fields a trial record can take.


Only what a record skeleton can use is read; every value is checked for its type,
and each problem is named with its file and JSON path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import IO, Any

from igfcli.errors import IgfError, not_utf8, shown_path
from igfcli.model import MAX_COUNT
from igfcli.records.fields import LONE_SURROGATE

# ASCII digits only: \d is every script's digits, and an id becomes a file name
NCT_ID = re.compile(r"NCT[0-9]{8}")
_DIGITS = re.compile(r"[0-9]+")
_YEAR = re.compile(r"([0-9]{4})(-|$)")
# A page of 1,000 full studies, the API's largest, is some 30 MB: anything far larger is not one,
# and is refused before it fills the memory (/dev/zero never ends).
MAX_BYTES = 128 * 1024 * 1024
# No figure of a study has more digits; Python refuses to read an integer of over 4,300.
MAX_DIGITS = 18
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
class ArmGroup:
    """One arm of the registry's design: its label, its type (EXPERIMENTAL, PLACEBO_COMPARATOR,
    ...) and the interventions it lists ("Drug: Carboplatin")."""

    label: str
    type: str | None
    interventions: tuple[str, ...]


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
    arm_groups: tuple[ArmGroup, ...] = ()
    results: tuple[tuple[str, str | None], ...] = ()  # citation, pmid of RESULT references
    has_results: bool = False


# --- reading the registry's JSON ----------------------------------------------------------------


def read_source(name: str, stdin: IO[bytes] | None) -> bytes:
    """The bytes of a file named on the command line (`-`: standard input), at most MAX_BYTES."""
    shown = "<stdin>" if name == "-" else shown_path(name)
    try:
        if name == "-":
            if stdin is None:  # started with standard input closed (`<&-`)
                raise RegistryError([f"{shown}: standard input is closed"])
            raw = stdin.read(MAX_BYTES + 1)
        else:
            with open(name, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a closed stream, a NUL in the name
        raise RegistryError([f"{shown}: cannot be read: {getattr(exc, 'strerror', None) or exc}"]) from None
    if len(raw) > MAX_BYTES:
        raise RegistryError([f"{shown}: more than {MAX_BYTES:,} bytes; no registry file is so large"])
    return raw


class _Refused(ValueError):
    """A JSON value the parser is not let build (an integer of thousands of digits)."""


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _Refused(f"a number of {digits:,} digits; no figure of a study has more than {MAX_DIGITS}")
    return int(text)


def _constant(text: str) -> float:
    raise _Refused(f"not valid JSON: {text} is not a number JSON allows")


def read_studies(raw: bytes, name: str) -> list[Study]:
    """One file's studies: a single study, an API page ({"studies": [...]}) or a JSON list of studies."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column, what = not_utf8(raw, exc)  # as a record file's message says it
        raise RegistryError([f"{name}:{line}:{column}: {what}"]) from None
    try:
        value = json.loads(text, parse_int=_integer, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise RegistryError([f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"]) from None
    except _Refused as exc:
        raise RegistryError([f"{name}: {exc}"]) from None
    except RecursionError:
        raise RegistryError([f"{name}: JSON nested too deeply to be a study record"]) from None
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
        lone = LONE_SURROGATE.search(value)
        if lone is not None:
            self.problem(
                path,
                f"holds \\u{ord(lone.group()):04x}, half of a UTF-16 surrogate pair and no character; "
                "the file is damaged",
            )
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
        count = None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            count = value
        elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
            count = int(value.strip())
        elif isinstance(value, float) and value.is_integer() and value >= 0:
            count = int(value)
        if count is None:
            self.problem(path, f"should be a count of participants, not {_kind(value)}")
        elif count > MAX_COUNT:
            # a count written as 1.5e300, or as text of a hundred digits, is not shown digit by digit
            shown = f"{count:,}" if count < 10**18 else f"a count of {len(str(count))} digits"
            self.problem(path, f"{shown} is more participants than any trial holds (at most {MAX_COUNT:,})")
            count = None
        return count

    def year(self, node: Any, path: str, *keys: str) -> int | None:
        text = self.text(node, path, *keys)
        if text is None:
            return None
        match = _YEAR.match(text)
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
    arm_groups = []
    for item, path in r.list(protocol, ppath, "armsInterventionsModule", "armGroups"):
        arm_label = r.text(item, path, "label")
        if arm_label is not None:
            arm_type = r.text(item, path, "type")
            arm_groups.append(ArmGroup(arm_label, arm_type, r.texts(item, path, "interventionNames")))
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
        arm_groups=tuple(arm_groups),
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
