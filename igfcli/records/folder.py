"""Find a data folder's files and load them: through the parse cache, in worker processes when many.

Loading never stops at the first problem: it returns the records it could
build together with every problem it found, so `igf validate` can list them
all and the other commands can refuse to compute on a folder with errors.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from igfcli.errors import SHOWN_PATH_MAX, Problem, Severity, shown_path
from igfcli.model import Agent, Catalog, Evidence, Trial
from igfcli.names import how_alike, id_key

if TYPE_CHECKING:
    # imported where they are used: a run answered from the parse cache never loads YAML, and
    # one without the cache never loads its reader
    from igfcli.records import yamldoc
    from igfcli.records.cache import FileResult

AGENTS_FILE = "agents.yaml"
RECORD_SUFFIXES = (".yaml", ".yml")
DATA_ENV = "IGF_DATA"


_PACKAGE = Path(__file__).resolve().parent.parent  # igfcli/, where a wheel puts trials/


def bundled_data() -> Path:
    """The evidence base shipped with the package (or, in a source checkout, the repo's trials/)."""
    return installed_data() or _PACKAGE.parent / "trials"


def installed_data() -> Path | None:
    """The evidence base inside an installed package, which an upgrade replaces; None in a source checkout."""
    installed = _PACKAGE / "trials"
    return installed if installed.is_dir() else None


class Loaded(msgspec.Struct):
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
    if len(os.fspath(path)) > SHOWN_PATH_MAX:
        return shown_path(path)  # no file has such a path; the message still fits on a screen
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    # a path that climbs out of the working folder reads better whole
    return str(path.absolute()) if relative.startswith("..") else relative


def trial_files(folder: Path, problems: list[Problem] | None = None) -> list[Path]:
    """Every record file below the folder except the catalog, in a stable order."""
    return [Path(file) for file, _ in record_files(folder, problems)]


def is_record_name(name: str) -> bool:
    """A record file's name: .yaml or .yml in any case, not hidden (the catalog aside)."""
    return not name.startswith(".") and name.lower().endswith(RECORD_SUFFIXES)


def record_files(folder: Path, problems: list[Problem] | None = None) -> list[tuple[str, str]]:
    """Every record file below the folder: its path, and its path inside the folder, in a stable order.

    A folder that cannot be read is an error in `problems`, never skipped in silence. A link
    to a folder is followed, unless its folder is read anyway (it is or lies in the data
    folder) or holds the data folder (a loop: a warning names it); a folder is walked once
    however many links lead to it. Paths stay strings: a folder of 10,000 records would
    spend more time building path objects than reading its parse cache.
    """
    found: list[tuple[str, str]] = []
    home = os.path.realpath(folder)
    walked: set[tuple[int, int]] = set()

    def refuse(path: str, message: str, severity: Severity = "error") -> None:
        if problems is not None:
            problems.append(Problem(display_path(Path(path), folder), None, None, "", message, severity))

    def walk(path: str, inside: str) -> None:
        # what os.path.join(inside, name) gives, for every name, in one step each
        prefix = os.path.join(inside, "") if inside else ""
        try:
            info = os.stat(path)
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            refuse(path, f"cannot be read: {exc.strerror or exc}; its records were not loaded")
            return
        if (info.st_dev, info.st_ino) in walked:
            return
        walked.add((info.st_dev, info.st_ino))
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()  # through a link
            except OSError:
                is_folder = False
            if is_folder:
                folders.append(entry)
            elif is_record_name(entry.name) and not (inside == "" and entry.name == AGENTS_FILE):
                found.append((entry.path, prefix + entry.name))
        for entry in folders:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if home.startswith(target.rstrip(os.sep) + os.sep):
                    refuse(
                        entry.path,
                        "is a link to a folder that holds the data folder; not followed",
                        "warning",
                    )
                    continue
                if target == home or target.startswith(home + os.sep):
                    continue  # its records are read where they are
            walk(entry.path, prefix + entry.name)

    walk(os.fspath(folder), "")
    return found


def load(folder: Path, *, use_cache: bool = True) -> Loaded:
    """Load and validate a whole data folder (through the parse cache unless it is turned off)."""
    problems: list[Problem] = []
    shown = display_path(folder, folder)
    try:
        info = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        return Loaded(None, [Problem(shown, None, None, "", "data folder not found")])
    except (OSError, ValueError) as exc:  # no permission, a name too long, a NUL in it
        message = f"cannot be read: {getattr(exc, 'strerror', None) or exc}"
        return Loaded(None, [Problem(shown, None, None, "", message)])
    if not stat.S_ISDIR(info.st_mode):
        return Loaded(None, [Problem(shown, None, None, "", "not a folder; --data names a folder")])

    agents_path = folder / AGENTS_FILE
    files = record_files(folder, problems)
    cache = None
    if use_cache:
        from igfcli.records.cache import ParseCache

        cache = ParseCache.open(folder, agents_path, files)
    catalog_shown = display_path(agents_path, folder)
    cached_catalog = cache.lookup_catalog(catalog_shown) if cache else None
    if cached_catalog is not None:
        agents, catalog_problems = cached_catalog
    else:
        agents, catalog_problems = _catalog_file(agents_path, folder)
        if cache and _passing(catalog_problems):
            cache = None  # the catalog may read next time, and every record is read against it
        elif cache:
            cache.store_catalog(agents, catalog_problems)
    problems.extend(catalog_problems)

    catalog = Catalog(agents)
    trials: list[Trial] = []
    first_seen: dict[str, Trial] = {}  # by id_key: ids that differ only in case are one trial's
    folder_shown = display_path(folder, folder)
    # as display_path would name each file, without its cost for every file of a large folder
    prefix = "" if folder_shown == "." else os.path.join(folder_shown, "")
    names = [prefix + inside for _, inside in files]
    results: list[FileResult | None] = [
        cache.lookup(inside, name) if cache else None for (_, inside), name in zip(files, names, strict=True)
    ]
    misses = [i for i, cached in enumerate(results) if cached is None]
    fresh = read_records([(files[i][0], names[i]) for i in misses], folder, catalog)
    for i, read in zip(misses, fresh, strict=True):
        results[i] = read
        if cache and not _passing(read[1]):
            cache.store(files[i][0], files[i][1], *read)
    for result in results:
        assert result is not None
        trial, file_problems, warnings = result
        problems.extend(file_problems)
        if trial is None:
            continue
        first = first_seen.setdefault(id_key(trial.id), trial)
        if first is not trial:
            problems.append(id_clash(trial, first))
            continue
        trials.append(trial)
        problems.extend(warnings)  # the evidence checks, on the records that are kept

    if cache:
        cache.save({inside for _, inside in files})

    evidence = Evidence(str(folder), tuple(agents), tuple(trials))
    problems.sort(key=lambda p: p.sort_key)
    return Loaded(evidence, problems)


def id_clash(trial: Trial, first: Trial) -> Problem:
    """The problem of a record whose id `first` has already (or one that is one with it)."""
    line, column = trial.location("id")
    message = (
        f"'{trial.id}' is also the id of {first.path}"
        if first.id == trial.id
        else f"'{trial.id}' differs {how_alike(trial.id, first.id)} from '{first.id}', the id of "
        f"{first.path}; they name one trial: rename one"
    )
    return Problem(trial.path, line, column, "id", message)


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

    for module in (
        "igfcli.records.checks",
        "igfcli.records.trials",
        "igfcli.records.yamldoc",
    ):  # loaded once here, inherited by every worker
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
    # the main process's handlers came with the fork: a worker ends quietly when the pool stops it
    for signum in signal.valid_signals():
        if callable(signal.getsignal(signum)):
            signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle


def _read_in_worker(file: str, name: str) -> FileResult:
    assert _WORKER is not None
    return read_record(file, name, *_WORKER)


def read_record(file: str, name: str, folder: Path, catalog: Catalog) -> FileResult:
    """One record file read, validated against the catalog, and checked."""
    from igfcli.records.checks import check_trial
    from igfcli.records.trials import read_trial

    path = Path(file)
    problems: list[Problem] = []
    doc = _read(path, folder, problems, name)
    trial = read_trial(doc, path, catalog, problems) if doc is not None else None
    warnings = [] if trial is None else check_trial(trial)
    if trial is not None:
        # the checks were the last readers of most positions: keep the id's, for a clash
        trial = replace(trial, locations={k: v for k, v in trial.locations.items() if k == "id"})
    return trial, problems, warnings


# How a file that could not be read (no permission, an I/O error) is refused: a result that may
# not last, so never kept in the parse cache.
UNREADABLE = "cannot be read"


def _passing(problems: Sequence[Problem]) -> bool:
    """Whether a file's result may change with nothing written to it: it could not be read."""
    return any(p.line is None and p.message.startswith(UNREADABLE + ":") for p in problems)


def _catalog_file(agents_path: Path, folder: Path) -> tuple[list[Agent], list[Problem]]:
    """The agent catalog of a folder, and every problem with it."""
    problems: list[Problem] = []
    try:
        os.lstat(agents_path)
    except FileNotFoundError:
        message = f"missing: a data folder needs {AGENTS_FILE}, the agent catalog"
        return [], [Problem(display_path(agents_path, folder), None, None, "", message)]
    except OSError:
        pass  # no permission to look: reading it says so
    doc = _read(agents_path, folder, problems)
    from igfcli.records.agents import read_agents

    return (read_agents(doc, problems) if doc is not None else []), problems


def _read(
    path: Path, folder: Path, problems: list[Problem], shown: str | None = None
) -> yamldoc.Document | None:
    from igfcli.records import yamldoc

    shown = shown or display_path(path, folder)

    def refuse(message: str) -> None:
        problems.append(Problem(shown, None, None, "", message))

    try:
        try:
            info = os.stat(path)
        except OSError as exc:
            if not os.path.islink(path):
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
        with open(path, "rb") as handle:
            # Asked for its size and one byte more, not for the limit: a buffer of the limit's
            # size for every file cost a tenth of a cold run. A file that grew since stat()
            # is still read no further than the limit.
            raw = handle.read(info.st_size + 1)
            if len(raw) > info.st_size:
                raw += handle.read(yamldoc.MAX_FILE_BYTES + 1 - len(raw))
    except OSError as exc:
        refuse(f"{UNREADABLE}: {exc.strerror or exc}")
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
