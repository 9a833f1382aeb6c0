"""Find a data folder's files, parse them, validate every field, and build the evidence base.

Loading never stops at the first problem: it returns the records it could
build together with every problem it found, so `igf validate` can list them
all and the other commands can refuse to compute on a folder with errors.
"""

from __future__ import annotations

import datetime as dt
import difflib
import errno
import math
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from igfcli.errors import Problem
from igfcli.model import (
    PHASES,
    STATUSES,
    WEEKS_PER_MONTH,
    Agent,
    AlsoReported,
    Cohort,
    Evidence,
    PfsPoint,
    Rate,
    Response,
    Source,
    Trial,
)
from igfcli.stats import RateError, parse_rate

if TYPE_CHECKING:
    # imported where a file is parsed: a run answered from the parse cache never loads YAML
    from igfcli import yamldoc

AGENTS_FILE = "agents.yaml"
DATA_ENV = "IGF_DATA"

AGENT_KEYS = {
    "name",
    "codes",
    "class",
    "sponsor",
    "parent",
    "status",
    "status_as_of",
    "status_reason",
    "status_source",
}
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
# Imported and new records mark what a curator must still fill in; such a record fails validation.
TODO = "TODO"


def is_todo(text: str) -> bool:
    """A value left for a curator ("TODO" or "TODO: ..."), as imported and new records mark them."""
    text = text.strip()
    return text == TODO or text.startswith(TODO + ":")


def bundled_data() -> Path:
    """The evidence base shipped with the package (or, in a source checkout, the repo's trials/)."""
    return installed_data() or Path(__file__).resolve().parent.parent / "trials"


def installed_data() -> Path | None:
    """The evidence base inside an installed package, which an upgrade replaces; None in a source checkout."""
    installed = Path(__file__).resolve().parent / "trials"
    return installed if installed.is_dir() else None


def resolve_folder(data: str | os.PathLike[str] | None) -> Path:
    """--data, else $IGF_DATA, else the bundled records."""
    if data:
        return Path(data)
    from_env = os.environ.get(DATA_ENV)
    if from_env:
        return Path(from_env)
    return bundled_data()


@dataclass
class Loaded:
    """What a folder gave: the evidence (None when nothing could be built) and every problem."""

    evidence: Evidence | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def display_path(path: Path, folder: Path) -> str:
    """How a file is named in messages: as the user would reach it from here."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    # a path that climbs out of the working folder reads better whole
    return str(path.absolute()) if relative.startswith("..") else relative


def trial_files(folder: Path) -> list[Path]:
    """Every *.yaml / *.yml below the folder except the catalog, in a stable order."""
    return [Path(file) for file, _ in record_files(folder)]


def record_files(folder: Path) -> list[tuple[str, str]]:
    """Every record file below the folder: its path, and its path inside the folder, in a stable order.

    Paths stay strings: a folder of 10,000 records would spend more time building
    path objects than reading its parse cache.
    """
    found: list[tuple[str, str]] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        inside = os.path.relpath(root, folder)  # once a folder, not once a file
        for name in sorted(files):
            if name.startswith(".") or not name.endswith((".yaml", ".yml")):
                continue
            if inside == "." and name == AGENTS_FILE:
                continue
            found.append((os.path.join(root, name), name if inside == "." else os.path.join(inside, name)))
    return found


def load(folder: Path, *, use_cache: bool = True) -> Loaded:
    """Load and validate a whole data folder (through the parse cache unless it is turned off)."""
    problems: list[Problem] = []
    shown = display_path(folder, folder)
    if not folder.exists():
        return Loaded(None, [Problem(shown, None, None, "", "data folder not found")])
    if not folder.is_dir():
        return Loaded(None, [Problem(shown, None, None, "", "not a folder; --data names a folder")])

    agents_path = folder / AGENTS_FILE
    cache = None
    if use_cache:
        from igfcli.cache import ParseCache

        cache = ParseCache.open(folder, agents_path)
    catalog_shown = display_path(agents_path, folder)
    cached_catalog = cache.lookup_catalog(catalog_shown) if cache else None
    if cached_catalog is not None:
        agents, catalog_problems = cached_catalog
    else:
        agents, catalog_problems = _catalog_file(agents_path, folder)
        if cache:
            cache.store_catalog(agents, catalog_problems)
    problems.extend(catalog_problems)

    catalog = Catalog(agents)
    trials: list[Trial] = []
    first_seen: dict[str, str] = {}
    files = record_files(folder)
    folder_shown = display_path(folder, folder)
    # as display_path would name each file, without its cost for every file of a large folder
    names = [inside if folder_shown == "." else os.path.join(folder_shown, inside) for _, inside in files]
    results: list[FileResult | None] = [
        cache.lookup(file, inside, name) if cache else None
        for (file, inside), name in zip(files, names, strict=True)
    ]
    misses = [i for i, cached in enumerate(results) if cached is None]
    fresh = read_records([(files[i][0], names[i]) for i in misses], folder, catalog)
    for i, read in zip(misses, fresh, strict=True):
        results[i] = read
        if cache:
            cache.store(files[i][0], files[i][1], *read)
    for result in results:
        assert result is not None
        trial, file_problems, warnings = result
        problems.extend(file_problems)
        if trial is None:
            continue
        if trial.id in first_seen:
            line, column = trial.location("id")
            problems.append(
                Problem(
                    trial.path, line, column, "id", f"'{trial.id}' is also the id of {first_seen[trial.id]}"
                )
            )
            continue
        first_seen[trial.id] = trial.path
        trials.append(trial)
        problems.extend(warnings)  # the evidence checks, on the records that are kept

    if cache:
        cache.save({inside for _, inside in files})

    evidence = Evidence(str(folder), tuple(agents), tuple(trials))
    problems.sort(key=lambda p: p.sort_key)
    return Loaded(evidence, problems)


# A record file's result: the trial (None when it has errors), its problems, its check warnings.
FileResult = tuple[Trial | None, list[Problem], list[Problem]]
# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_FROM = 400


def read_records(jobs: list[tuple[str, str]], folder: Path, catalog: Catalog) -> list[FileResult]:
    """Read, validate and check record files (path, name in messages), in worker processes when many.

    Each file is independent of the others once the catalog is known, so a large folder
    is shared among the machine's cores; the results come back in the order asked.
    """
    workers = usable_cores()
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [read_record(file, name, folder, catalog) for file, name in jobs]
    import importlib
    import multiprocessing

    for module in ("igfcli.checks", "igfcli.yamldoc"):  # loaded once here, inherited by every worker
        importlib.import_module(module)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(workers, initializer=_worker_started, initargs=(folder, catalog)) as pool:
        return pool.starmap(_read_in_worker, jobs, chunksize=max(1, len(jobs) // (workers * 8)))


def usable_cores() -> int:
    """The cores this process may run on (at most 8: reading files does not scale further)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, 8)


_WORKER: tuple[Path, Catalog] | None = None


def _worker_started(folder: Path, catalog: Catalog) -> None:
    import signal

    global _WORKER
    _WORKER = (folder, catalog)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle


def _read_in_worker(file: str, name: str) -> FileResult:
    assert _WORKER is not None
    return read_record(file, name, *_WORKER)


def read_record(file: str, name: str, folder: Path, catalog: Catalog) -> FileResult:
    """One record file read, validated against the catalog, and checked."""
    from igfcli.checks import check_trial  # the checks build on the model this module makes

    path = Path(file)
    problems: list[Problem] = []
    doc = _read(path, folder, problems, name)
    trial = _trial(doc, path, catalog, problems) if doc is not None else None
    warnings = [] if trial is None else check_trial(trial)
    if trial is not None:
        # the checks were the last readers of most positions: keep the id's, for a clash
        trial = replace(trial, locations={k: v for k, v in trial.locations.items() if k == "id"})
    return trial, problems, warnings


def _catalog_file(agents_path: Path, folder: Path) -> tuple[list[Agent], list[Problem]]:
    """The agent catalog of a folder, and every problem with it."""
    problems: list[Problem] = []
    if not agents_path.exists() and not agents_path.is_symlink():
        message = f"missing: a data folder needs {AGENTS_FILE}, the agent catalog"
        return [], [Problem(display_path(agents_path, folder), None, None, "", message)]
    doc = _read(agents_path, folder, problems)
    return (_agents(doc, problems) if doc is not None else []), problems


def _read(
    path: Path, folder: Path, problems: list[Problem], shown: str | None = None
) -> yamldoc.Document | None:
    from igfcli import yamldoc

    shown = shown or display_path(path, folder)

    def refuse(message: str) -> None:
        problems.append(Problem(shown, None, None, "", message))

    try:
        try:
            info = path.stat()
        except OSError as exc:
            if not path.is_symlink():
                raise
            if exc.errno == errno.ELOOP:
                refuse("is a symbolic link that loops back on itself; remove it or point it at a file")
            else:
                refuse(f"is a symbolic link to {os.readlink(path)}, which does not exist; remove or fix it")
            return None
        if stat.S_ISDIR(info.st_mode):
            refuse("is a folder, not a record file")
            return None
        if not stat.S_ISREG(info.st_mode):
            # reading a pipe or a device could wait for ever or never end
            refuse("is not a regular file (a pipe, socket or device); a record is a file")
            return None
        if info.st_size > yamldoc.MAX_FILE_BYTES:
            refuse(f"file is {info.st_size:,} bytes, more than the limit of {yamldoc.MAX_FILE_BYTES:,}")
            return None
        with path.open("rb") as handle:
            # a file that grew since stat() is still read no further than the limit
            raw = handle.read(yamldoc.MAX_FILE_BYTES + 1)
    except OSError as exc:
        refuse(f"cannot be read: {exc.strerror or exc}")
        return None
    doc, parse_problems = yamldoc.parse(shown, raw)
    problems.extend(parse_problems)
    if doc is not None and not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else f"a single value ({doc.data!r})"
        problems.append(
            Problem(shown, 1, 1, "", f"the file holds {kind}; a record is a mapping of keys to values")
        )
        return None
    return doc


class Catalog:
    """Resolves agent names and codes, case-insensitively, to canonical agent names."""

    def __init__(self, agents: Iterable[Agent]) -> None:
        self.agents = list(agents)
        self._names: dict[str, str] = {}
        for agent in self.agents:
            for label in (agent.name, *agent.codes):
                self._names.setdefault(label.casefold(), agent.name)

    def resolve(self, label: str) -> str | None:
        return self._names.get(label.casefold())

    def suggest(self, label: str) -> str:
        close = difflib.get_close_matches(label.casefold(), list(self._names), n=1)
        return f"; did you mean {self._names[close[0]]}?" if close else ""


# --- field readers ---------------------------------------------------------------------------


def _field_name(path: yamldoc.Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if value is None:
        return "empty (null)"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return f"text ('{value}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


class _Reader:
    """Reads typed fields out of one document, recording a located problem for each bad one."""

    def __init__(self, doc: yamldoc.Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def problem(self, path: yamldoc.Path, message: str, *, at_key: bool = False) -> None:
        line, column = self.doc.key_mark(path) if at_key else self.doc.mark(path)
        self.problems.append(Problem(self.doc.path, line, column, _field_name(path), message))

    def get(self, path: yamldoc.Path) -> Any:
        value: Any = self.doc.data
        for part in path:
            value = value[part]
        return value

    def mapping(
        self, path: yamldoc.Path, value: Any, allowed: set[str], required: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"should be a mapping of keys to values, not {_describe(value)}")
            return None
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = (
                    f"; did you mean '{close[0]}'?"
                    if close
                    else f"; known keys: {', '.join(sorted(allowed))}"
                )
                self.problem((*path, key), f"unknown key '{key}'{hint}", at_key=True)
        for key in required:
            if key not in value:
                where = _field_name(path)
                self.problem(path, f"missing required key '{key}'" + (f" in {where}" if where else ""))
            elif value[key] is None:
                self.problem((*path, key), "is empty (null); a value is required")
        return value

    def text(self, path: yamldoc.Path, value: Any, *, allow_empty: bool = False) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.doc.texts.get(path, str(value))  # an id or code such as 2007 reads as text
        if not isinstance(value, str):
            self.problem(path, f"should be text, not {_describe(value)}")
            return None
        if not value.strip() and not allow_empty:
            self.problem(path, "is empty")
            return None
        if is_todo(value):
            self.problem(path, f"'{value.strip()}' is left for a curator: fill in this field or remove it")
            return None
        return value

    def texts(self, path: yamldoc.Path, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            self.problem(path, f"should be a list, such as [{value}]")
            return ()
        if not isinstance(value, list):
            self.problem(path, f"should be a list of text, not {_describe(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            text = self.text((*path, i), item)
            if text is not None:
                out.append(text)
        return tuple(out)

    def count(self, path: yamldoc.Path, value: Any) -> int | None:
        """A count of patients: a non-negative whole number, written as one."""
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer() and value >= 0:
                self.problem(path, f"{self.doc.texts.get(path, value)} is not a count; write {int(value)}")
            elif isinstance(value, str) and value.strip().isdigit():
                self.problem(
                    path, f"a count written as text ('{value}'); write {value.strip()} without quotes"
                )
            else:
                self.problem(path, f"should be a whole number of patients, not {self.describe(path, value)}")
            return None
        if value < 0:
            self.problem(path, f"{value} is negative; a count is 0 or more")
            return None
        return value

    def number(self, path: yamldoc.Path, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"should be a number, not {_describe(value)}")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(path, f"{self.doc.texts.get(path, value)} is not a finite number")
            return None
        if value <= 0:
            self.problem(path, f"{value} should be more than 0")
            return None
        return float(value)

    def describe(self, path: yamldoc.Path, value: Any) -> str:
        """A value as the file wrote it, where YAML read it as something else (`yes`, `.nan`)."""
        written = self.doc.texts.get(path)
        if isinstance(value, bool) and written is not None and written.lower() not in ("true", "false"):
            return f"'{written}' (YAML reads it as {'true' if value else 'false'})"
        if isinstance(value, float) and not math.isfinite(value) and written is not None:
            return f"{written} (not a finite number)"
        return _describe(value)

    def rate(self, path: yamldoc.Path, value: Any) -> Rate | None:
        if isinstance(value, bool):
            self.problem(path, f"should be a rate such as 14.2%, not {self.describe(path, value)}")
            return None
        try:
            return parse_rate(value, self.doc.texts.get(path))
        except RateError as exc:
            if isinstance(value, (dt.date, dt.datetime)):
                self.problem(path, f"should be a rate such as 14.2%, not {_describe(value)}")
            else:
                self.problem(path, str(exc))
            return None

    def year(self, path: yamldoc.Path, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            self.problem(path, f"should be a year such as 2014, not {_describe(value)}")
            return None
        return value

    def choice(self, path: yamldoc.Path, value: Any, choices: tuple[str, ...]) -> str | None:
        text = self.text(path, value)
        if text is None:
            return None
        if text not in choices:
            quoted = ", ".join(f'"{c}"' for c in choices)
            self.problem(path, f"'{text}' is not one of {quoted}")
            return None
        return text

    def optional(
        self,
        mapping: dict[str, Any],
        path: yamldoc.Path,
        key: str,
        read: Callable[[yamldoc.Path, Any], Any],
    ) -> Any:
        if key not in mapping or mapping[key] is None:
            return None
        return read((*path, key), mapping[key])


# --- the catalog -----------------------------------------------------------------------------


def _agents(doc: yamldoc.Document, problems: list[Problem]) -> list[Agent]:
    r = _Reader(doc, problems)
    top = r.mapping((), doc.data, {"agents"}, ("agents",))
    if top is None or "agents" not in top:
        return []
    entries = top["agents"]
    if not isinstance(entries, list):
        r.problem(("agents",), f"should be a list of agents, not {_describe(entries)}")
        return []
    if not entries:
        r.problem(("agents",), "the catalog lists no agents")
        return []
    agents: list[Agent] = []
    seen: dict[str, tuple[str, int]] = {}  # casefolded label -> (agent name, line)
    for i, entry in enumerate(entries):
        path: yamldoc.Path = ("agents", i)
        m = r.mapping(path, entry, AGENT_KEYS, ("name",))
        if m is None:
            continue
        name = r.optional(m, path, "name", r.text)
        codes = r.optional(m, path, "codes", r.texts) or ()
        status = r.optional(m, path, "status", lambda p, v: r.choice(p, v, STATUSES))
        if name is None:
            continue
        for j, label in enumerate((name, *codes)):
            label_path = (*path, "name") if j == 0 else (*path, "codes", j - 1)
            key = label.casefold()
            if key in seen:
                other, line = seen[key]
                what = "name" if j == 0 else "code"
                r.problem(label_path, f"{what} '{label}' is already used by {other} (line {line})")
            else:
                seen[key] = (name, doc.mark(label_path)[0])
        agents.append(
            Agent(
                name=name,
                codes=tuple(codes),
                drug_class=r.optional(m, path, "class", r.text),
                sponsor=r.optional(m, path, "sponsor", r.text),
                parent=r.optional(m, path, "parent", r.text),
                status=status or "unknown",
                status_as_of=r.optional(m, path, "status_as_of", r.year),
                status_reason=r.optional(m, path, "status_reason", r.text),
                status_source=r.optional(m, path, "status_source", r.text),
            )
        )
    return agents


# --- trial records ---------------------------------------------------------------------------


def _trial(doc: yamldoc.Document, file: Path, catalog: Catalog, problems: list[Problem]) -> Trial | None:
    start = len(problems)
    r = _Reader(doc, problems)
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
    locations = {_field_name(path): mark for path, mark in doc.marks.items() if path and path[0] in _LOCATED}
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


def _regimen(r: _Reader, m: dict[str, Any], catalog: Catalog) -> tuple[str, ...]:
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


def _response(r: _Reader, parent: dict[str, Any], at: yamldoc.Path, enrolled: int | None) -> Response | None:
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


def _also_reported(r: _Reader, m: dict[str, Any], at: yamldoc.Path) -> tuple[AlsoReported, ...]:
    if m.get("also_reported") is None:
        return ()
    path = (*at, "also_reported")
    items = m["also_reported"]
    if not isinstance(items, list):
        r.problem(path, f"should be a list, not {_describe(items)}")
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
    r: _Reader, parent: dict[str, Any], at: yamldoc.Path, enrolled: int | None
) -> tuple[PfsPoint, ...]:
    path = (*at, "pfs")
    if parent.get("pfs") is None:
        return ()
    items = parent["pfs"]
    if not isinstance(items, list):
        r.problem(path, f"should be a list of time points, not {_describe(items)}")
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


def _cohorts(r: _Reader, m: dict[str, Any]) -> tuple[Cohort, ...]:
    if m.get("cohorts") is None:
        return ()
    items = m["cohorts"]
    if not isinstance(items, list):
        r.problem(("cohorts",), f"should be a list of cohorts, not {_describe(items)}")
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


def _sources(r: _Reader, m: dict[str, Any]) -> tuple[Source, ...]:
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
