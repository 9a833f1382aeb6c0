"""Parse-cache entries of the right types but not what this version writes: discarded, never believed.

Each case takes a real cache, changes one value of one entry to something no record could
give (through msgspec, so every type is what the cache's reader expects), and checks that every
command answers as without the cache: no traceback, no figure taken from the bad entry. Such an
entry fails the cache's seal, which only this user's igf can make (records/seal.py); the
last tests show that the seal is what keeps it out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from msgspec.structs import replace

from igfcli.errors import Problem
from igfcli.model import Agent, AlsoReported, PfsPoint, Printed, Rate, Response, Trial
from igfcli.records import cache
from igfcli.records.folder import load
from tests.conftest import DATA
from tests.helpers import data_folder, igf, read_cache, write_cache

LONG_AGO = 1_000_000_000 * 1_000_000_000


def encode(value: Any) -> Any:
    return msgspec.to_builtins(value)


def decode(kind: type, data: Any, **override: Any) -> Any:
    value = msgspec.convert(data, kind)
    return replace(value, **override) if override else value


@pytest.fixture(autouse=True)
def _cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    return home / "igfcli"


def _folder(root: Path) -> Path:
    small, randomised = DATA / "small", DATA / "randomised"
    folder = data_folder(
        root,
        small / "trial-a.yaml",
        small / "trial-b.yaml",
        randomised / "rand-a.yaml",
        catalog=randomised / "agents.yaml",
    )
    for path in folder.iterdir():
        import os

        os.utime(path, ns=(LONG_AGO, LONG_AGO))
    return folder


def _outcome(folder: Path, use_cache: bool) -> tuple[list[str], list[str], list[str]]:
    loaded = load(folder, use_cache=use_cache)
    assert loaded.evidence is not None
    evidence = loaded.evidence
    return (
        [str(p) for p in loaded.problems],
        [repr(t) for t in evidence.trials],
        [repr(a) for a in evidence.agents],
    )


Change = Callable[[Any], Any]


def _trial(key: str, change: Callable[[Trial], Trial]) -> tuple[str, Change]:
    def apply(entry: Any) -> Any:
        trial = decode(Trial, entry["trial"], path=key)
        return {**entry, "trial": encode(change(trial))}

    return key, apply


def _rate(value: float, text: str, half: float) -> Rate:
    return Rate(value, text, half)


def _response(t: Trial, **changes: Any) -> Trial:
    assert t.response is not None
    return replace(t, response=replace(t.response, **changes))


def _arm(t: Trial, i: int, **changes: Any) -> Trial:
    arms = list(t.arms)
    arms[i] = replace(arms[i], **changes)
    return replace(t, arms=tuple(arms))


def _comparison(t: Trial, **changes: Any) -> Trial:
    return replace(t, comparisons=(replace(t.comparisons[0], **changes), *t.comparisons[1:]))


RECORD_CASES: dict[str, tuple[str, Change]] = {
    "unknown-agent": _trial("trial-a.yaml", lambda t: replace(t, regimen=("nobody",))),
    "agent-twice": _trial("trial-b.yaml", lambda t: replace(t, regimen=("alphamab", "alphamab"))),
    "no-agent": _trial("trial-a.yaml", lambda t: replace(t, regimen=())),
    "phase-9": _trial("trial-a.yaml", lambda t: replace(t, phase="9")),
    "empty-title": _trial("trial-a.yaml", lambda t: replace(t, title="")),
    "blank-title": _trial("trial-a.yaml", lambda t: replace(t, title="  ")),
    "todo-title": _trial("trial-a.yaml", lambda t: replace(t, title="TODO")),
    "another-id": _trial("trial-a.yaml", lambda t: replace(t, id="trial-b")),
    "negative-enrolled": _trial("trial-a.yaml", lambda t: replace(t, enrolled=-1)),
    "zero-evaluable": _trial("trial-a.yaml", lambda t: _response(t, evaluable=0)),
    "negative-evaluable": _trial("trial-a.yaml", lambda t: _response(t, evaluable=-38)),
    "responders-over-evaluable": _trial("trial-a.yaml", lambda t: _response(t, responders=39)),
    "evaluable-over-enrolled": _trial("trial-a.yaml", lambda t: _response(t, evaluable=41)),
    "neither-responders-nor-rate": _trial(
        "trial-a.yaml", lambda t: _response(t, responders=None, reported_rate=None)
    ),
    "rate-nan": _trial(
        "trial-a.yaml", lambda t: _response(t, reported_rate=_rate(math.nan, "13.2%", 0.0005))
    ),
    "rate-over-one": _trial("trial-a.yaml", lambda t: _response(t, reported_rate=_rate(1.32, "132%", 0.005))),
    "rate-unlike-its-text": _trial(
        "trial-a.yaml", lambda t: _response(t, reported_rate=_rate(0.5, "13.2%", 0.0005))
    ),
    "also-reported-of-zero": _trial(
        "trial-a.yaml",
        lambda t: _response(t, also_reported=(AlsoReported(_rate(0.1, "10%", 0.0005), 0, "x"),)),
    ),
    "pfs-weeks-zero": _trial("trial-a.yaml", lambda t: replace(t, pfs=(replace(t.pfs[0], weeks=0.0),))),
    "pfs-weeks-inf": _trial("trial-a.yaml", lambda t: replace(t, pfs=(replace(t.pfs[0], weeks=math.inf),))),
    "pfs-evaluable-zero": _trial(
        "trial-a.yaml", lambda t: replace(t, pfs=(PfsPoint(12.0, None, t.pfs[0].rate, 0),))
    ),
    "no-source": _trial("trial-a.yaml", lambda t: replace(t, sources=())),
    "cohort-index": _trial("trial-b.yaml", lambda t: replace(t, cohorts=(replace(t.cohorts[0], index=5),))),
    "cohort-over-enrolled": _trial(
        "trial-b.yaml",
        lambda t: replace(
            t, cohorts=(replace(t.cohorts[1], index=0, response=Response(None, 31, 3, None)), t.cohorts[0])
        ),
    ),
    "arm-role": _trial("rand-a.yaml", lambda t: _arm(t, 0, role="bystander")),
    "arm-agent-unknown": _trial("rand-a.yaml", lambda t: _arm(t, 1, regimen=("nobody",))),
    "arms-do-not-add-up": _trial("rand-a.yaml", lambda t: _arm(t, 1, enrolled=99)),
    "arm-evaluable-zero": _trial("rand-a.yaml", lambda t: _arm(t, 0, response=Response(None, 0, 0, None))),
    "comparison-of-no-arm": _trial("rand-a.yaml", lambda t: _comparison(t, control="nobody")),
    "comparison-roles-swapped": _trial(
        "rand-a.yaml", lambda t: _comparison(t, experimental="chemo", control="alphamab + chemo")
    ),
    "hr-outside-interval": _trial("rand-a.yaml", lambda t: _comparison(t, hr=Printed(2.0, "2.0"))),
    "hr-zero": _trial(
        "rand-a.yaml", lambda t: _comparison(t, hr=Printed(0.0, "0.0"), ci_low=Printed(0.0, "0"))
    ),
    "level-one": _trial("rand-a.yaml", lambda t: _comparison(t, level=1.0)),
    "p-over-one": _trial("rand-a.yaml", lambda t: _comparison(t, p=Printed(7.0, "7.0"))),
    "p-sided-three": _trial("rand-a.yaml", lambda t: _comparison(t, p_sided=3)),
    "median-unit": _trial(
        "rand-a.yaml",
        lambda t: replace(
            t, comparisons=(t.comparisons[0], replace(t.comparisons[1], median_unit="fortnights"))
        ),
    ),
    "lone-surrogate": _trial("trial-a.yaml", lambda t: replace(t, title="Alphamab \ud800")),
    "trial-without-problems-is-none": ("trial-a.yaml", lambda e: {**e, "trial": None}),
    "trial-with-an-error": (
        "trial-a.yaml",
        lambda e: {**e, "problems": [encode(Problem("x", 1, 1, "title", "bad"))]},
    ),
    "warning-that-is-an-error": (
        "trial-b.yaml",
        lambda e: {**e, "warnings": [encode(Problem("x", 1, 1, "title", "bad"))]},
    ),
    "problem-at-line-0": (
        "trial-b.yaml",
        lambda e: {**e, "warnings": [encode(Problem("x", 0, -4, "title", "bad", "warning"))]},
    ),
    "empty-message": (
        "trial-b.yaml",
        lambda e: {**e, "warnings": [encode(Problem("x", 1, 1, "title", "", "warning"))]},
    ),
}


def _agents(change: Callable[[list[Agent]], list[Agent]]) -> Change:
    def apply(result: Any) -> Any:
        agents = [decode(Agent, a) for a in result["agents"]]
        return {**result, "agents": [encode(a) for a in change(agents)]}

    return apply


def _first(change: Callable[[Agent], Agent]) -> Change:
    return _agents(lambda agents: [change(agents[0]), *agents[1:]])


CATALOG_CASES: dict[str, Change] = {
    "no-agents": _agents(lambda agents: []),
    "empty-name": _first(lambda a: replace(a, name="")),
    "code-twice": _first(lambda a: replace(a, codes=("BT-2",))),
    "status-zombie": _first(lambda a: replace(a, history=(replace(a.history[0], status="zombie"),))),
    "year-3000": _first(lambda a: replace(a, history=(replace(a.history[0], year=3000),))),
    "years-backwards": _first(lambda a: replace(a, history=tuple(reversed(a.history)))),
    "empty-class": _first(lambda a: replace(a, drug_class="")),
}


def _damage(home: Path, change: Callable[[dict[str, Any]], None]) -> None:
    [written] = sorted(home.glob("*.json"))
    content = read_cache(written)
    change(content)
    write_cache(written, content)


def _same_as_fresh(folder: Path) -> None:
    expected = _outcome(folder, use_cache=False)
    assert _outcome(folder, use_cache=True) == expected
    commands = (["validate"], ["trials", "-f", "csv"], ["rank", "-f", "csv"], ["randomised", "-f", "csv"])
    for command in (*commands, ["agents", "-f", "csv"], ["halted", "--all", "-f", "csv"]):
        with_cache = igf(*command, "--data", folder)
        without = igf(*command, "--data", folder, "--no-cache")
        assert "Traceback" not in with_cache.stderr
        assert (with_cache.exit_code, with_cache.stdout, with_cache.stderr) == (
            without.exit_code,
            without.stdout,
            without.stderr,
        ), command


@pytest.mark.parametrize("case", sorted(RECORD_CASES))
def test_a_record_entry_no_record_could_give_is_read_afresh(
    tmp_path: Path, _cache_home: Path, case: str
) -> None:
    folder = _folder(tmp_path)
    load(folder)
    key, change = RECORD_CASES[case]

    def damage(content: dict[str, Any]) -> None:
        content["entries"][key] = change(content["entries"][key])

    _damage(_cache_home, damage)
    _same_as_fresh(folder)


@pytest.mark.parametrize("case", sorted(CATALOG_CASES))
def test_a_catalog_entry_no_catalog_could_give_is_read_afresh(
    tmp_path: Path, _cache_home: Path, case: str
) -> None:
    folder = _folder(tmp_path)
    load(folder)

    def damage(content: dict[str, Any]) -> None:
        content["catalog_result"] = CATALOG_CASES[case](content["catalog_result"])

    _damage(_cache_home, damage)
    _same_as_fresh(folder)


# --- the seal -----------------------------------------------------------------------------------


def _forge_six_responders(content: dict[str, Any]) -> None:
    """trial-a's 5 responders of 38 made 6: a figure any record could give, so only the seal can tell."""
    entry = content["entries"]["trial-a.yaml"]
    entry["trial"]["response"]["responders"] = 6
    entry["trial"]["response"]["reported_rate"] = None


def _responders(folder: Path) -> int | None:
    loaded = load(folder)
    assert loaded.evidence is not None
    [trial] = [t for t in loaded.evidence.trials if t.id == "trial-a"]
    assert trial.response is not None
    return trial.response.responders


@pytest.mark.parametrize(("sealed_by", "responders"), [("another key", 5), ("the user's key", 6)])
def test_only_the_seal_tells_a_forged_entry_from_igfs_own(
    tmp_path: Path, _cache_home: Path, sealed_by: str, responders: int
) -> None:
    # sealed with another key, a forgery is read afresh; the same forgery sealed with this user's
    # key is believed: the seal is what keeps it out
    folder = _folder(tmp_path)
    load(folder)
    [written] = sorted(_cache_home.glob("*.json"))
    content = read_cache(written)
    _forge_six_responders(content)
    key = bytes(range(32)) if sealed_by == "another key" else (_cache_home / "key").read_bytes()
    write_cache(written, content, key=key)
    assert _responders(folder) == responders
    if sealed_by == "another key":
        _same_as_fresh(folder)


def _no_cache_is_used(folder: Path, home: Path) -> None:
    for written in home.glob("*.json"):
        written.unlink()
    _same_as_fresh(folder)
    assert sorted(home.glob("*.json")) == []  # and none is written that could not be trusted


def test_a_key_others_can_read_is_not_used(tmp_path: Path, _cache_home: Path) -> None:
    folder = _folder(tmp_path)
    load(folder)
    (_cache_home / "key").chmod(0o644)
    _no_cache_is_used(folder, _cache_home)


@pytest.mark.parametrize("kind", ["link", "pipe", "short", "folder"])
def test_a_key_that_is_not_a_private_file_of_32_bytes_is_not_used(
    tmp_path: Path, _cache_home: Path, kind: str
) -> None:
    import os

    folder = _folder(tmp_path)
    load(folder)
    key = _cache_home / "key"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(key.read_bytes())
    elsewhere.chmod(0o600)
    key.unlink()
    if kind == "link":
        key.symlink_to(elsewhere)
    elif kind == "pipe":
        os.mkfifo(key, 0o600)  # opened without waiting for a writer: igf must not hang on it
    elif kind == "short":
        key.write_bytes(b"0123456789")
        key.chmod(0o600)
    else:
        key.mkdir(mode=0o700)
    _no_cache_is_used(folder, _cache_home)


def test_a_trial_is_equal_and_hashed_without_where_its_figures_stand(tmp_path: Path) -> None:
    # positions differ between a file read afresh and one read from the cache (which keeps only
    # the id's); the trial is the same value either way, and can be a key
    evidence = load(_folder(tmp_path), use_cache=False).evidence
    assert evidence is not None
    trial = evidence.trials[0]
    moved = replace(trial, locations={"id": (99, 9), "response.evaluable": (3, 4)})
    assert moved == trial and hash(moved) == hash(trial) and {trial: "seen"}[moved] == "seen"
    assert replace(trial, title=trial.title + " (update)") != trial
    assert replace(trial, enrolled=(trial.enrolled or 0) + 1) != trial
