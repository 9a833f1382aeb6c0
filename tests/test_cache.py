"""The parse cache: same results with and without it, and never trusted blindly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from igfcli.records import cache
from igfcli.records.folder import load
from tests.conftest import DATA, REPO
from tests.helpers import data_folder, igf, read_cache

N = 25
LONG_AGO = 1_000_000_000 * 1_000_000_000  # 2001, in nanoseconds: well past the racy window


def _age(folder: Path, ns: int = LONG_AGO) -> None:
    for path in folder.rglob("*.yaml"):
        os.utime(path, ns=(ns, ns))


def _folder(root: Path, n: int = N) -> Path:
    """n copies of the small fixture's trials (one of them broken, one with a warning), written long ago."""
    template = (DATA / "small" / "trial-a.yaml").read_text()
    texts = {f"t{i:04d}.yaml": template.replace("id: trial-a", f"id: t{i:04d}") for i in range(n)}
    # an error, and a reported rate that disagrees with its counts (a warning)
    texts["t0001.yaml"] = texts["t0001.yaml"].replace("38", "3.8")
    texts["t0002.yaml"] = texts["t0002.yaml"].replace("13.2%", "14%")
    folder = data_folder(root, texts=dict(texts))
    _age(folder)
    return folder


@pytest.fixture(autouse=True)
def _cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    return home / "igfcli"


def _outcome(folder: Path, use_cache: bool) -> tuple[list[str], list[str]]:
    loaded = load(folder, use_cache=use_cache)
    assert loaded.evidence is not None
    return [str(p) for p in loaded.problems], [repr(t) for t in loaded.evidence.trials]


def _cache_files(home: Path) -> list[Path]:
    return sorted(home.glob("*.json")) if home.exists() else []


def test_same_problems_and_records_with_and_without_the_cache(tmp_path: Path, _cache_home: Path) -> None:
    folder = _folder(tmp_path)
    fresh = _outcome(folder, use_cache=False)
    assert _cache_files(_cache_home) == []  # --no-cache writes nothing
    cold = _outcome(folder, use_cache=True)
    [written] = _cache_files(_cache_home)
    warm = _outcome(folder, use_cache=True)
    assert fresh == cold == warm
    assert any("t0001.yaml" in p and "should be a whole number of patients, not 3.8" in p for p in fresh[0])
    assert any("t0002.yaml" in p and "warning" in p for p in fresh[0])
    assert read_cache(written)["format"] == cache.FORMAT


def test_warm_loads_come_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    expected = _outcome(folder, use_cache=False)
    load(folder)
    from igfcli.records import folder as loading

    def never(path: Path, *args: object) -> object:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(loading, "_read", never)
    # every file, the catalog too, answered from the cache, with the same problems
    assert _outcome(folder, use_cache=True) == expected
    # so a warm run does not even import the YAML parser
    assert "yaml" not in _modules_after_warm_run(folder).split()


@pytest.mark.parametrize("use_cache", [False, True])
def test_records_hold_one_copy_of_each_recurring_text(tmp_path: Path, use_cache: bool) -> None:
    # what keeps 100,000 records small in memory, read afresh or decoded from the cache
    folder = _folder(tmp_path)
    template = (folder / "t0000.yaml").read_text()
    long_condition = "a condition written at more length than any name, " + "x" * 40
    (folder / "t0000.yaml").write_text(template.replace("condition: sarcoma", f"condition: {long_condition}"))
    _age(folder)
    load(folder)  # the cache filled, when it is used
    loaded = load(folder, use_cache=use_cache)
    assert loaded.evidence is not None
    trials = loaded.evidence.trials
    assert len(trials) == N - 1  # all but the one with an error
    first = trials[0]
    for trial in trials[1:]:
        assert trial.regimen == first.regimen and trial.regimen is first.regimen
        assert trial.phase is first.phase
        assert trial.response is not None and first.response is not None
        assert trial.response.criteria is first.response.criteria
    # a long text is kept as written, not shared with an equal one built elsewhere
    [with_condition] = [t for t in trials if t.id == "t0000"]
    assert with_condition.condition == long_condition
    assert with_condition.condition is not sys.intern(long_condition[:-1] + "x")


def test_the_shared_copies_are_few_and_short(monkeypatch: pytest.MonkeyPatch) -> None:
    import msgspec

    from igfcli import sharing

    class Value(msgspec.Struct):
        text: str
        texts: tuple[str, ...]

    monkeypatch.setattr(sharing, "_SHARED", {})
    long_text, wide = "x" * 41, tuple("abcde")
    value = Value(long_text, (long_text, "short"))
    sharing.share(value, "text", "texts")
    assert (value.text, value.texts) == (long_text, (long_text, "short"))
    assert sharing._SHARED == {}  # a long text, and a list that holds one, are not kept
    value = Value("short", wide)
    sharing.share(value, "text", "texts")
    assert value.texts == wide and sharing._SHARED == {"short": "short"}  # nor a list of five
    monkeypatch.setattr(sharing, "MOST", 1)
    value = Value("other", ("a",))
    sharing.share(value, "text", "texts")
    assert (value.text, value.texts) == ("other", ("a",)) and len(sharing._SHARED) == 1  # full


def _modules_after_warm_run(folder: Path) -> str:
    """The modules a warm `igf rank --format csv` imported, one a line."""
    script = (
        "import sys\n"
        "from igfcli.commands import app_for\n"
        "args = ['rank', '--format', 'csv', '--data', sys.argv[1]]\n"
        "try:\n"
        "    app_for(args)(args)\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('\\n'.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)], env=env, capture_output=True, text=True, check=False
    )
    return done.stderr


def test_a_cache_written_from_another_directory_names_files_as_this_run_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # messages and records name a file as the user reaches it from where igf runs: a cache
    # written from elsewhere must not carry that run's names into this one
    folder = _folder(tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    load(folder)
    monkeypatch.chdir(folder)
    expected = _outcome(folder, use_cache=False)
    assert any(p.startswith("t0001.yaml:") for p in expected[0])
    assert _outcome(folder, use_cache=True) == expected
    monkeypatch.chdir(tmp_path)
    assert _outcome(folder, use_cache=True) == _outcome(folder, use_cache=False)


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    load(folder)
    target = folder / "t0003.yaml"
    target.write_text(target.read_text().replace("responders: 5", "responders: 50"))
    _age(folder, LONG_AGO + 1)  # a different modification time, whatever the clock says
    problems = _outcome(folder, use_cache=True)[0]
    assert any("t0003.yaml" in p and "50 is more than evaluable (38)" in p for p in problems)
    assert _outcome(folder, use_cache=False)[0] == problems


def test_a_changed_catalog_invalidates_everything(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    load(folder)
    catalog = folder / "agents.yaml"
    catalog.write_text(catalog.read_text().replace("codes: [AM-1]", "codes: [AM-9]"))
    _age(folder, LONG_AGO + 1)
    problems = _outcome(folder, use_cache=True)[0]
    assert sum("'AM-1' is not in the agent catalog" in p for p in problems) == N
    assert _outcome(folder, use_cache=False)[0] == problems


def test_deleted_and_added_files(tmp_path: Path, _cache_home: Path) -> None:
    folder = _folder(tmp_path)
    load(folder)
    (folder / "t0004.yaml").unlink()
    extra = folder / "sub" / "t9999.yaml"
    extra.parent.mkdir()
    extra.write_text((folder / "t0005.yaml").read_text().replace("id: t0005", "id: t9999"))
    _age(folder)
    assert _outcome(folder, True) == _outcome(folder, False)
    [written] = _cache_files(_cache_home)
    entries = read_cache(written)["entries"]
    assert "t0004.yaml" not in entries and os.path.join("sub", "t9999.yaml") in entries


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\x00\xff garbage",  # not JSON
        lambda text: json.dumps({"format": "something else", "entries": {}}),  # foreign
        lambda text: text.replace('"regimen":', '"regimen_":'),  # entries of another shape
        lambda text: text.replace('"problems":[]', '"problems":[[1]]', 1),  # entries of another shape
        lambda text: text[: len(text) - 20] + "\n",  # its last line cut short
        lambda text: text.replace('"key":"t0002.yaml"', '"key":7', 1),  # an entry of no file
        lambda text: "[" * 100_000,  # deeply nested
    ],
)
def test_a_damaged_cache_is_discarded_and_rebuilt(tmp_path: Path, _cache_home: Path, damage: object) -> None:
    folder = _folder(tmp_path)
    expected = _outcome(folder, use_cache=False)
    load(folder)
    [written] = _cache_files(_cache_home)
    written.write_text(damage(written.read_text()))  # type: ignore[operator]
    assert _outcome(folder, use_cache=True) == expected
    assert read_cache(written)["format"] == cache.FORMAT  # rebuilt whole


def test_the_environment_switch_leaves_no_cache(
    tmp_path: Path, _cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setenv(cache.ENV_OFF, "1")
    load(folder)
    assert _cache_files(_cache_home) == []


def test_a_file_written_twice_in_one_clock_tick_is_never_served_stale(tmp_path: Path) -> None:
    # Two writes within one tick of the file system's clock leave the same size and time; a
    # cache that had read the file between them would keep the first content for ever.
    folder = _folder(tmp_path)
    target = folder / "t0003.yaml"
    now = time.time_ns()
    os.utime(target, ns=(now, now))
    load(folder)  # reads the file just written: too fresh to cache
    target.write_text(target.read_text().replace("responders: 5", "responders: 6"))
    os.utime(target, ns=(now, now))  # the second write, in the same tick
    problems = _outcome(folder, use_cache=True)[0]
    assert any("t0003.yaml" in p and "responders" in p and "6/38" in p for p in problems), problems


def test_a_catalog_changed_in_the_racy_window_is_not_cached(tmp_path: Path, _cache_home: Path) -> None:
    folder = _folder(tmp_path)
    now = time.time_ns()
    os.utime(folder / "agents.yaml", ns=(now, now))
    load(folder)
    assert _cache_files(_cache_home) == []


def test_an_unwritable_cache_directory_is_only_slower(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    folder = _folder(tmp_path)
    assert _outcome(folder, use_cache=True) == _outcome(folder, use_cache=False)


def test_no_cache_option_and_two_writers_at_once(tmp_path: Path, _cache_home: Path) -> None:
    folder = _folder(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(_cache_home.parent), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "igfcli", "validate", "--data", str(folder)]
    off = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True, check=False)
    assert off.returncode == 1 and _cache_files(_cache_home) == []
    # two processes building the cache at the same time leave one whole, valid cache file
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate() for p in procs]
    assert all(err == off.stderr for _, err in results)
    [written] = _cache_files(_cache_home)
    assert len(read_cache(written)["entries"]) == N
    assert [p.name for p in _cache_files(_cache_home)] == [written.name]  # no temporary file left
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert again.stderr == off.stderr


def test_a_cache_made_by_other_code_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the same version after a pull or an edit: results the new code would not give must not come back
    folder = _folder(tmp_path)
    load(folder)
    from igfcli.records import folder as loading

    reads: list[str] = []
    real = loading._read

    def counted(path: Path, *args: object) -> object:
        reads.append(path.name)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loading, "_read", counted)
    load(folder)
    assert reads == []  # the same code: everything from the cache
    monkeypatch.setattr(cache, "_code_signature", lambda: [[1, 2]])
    load(folder)
    assert len(reads) == N + 1  # every record and the catalog read again
    # and under another Python, whose Unicode tables may call other characters unprintable
    reads.clear()
    monkeypatch.setattr(cache.sys, "version_info", (3, 99, 0))
    load(folder)
    assert len(reads) == N + 1


def test_records_read_in_worker_processes_give_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from igfcli.records import folder as loading

    folder = _folder(tmp_path)  # with an error and a warning among its records
    # and a file whose name is not UTF-8: its problem names it in a text msgspec cannot send
    odd = os.fsencode(folder / "t0000.yaml").replace(b"t0000", b"t\xff")
    try:
        with open(odd, "wb") as handle:
            handle.write((folder / "t0000.yaml").read_bytes())
        odd_files = 1
    except OSError:  # a file system that takes UTF-8 names only (macOS's): the others alone
        odd_files = 0
    serial = _outcome(folder, use_cache=False)
    assert not odd_files or any("t\udcff.yaml" in p for p in serial[0]), serial[0]
    monkeypatch.setattr(loading, "PARALLEL_FROM", 2)
    monkeypatch.setattr(loading, "usable_cores", lambda: 2)  # two workers, even on one core
    log = tmp_path / "readers.txt"
    real = loading.read_record

    def logged(*args: object) -> object:
        with log.open("a") as handle:  # the forked workers inherit this patch and append here
            handle.write(f"{os.getpid()}\n")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(loading, "read_record", logged)
    parallel = _outcome(folder, use_cache=False)
    assert parallel == serial
    readers = log.read_text().split()
    assert len(readers) == N + odd_files and str(os.getpid()) not in readers  # every file read in a worker


def test_every_module_that_reads_a_record_keys_the_cache() -> None:
    # a cached result is used only while the code that made it is unchanged: every module the
    # reading imports must be among those whose signature the cache keeps
    script = (
        "import sys\n"
        "import igfcli.records.folder, igfcli.records.cache, igfcli.records.trials\n"
        "import igfcli.records.checks, igfcli.records.yamldoc, igfcli.records.agents\n"
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('igfcli.')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    here = Path(cache.__file__).parent
    used = {os.path.relpath(file, here) for file in run.stdout.split() if not file.endswith("__init__.py")}
    assert used == set(cache._DECIDING)


def test_an_edit_at_the_same_size_with_its_time_put_back_is_read_again(tmp_path: Path) -> None:
    # `touch -d`, `rsync -t` and unpacking an archive put a file's modification time back; its
    # change time and inode cannot be put back, so the cache keys on them too, as git's index does
    folder = _folder(tmp_path)
    load(folder)
    target = folder / "t0003.yaml"
    seen = os.stat(target).st_ctime_ns  # the change time the cache holds
    target.write_text(target.read_text().replace("responders: 5", "responders: 6"))
    _age(folder)  # the very modification time the cache holds
    while os.stat(target).st_ctime_ns == seen:  # a clock that has not ticked since: until it does
        _age(folder)
    problems = _outcome(folder, use_cache=True)[0]
    assert any("t0003.yaml" in p and "6/38" in p for p in problems), problems
    # a file replaced by another of the same size and time (a new inode) is read again too
    replacement = tmp_path / "replacement.yaml"
    replacement.write_text(target.read_text().replace("responders: 6", "responders: 7"))
    os.replace(replacement, target)
    _age(folder)
    problems = _outcome(folder, use_cache=True)[0]
    assert any("t0003.yaml" in p and "7/38" in p for p in problems), problems


def _limited(limit_bytes: int) -> None:  # pragma: no cover - runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-urandom", "huge"])
def test_a_cache_file_that_is_not_a_small_regular_file_is_never_read(
    tmp_path: Path, _cache_home: Path, kind: str
) -> None:
    # a pipe would wait for ever, a device never end: a real process, with a deadline and a
    # memory limit, and the same answer as without the cache
    folder = _folder(tmp_path)
    load(folder)
    [written] = _cache_files(_cache_home)
    written.unlink()
    if kind == "fifo":
        os.mkfifo(written)
    elif kind == "huge":
        with open(written, "wb") as handle:
            handle.truncate(8 * 1024**3)  # sparse: nothing is written
    else:
        written.symlink_to(f"/dev/{kind.split('-')[1]}")
    env = {**os.environ, "XDG_CACHE_HOME": str(_cache_home.parent), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "igfcli", "validate", "--data", str(folder)]
    off = igf("validate", "--data", folder, "--no-cache")  # the answer without the cache, in process
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        preexec_fn=lambda: _limited(1024**3),
    )
    assert (done.returncode, done.stderr) == (off.exit_code, off.stderr)


# --- what may not last is not kept -----------------------------------------------------------------


def test_a_file_changed_while_a_cold_run_read_it_is_read_again(
    tmp_path: Path, _cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from igfcli.records import folder as loader

    folder = _folder(tmp_path)
    target = folder / "t0003.yaml"
    reading = loader.read_records

    def read_then_edited(*args: Any) -> Any:
        results = reading(*args)
        # edited after it was read and before its result is kept: same size, time put back
        target.write_text(target.read_text().replace("responders: 5", "responders: 6"))
        os.utime(target, ns=(LONG_AGO, LONG_AGO))
        return results

    monkeypatch.setattr(loader, "read_records", read_then_edited)
    load(folder)
    monkeypatch.setattr(loader, "read_records", reading)
    assert _outcome(folder, True) == _outcome(folder, False)
    assert any("t0003.yaml" in p and "6" in p for p in _outcome(folder, True)[0])  # the edit is seen


@pytest.mark.parametrize("unreadable", ["t0003.yaml", "agents.yaml"])
def test_a_file_that_could_not_be_read_is_read_again(
    tmp_path: Path, _cache_home: Path, monkeypatch: pytest.MonkeyPatch, unreadable: str
) -> None:
    # a permission or an I/O error may not last: its "cannot be read" is never kept
    from igfcli.records import folder as loader

    folder = _folder(tmp_path)

    def deny(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file).name == unreadable:
            raise PermissionError(13, "Permission denied", str(file))
        return open(file, *args, **kwargs)

    monkeypatch.setattr(loader, "open", deny, raising=False)
    assert any(f"{unreadable}: cannot be read" in p for p in _outcome(folder, True)[0])
    monkeypatch.delattr(loader, "open")
    assert _outcome(folder, True) == _outcome(folder, False)
    assert not any("cannot be read" in p for p in _outcome(folder, True)[0])


def test_names_that_are_not_utf8_are_read_afresh_never_a_crash(tmp_path: Path, _cache_home: Path) -> None:
    # a byte that no encoding reads, in the folder's path and in a record's name (Linux allows both)
    folder = _folder(tmp_path / os.fsdecode(b"d\xff"))
    template = (folder / "t0004.yaml").read_text()
    (folder / os.fsdecode(b"t\xfe.yaml")).write_text(template)
    _age(folder)
    for use_cache in (True, True, False):
        problems, _ = _outcome(folder, use_cache)
        assert any("t\\xfe" in p or os.fsdecode(b"t\xfe") in p for p in problems)
    assert _outcome(folder, True) == _outcome(folder, False)
    other = _folder(tmp_path / "plain")
    (other / os.fsdecode(b"t\xfe.yaml")).write_text(template)
    _age(other)
    for _ in range(2):
        assert _outcome(other, True) == _outcome(other, False)
    assert len(read_cache(_cache_files(_cache_home)[0])["entries"]) == N  # the others are kept


def test_what_killed_runs_left_in_the_cache_directory_is_swept(tmp_path: Path, _cache_home: Path) -> None:
    folder = _folder(tmp_path)
    load(folder)
    hours_ago = time.time() - 7200
    left = [_cache_home / ".cache.abandoned.tmp", _cache_home / ".key.abandoned"]
    for path in left:
        path.write_bytes(b"x" * 100)
        os.utime(path, (hours_ago, hours_ago))
    running = _cache_home / ".cache.running.tmp"  # a run writing now
    running.write_bytes(b"x")
    (folder / "t0004.yaml").unlink()  # something to write
    load(folder)
    assert [p.exists() for p in left] == [False, False] and running.exists()
