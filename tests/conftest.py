"""Shared test set-up: a fixed terminal width, no colour, and paths to the fixture folders."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# the shared helpers assert too; show their failures in full
pytest.register_assert_rewrite("tests.corpus", "tests.helpers")

# The tests build and drop millions of small objects (records, rows, examples): the cyclic
# collector's youngest generation is swept every 50,000 allocations rather than every 700 (and
# the older two every 20 sweeps of the one below, not 10), which takes a twenty-fifth off the
# suite's time; what reference counting frees is freed as before.
gc.set_threshold(50_000, 20, 20)

TESTS = Path(__file__).parent
DATA = TESTS / "data"
REPO = TESTS.parent

# The suite writes thousands of small files and folders. Where the system has a memory file
# system with room to spare, and no temporary folder was asked for (--basetemp, TMPDIR,
# PYTEST_DEBUG_TEMPROOT), they go there: on a virtual disk each new file can cost half a
# millisecond, in memory 15 µs.
MEMORY = Path("/dev/shm")
MEMORY_FREE = 1024**3
_IN_MEMORY = pytest.StashKey[Path]()
_FAILED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.option.basetemp or os.environ.get("TMPDIR") or os.environ.get("PYTEST_DEBUG_TEMPROOT")
    if hasattr(config, "workerinput") or chosen:
        return  # a worker (its folder is inside the main process's), or a place already chosen
    try:
        roomy = os.access(MEMORY, os.W_OK | os.X_OK) and shutil.disk_usage(MEMORY).free > MEMORY_FREE
    except OSError:
        return
    if roomy:
        _sweep()
        config.option.basetemp = tempfile.mkdtemp(prefix=_PREFIX, dir=MEMORY)
        config.stash[_IN_MEMORY] = Path(config.option.basetemp)


def pytest_unconfigure(config: pytest.Config) -> None:
    # memory is not a disk: the folder goes when the run ends, but for a run with failing tests,
    # whose folder is kept to look at (and swept by a later run, a day on)
    folder = config.stash.get(_IN_MEMORY, None)
    if folder is not None and config.stash.get(_FAILED, False) is False:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_FAILED] = exitstatus == pytest.ExitCode.TESTS_FAILED


_PREFIX = "igfcli-tests-"
_KEPT_SECONDS = 24 * 3600


def _sweep() -> None:
    """Remove what earlier runs of this user left in memory over a day ago (a failed run's, or one
    killed before it could clean up); a run going on now is younger, and is left alone."""
    import time

    for old in MEMORY.glob(_PREFIX + "*"):
        try:
            info = old.stat()
            if info.st_uid == os.getuid() and time.time() - info.st_mtime > _KEPT_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # rich reads these; pinning them makes table output the same on every machine
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "50")
    monkeypatch.delenv("IGF_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    # the parse cache of every run goes to a folder of the test session's, never the user's
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache-home"))
    monkeypatch.delenv("IGF_NO_CACHE", raising=False)
    # The tests start `igf` as a process some fifty times: each may keep igf's compiled modules
    # (in igfcli/__pycache__, which git ignores), so that only the first compiles them, even
    # where the environment asks Python to write no bytecode (a sixth of those processes' time).
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
