"""The parse cache: each file's validated result, reused while the file is unchanged.

One file per data folder under the user's cache directory, in JSON lines: a
header, then one line for each record file, then the seal (records/seal.py), a
keyed checksum of every line above it that only this user's igf can make. An
entry is used only when the seal holds, and the record file's size,
modification time, change time and inode, the agent catalog's, the cache
format, the igf version and the modules that decide a record's result all
still match; anything else (edited, forged, truncated, another program's,
another folder's) is discarded and the cache rebuilt. JSON, not pickle, and
read by msgspec, which checks every value against the model's types: even a
file that is not igf's can never run code or crash a reader. Writes go to a
temporary file renamed into place, so two processes writing at once leave one
whole cache, never a mix.

The modification time alone can be put back (`touch -d`, `rsync -t`, unpacking
an archive do), so an edit at the same size would go unseen; the change time and
the inode cannot be set by a user, and any write or rename changes one of them,
as git's index relies on.

A file changed twice within one tick of the file system's clock keeps all of
these; if the cache had read it between the two writes it would never notice the
second. So, as git does with its index, a file modified less than RACY_SECONDS
before it was read (by this machine's clock) is not cached: it is simply read
again next time.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
from msgspec.structs import force_setattr
from msgspec.structs import replace as replace_struct

from igfcli import __version__
from igfcli.errors import Problem
from igfcli.model import Agent, Trial
from igfcli.records import seal
from igfcli.records.cachedir import TooLarge, regular_lines, sweep

FORMAT = "igfcli-parse-cache"
FORMAT_VERSION = 7
ENV_OFF = "IGF_NO_CACHE"
# Coarser than any file system's timestamps (FAT keeps 2 s). The file's times are the file
# system's clock and the window is this machine's: a share whose clock runs more than this
# behind defeats it (docs/speed.md says so).
RACY_SECONDS = 3


# size, modification time, change time and inode
Signature = tuple[int, int, int, int]


class Entry(msgspec.Struct):
    """One record file's result, and the path and signature of the file it was read from.

    The model's structs are written as JSON objects of their own fields, and read
    back into the same structs by msgspec, which refuses a value of another type
    (a count as text, a boolean for a number) as it reads.
    """

    key: str
    file: Signature
    # tuples: a record file with no problem, most of them, shares the one empty tuple
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    trial: Trial | None


# A record file's result: the trial (None when it has errors), its problems, its check warnings.
FileResult = tuple[Trial | None, Sequence[Problem], Sequence[Problem]]


class CatalogResult(msgspec.Struct):
    agents: list[Agent]
    problems: tuple[Problem, ...]


class _Head(msgspec.Struct, forbid_unknown_fields=True):
    """A cache file's first line: what it was made from, and the agent catalog's result as its JSON text."""

    format: Any
    version: Any
    igf: Any
    python: Any
    code: Any
    folder: Any
    catalog: Any
    catalog_result: msgspec.Raw


_READ_HEAD = msgspec.json.Decoder(_Head)
_READ_ENTRY = msgspec.json.Decoder(Entry)
_READ_CATALOG = msgspec.json.Decoder(CatalogResult)
_WRITE = msgspec.json.Encoder()
# what a cache file can hold that this version does not write: any of them discards it
_UNREADABLE = (msgspec.DecodeError, RecursionError, TooLarge, OSError)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "igfcli"


def disabled_by_environment() -> bool:
    return os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no")


# A cache file is never larger than this: a base, and for each record file a part of its own and a
# multiple of its size (JSON escapes a control character in six bytes); anything bigger is not one
# this version wrote, and is discarded unread.
MAX_BYTES_BASE = 1024 * 1024
MAX_BYTES_PER_FILE = 64 * 1024
MAX_BYTES_PER_BYTE = 16


def _signature(path: str | Path) -> Signature | None:
    """Size, modification time, change time and inode of a regular file; None for anything else."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


# The modules whose code decides what a record file yields, or how the cache is read and sealed: a
# cache made by other code (a source checkout after a pull, an edited install) is not used, even
# at the same version.
_DECIDING = (
    "../beta.py",
    "../errors.py",
    "../hazards.py",
    "../model.py",
    "../names.py",
    "../sharing.py",
    "../stats.py",
    "agents.py",
    "arms.py",
    "cache.py",
    "cachedir.py",
    "checks.py",
    "fields.py",
    "figures.py",
    "folder.py",
    "seal.py",
    "trials.py",
    "yamldoc.py",
)


def _code_signature() -> list[list[int] | None]:
    here = Path(__file__).parent
    return [_as_json(_signature(here / name)) for name in _DECIDING]


def _as_json(signature: Signature | None) -> list[int] | None:
    """A signature as the header holds it, and as JSON reads it back: a list."""
    return None if signature is None else list(signature)


def cache_file(folder: Path) -> Path:
    """Where a folder's cache lives: its name for people, a checksum of its path to keep folders apart.

    The file's header names the folder in full, so two folders whose checksums collide
    only ever cost a rebuild, never each other's results.
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", folder.name)[:40] or "root"
    return cache_dir() / f"{name}-{zlib.crc32(os.fsencode(folder)):08x}.json"


class ParseCache:
    """The cached results of one data folder, read once and written back once."""

    def __init__(
        self, folder: Path, catalog_file: Path, catalog: Signature, files: list[tuple[str, str]]
    ) -> None:
        self.folder = folder.resolve()
        self.file = cache_file(self.folder)
        self.catalog_file = catalog_file
        # files modified after this (less a clock tick) may change again unseen: not cached
        self.racy_after = time.time_ns() - RACY_SECONDS * 1_000_000_000
        self.header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "igf": __version__,
            # Python's own: what it calls unprintable or unassigned (Unicode's version) decides a
            # record's result, and moves with Python's minor version
            "python": list(sys.version_info[:2]),
            "code": _code_signature(),
            "folder": str(self.folder),
            "catalog": _as_json(catalog),
        }
        self.catalog: msgspec.Raw | None = None
        # each record file's signature, taken once: the cache file's size limit and the lookups use them
        self.signatures = {inside: _signature(file) for file, inside in files}
        self.limit = MAX_BYTES_BASE + sum(
            MAX_BYTES_PER_FILE + MAX_BYTES_PER_BYTE * (s[0] if s else 0) for s in self.signatures.values()
        )
        self.entries: dict[str, Entry] = {}  # as read, until a lookup takes each
        # what this run found for each file, cached or read: what save() writes
        self.results: dict[str, Entry] = {}
        self.changed = False
        self._read()

    @classmethod
    def open(cls, folder: Path, catalog_file: Path, files: list[tuple[str, str]]) -> ParseCache | None:
        """The cache of a folder's record `files` (path, path inside the folder), or None when it is
        turned off or the folder has no catalog file to key it."""
        if disabled_by_environment():
            return None
        catalog = _signature(catalog_file)
        if catalog is None:
            return None
        return cls(folder, catalog_file, catalog, files)

    def _read(self) -> None:
        """The entries of the cache file, unless it is not one this igf sealed for this folder."""
        secret = seal.key(self.file.parent, create=False)
        if secret is None:
            return  # no key: nothing here was sealed by this user's igf
        checksum = seal.signer(secret)
        lines = regular_lines(self.file, self.limit)
        entries: dict[str, Entry] = {}
        try:
            first = next(lines, b"")
            checksum.update(first)
            head = _READ_HEAD.decode(first)
            if not all(getattr(head, k) == v for k, v in self.header.items()):
                return  # another version's, another folder's, another catalog's: start afresh
            for line in lines:
                if seal.sealed(line, checksum):
                    if next(lines, None) is None:  # the seal, and nothing after it
                        self.entries = entries
                        self.catalog = head.catalog_result
                    return
                checksum.update(line)
                entry = _READ_ENTRY.decode(line)
                entries[entry.key] = entry
        except _UNREADABLE:
            return  # none yet, not a cache file, truncated, too big for this folder: start afresh
        finally:
            lines.close()

    def lookup_catalog(self, shown: str) -> tuple[list[Agent], list[Problem]] | None:
        """The agent catalog's cached result (the header has already matched its signature)."""
        if self.catalog is None:
            return None
        try:
            result = _READ_CATALOG.decode(self.catalog)
        except _UNREADABLE:  # pragma: no cover - sealed by this version, so of its types
            self.catalog, self.entries = None, {}
            return None
        return result.agents, list(_named(result.problems, shown))

    def store_catalog(self, agents: list[Agent], problems: list[Problem]) -> None:
        # every entry was validated against the catalog: a new catalog result starts afresh
        self.entries = {}
        self.catalog = msgspec.Raw(_WRITE.encode(CatalogResult(agents, tuple(problems))))
        self.changed = True

    def lookup(self, key: str, shown: str) -> FileResult | None:
        """The cached result for a file (record, problems, evidence-check warnings), if it is unchanged.

        `key` is the file's path inside the folder; `shown` is how messages name it. Each
        file is looked up once: its entry and signature are let go here, so that a large
        folder holds one copy of each.
        """
        entry = self.entries.pop(key, None)
        if entry is None or entry.file != self.signatures.pop(key, None):
            return None
        problems = _named(entry.problems, shown)
        warnings = _named(entry.warnings, shown)
        trial = entry.trial
        if trial is not None and trial.path != shown:
            # named as this run names the file (the cache may have been written from another
            # directory): in place, as the trial was decoded for this lookup and no one else
            # holds it, rather than built again for every file of a large folder
            force_setattr(trial, "path", shown)
        if trial is not entry.trial or problems is not entry.problems or warnings is not entry.warnings:
            entry = Entry(key, entry.file, problems, warnings, trial)
        self.results[key] = entry
        return trial, problems, warnings

    def store(
        self,
        file: str,
        key: str,
        trial: Trial | None,
        problems: Sequence[Problem],
        warnings: Sequence[Problem],
    ) -> None:
        known = self.signatures.pop(key, None)  # taken before the file was read
        signature = _signature(file)  # and again after
        self.changed = True
        if signature is None or signature != known or signature[1] > self.racy_after:
            return  # changed while it was read, or may change again unseen: read it again next time
        self.results[key] = Entry(key, known, tuple(problems), tuple(warnings), trial)

    def save(self, present: set[str]) -> None:
        """Write the cache back if anything changed, keeping only the files still there.

        Entries are written one by one from the records, never gathered in memory all at once.
        """
        stale = bool(set(self.entries) - present)  # entries no file looked up: files that are gone
        if not (self.changed or stale):
            return
        catalog = _signature(self.catalog_file)
        if catalog is None or _as_json(catalog) != self.header["catalog"] or catalog[1] > self.racy_after:
            return  # the catalog changed while it was read, or may still: nothing here can be trusted
        secret = seal.key(self.file.parent, create=True)
        if secret is None:
            return  # no key of this user's alone: a cache nobody could trust is not written
        checksum = seal.signer(secret)
        try:
            head = _WRITE.encode({**self.header, "catalog_result": self.catalog})
        except UnicodeEncodeError:
            return  # a folder whose path is not UTF-8 (a byte no encoding reads): read afresh each time
        import tempfile

        sweep(self.file.parent)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".cache.", suffix=".tmp", dir=self.file.parent)
            try:
                with os.fdopen(fd, "wb") as handle:

                    def write(line: bytes) -> None:
                        checksum.update(line)
                        handle.write(line)

                    # one line a file (JSON escapes every line break inside a value)
                    write(head + b"\n")
                    for key, entry in self.results.items():
                        if key in present:
                            try:
                                line = _WRITE.encode(entry)
                            except UnicodeEncodeError:
                                continue  # a file name that is not UTF-8: that file is read afresh
                            write(line + b"\n")
                    handle.write(seal.seal_line(checksum))
                os.replace(tmp, self.file)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a cache that cannot be written is only a slower next run


def _named(problems: tuple[Problem, ...], shown: str) -> tuple[Problem, ...]:
    """Problems as messages name their file from here (the cache keeps the name of the run that wrote it)."""
    if not problems or all(p.path == shown for p in problems):
        return problems  # most often: no problem at all, or named as before
    return tuple(p if p.path == shown else replace_struct(p, path=shown) for p in problems)
