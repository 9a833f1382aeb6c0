"""New trial records as YAML text: the values given, and every other field as a commented hint.

The writer is deliberately small: records hold only mappings, lists, text and
whole numbers, and a hand-written record needs comments, which a YAML library
does not write. Every value a curator must still supply is the marker TODO, which
the loader refuses, so an unfinished record cannot slip into an analysis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from igfcli.errors import BadValue, Problem
from igfcli.model import Catalog
from igfcli.names import escape_invisible
from igfcli.records.fields import TODO

# Text that YAML reads back unchanged without quotes; anything else is written
# as a JSON string, which is also a valid YAML double-quoted scalar.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._()/+'-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}

Value = str | int | None


def scalar(value: Value) -> str:
    """One value as YAML text that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # pragma: no cover - records never write booleans
        raise TypeError("booleans are not record values")
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and value == value.strip() and value.casefold() not in _YAML_WORDS:
        return value
    return escape_invisible(json.dumps(value, ensure_ascii=False))  # a JSON string is a YAML quoted one


def comment_text(text: str) -> str:
    """Text for a comment (a registry's name of a drug, say), with each character no reader can see
    written as an escape: the record stays one YAML reads, and one a terminal shows as it is."""
    return escape_invisible(text)


def flow_list(values: Sequence[Value]) -> str:
    """A short list on one line: [a, b]."""
    return "[" + ", ".join(scalar(v) for v in values) + "]"


@dataclass
class RecordText:
    """A trial record being written line by line, with comments where a curator needs them."""

    lines: list[str] = field(default_factory=list)

    def comment(self, text: str = "", indent: int = 0) -> None:
        pad = " " * indent
        for line in text.split("\n"):
            self.lines.append(f"{pad}# {comment_text(line)}".rstrip())

    def field(self, key: str, value: Value, note: str = "", indent: int = 0) -> None:
        line = f"{' ' * indent}{key}: {scalar(value)}"
        self.lines.append(f"{line}  # {comment_text(note)}" if note else line)

    def item(self, value: Value, note: str = "", indent: int = 0) -> None:
        line = f"{' ' * indent}- {scalar(value)}"
        self.lines.append(f"{line}  # {comment_text(note)}" if note else line)

    def list_field(self, key: str, values: Sequence[Value], indent: int = 0) -> None:
        pad = " " * indent
        one_line = f"{pad}{key}: {flow_list(values)}"
        if len(one_line) <= 100:
            self.lines.append(one_line)
            return
        self.lines.append(f"{pad}{key}:")
        self.lines.extend(f"{pad}  - {scalar(v)}" for v in values)

    def sources(self, sources: Sequence[dict[str, str]], hint_missing: bool = False) -> None:
        """The sources list; with hint_missing, each source's absent identifiers as comments."""
        self.lines.append("sources:")
        for source in sources:
            first = True
            for key in ("citation", "doi", "pmid", "nct", "eudract", "url"):
                lead = "  - " if first else "    "
                if key in source:
                    self.lines.append(f"{lead}{key}: {scalar(source[key])}")
                    first = False
                elif hint_missing:
                    self.lines.append(f"    # {key}: {TODO}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# The optional fields of a trial record, as commented hints: uncommented as they
# stand, each TODO fails validation until a curator writes the real value.
HINTS: dict[str, str] = {
    "condition": f"condition: {TODO}             # the disease, e.g. sarcoma",
    "histologies": f"histologies: [{TODO}]        # e.g. [Ewing sarcoma, osteosarcoma]",
    "enrolled": f"enrolled: {TODO}              # patients enrolled (a count)",
    "response": "\n".join(
        [
            "response:",
            f"  criteria: {TODO}            # e.g. RECIST 1.1",
            f"  evaluable: {TODO}           # patients evaluable for response (a count)",
            f"  responders: {TODO}          # complete + partial responses (a count)",
            f"  reported_rate: {TODO}       # the rate as printed, e.g. 14.2%",
            "  also_reported:",
            f"    - {{rate: {TODO}, of: {TODO}, source: {TODO}}}   # as another source printed it",
        ]
    ),
    "pfs": "\n".join(
        [
            "pfs:                         # progression-free rates; exactly one of weeks or months each",
            f"  - {{weeks: {TODO}, rate: {TODO}, evaluable: {TODO}}}",
        ]
    ),
    "cohorts": "\n".join(
        [
            "cohorts:",
            f"  - name: {TODO}",
            f"    histologies: [{TODO}]",
            f"    enrolled: {TODO}",
            f"    response: {{evaluable: {TODO}, responders: {TODO}}}",
            f"    pfs: [{{months: {TODO}, rate: {TODO}}}]",
        ]
    ),
    "arms": "\n".join(
        [
            "arms:                        # a randomised trial's arms; comparisons name them",
            f"  - name: {TODO}",
            f"    regimen: [{TODO}]         # catalog agents, each in the trial's regimen; [] for none",
            f"    backbone: {TODO}          # what else every patient of the arm got, e.g. placebo",
            f"    role: {TODO}              # experimental or control",
            f"    enrolled: {TODO}",
        ]
    ),
    "comparisons": "\n".join(
        [
            "comparisons:                 # hazard ratios, experimental arm against control arm",
            f"  - endpoint: {TODO}          # PFS, OS, EFS, ...",
            f"    experimental: {TODO}      # an arm's name",
            f"    control: {TODO}",
            f"    hr: {TODO}                # as printed, with its interval",
            f"    ci_low: {TODO}",
            f"    ci_high: {TODO}",
            f'    p: {TODO}                 # optional; a bound as text, "<0.001"',
            f"    source: {TODO}",
        ]
    ),
    "notes": f"notes: {TODO}",
}


@dataclass(frozen=True)
class NewTrial:
    """What `igf new` was given: the required fields and any optional ones."""

    id: str
    title: str
    regimen: tuple[str, ...]
    phase: str
    citation: str
    condition: str | None = None
    histologies: tuple[str, ...] = ()
    enrolled: int | None = None
    identifiers: dict[str, str] = field(default_factory=dict)  # doi, pmid, nct, eudract, url


def new_record(trial: NewTrial) -> str:
    """The YAML text of a new record: valid as written, with every other field as a hint."""
    out = RecordText()
    out.comment(
        "Trial record. The commented lines are the optional fields: remove the '# '\n"
        "and replace TODO to use one (a TODO left in fails `igf validate`)."
    )
    out.field("id", trial.id)
    out.field("title", trial.title)
    out.list_field("regimen", trial.regimen)
    out.field("phase", trial.phase)
    if trial.condition is not None:
        out.field("condition", trial.condition)
    else:
        out.comment(HINTS["condition"])
    if trial.histologies:
        out.list_field("histologies", trial.histologies)
    else:
        out.comment(HINTS["histologies"])
    if trial.enrolled is not None:
        out.field("enrolled", trial.enrolled)
    else:
        out.comment(HINTS["enrolled"])
    for key in ("response", "pfs", "cohorts", "arms", "comparisons"):
        out.comment(HINTS[key])
    out.sources([{"citation": trial.citation, **trial.identifiers}], hint_missing=True)
    out.comment(HINTS["notes"])
    return out.text()


def uncommented(text: str) -> str:
    """The record with every hint switched on (for tests and for curators who want them all)."""
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("# ") and _is_hint(stripped[2:]):
            lines.append(indent + stripped[2:])
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def _is_hint(text: str) -> bool:
    # a hint is a key (`enrolled: TODO`) or the indented continuation of one; prose is neither
    return bool(re.match(r"[a-z_]+:|\s", text))


def parse_list(value: str) -> tuple[str, ...]:
    """A comma-separated option value ("figitumumab, CP-751871") as a list of labels."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def regimen_labels(values: Sequence[str], catalog: Catalog) -> list[str]:
    """The agents' labels --regimen gives: each value one label where the catalog knows it whole
    (a code with a comma in it, CP-751,871), else its comma-separated parts."""
    labels: list[str] = []
    for value in values:
        labels += [value.strip()] if catalog.resolve(value.strip()) is not None else parse_list(value)
    return labels


def check_id(trial_id: str) -> None:
    """Refuse an id that cannot be a record's file name on every system (igf validate takes any id
    equal to its file name; what igf new writes should open anywhere, so it keeps to ASCII)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", trial_id) or trial_id.lower().endswith(
        (".yaml", ".yml")
    ):
        raise BadValue(
            "id",
            f"'{trial_id}' cannot be an id: use ASCII letters (a-z, A-Z), digits, '-', '_' and '.', "
            "starting with a letter or digit, without .yaml",
        )
    if trial_id.casefold() == "agents":  # its file would be the folder's agent catalog, agents.yaml
        raise BadValue("id", f"'{trial_id}' cannot be an id: agents.yaml is the folder's agent catalog")


def resolve_regimen(labels: Sequence[str], catalog: Catalog) -> tuple[str, ...]:
    """The canonical agents that `labels` name, each once, in order; a label the catalog lacks is refused."""
    names: list[str] = []
    for label in labels:
        name = catalog.resolve(label)
        if name is None:
            raise BadValue("regimen", catalog.unknown(label))
        if name in names:
            raise BadValue("regimen", f"'{label}' is {name}, already in the regimen")
        names.append(name)
    if not names:
        raise BadValue("regimen", "name at least one agent")
    return tuple(names)


def record_errors(text: str, file_name: str, catalog: Catalog) -> list[Problem]:
    """The errors `igf validate` would find in a record about to be written as `file_name`: what
    came in from the command line (an empty title, a citation left TODO) is held to the same rules
    as a record written by hand, before anything is written."""
    from pathlib import Path

    from igfcli.records import yamldoc
    from igfcli.records.trials import read_trial

    doc, problems = yamldoc.parse(file_name, text.encode("utf-8"))
    if doc is not None:
        read_trial(doc, Path(file_name), catalog, problems)
    return [p for p in problems if p.severity == "error"]
