"""igf import ctgov against hostile registry input: bounded in size, depth, digits and time; every
record written is one the loader reads; and a run writes every record or none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from igfcli.curation import registry
from igfcli.curation.ctgov import skeletons
from igfcli.curation.registry import RegistryError, Study, read_studies
from igfcli.model import Catalog
from igfcli.names import first_invisible
from igfcli.output import files as output
from igfcli.records import yamldoc
from igfcli.records.agents import read_agents
from tests.conftest import DATA, REPO
from tests.corpus import AGENTS
from tests.helpers import Run, data_folder, igf

CTGOV = DATA / "ctgov"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return data_folder(tmp_path)


def study(nct: str = "NCT00000404", **protocol: Any) -> dict[str, Any]:
    section: dict[str, Any] = {"identificationModule": {"nctId": nct, "briefTitle": "A study"}}
    section.update(protocol)
    return {"protocolSection": section}


def run_import(folder: Path, *files: str | Path, stdin: bytes | None = None, force: bool = False) -> Run:
    return igf(
        "import", "ctgov", *files, "--data", folder, "--all", *(["--force"] if force else []), input=stdin
    )


def assert_refused(run: Run, *messages: str) -> None:
    assert "Traceback" not in run.stderr
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr.endswith("igf: error: nothing was imported\n"), run.stderr
    for message in messages:
        assert message in run.stderr, run.stderr


def written(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "agents.yaml")


# --- size, depth, digits, time ---------------------------------------------------------------------


def test_input_larger_than_the_limit_is_refused_unread(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "MAX_BYTES", 1000)
    big = folder.parent / "big.json"
    big.write_text(json.dumps(study(briefSummary="x" * 2000)))
    assert_refused(run_import(folder, big), "big.json: more than 1,000 bytes")
    assert_refused(run_import(folder, "-", stdin=big.read_bytes()), "<stdin>: more than 1,000 bytes")
    assert written(folder) == []


def test_dev_zero_ends_at_the_limit(folder: Path) -> None:
    # a device never ends: a real process, with a deadline
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "igfcli", "import", "ctgov", "/dev/zero", "--data", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=lambda: _limited(2 * 1024**3),
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("/dev/zero: more than 134,217,728 bytes"), done.stderr


def _limited(limit_bytes: int) -> None:  # pragma: no cover - runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def test_closed_standard_input(folder: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "igfcli", "import", "ctgov", "-", "--data", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(0),
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "<stdin>: standard input is closed\nigf: error: nothing was imported\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "bad.json: JSON nested too deeply"),
        (b'{"studies": ' + b"[" * 100_000, "bad.json: JSON nested too deeply"),
        (json.dumps(study()).replace('"A study"', "1" * 5000).encode(), "bad.json: a number of 5,000 digits"),
        (b'{"studies": [NaN]}', "bad.json: not valid JSON: NaN is not a number JSON allows"),
        (b'{"studies": [-Infinity]}', "bad.json: not valid JSON: -Infinity is not a number JSON allows"),
    ],
    ids=["nested-100000", "nested-unclosed", "5000-digits", "nan", "infinity"],
)
def test_json_too_deep_or_with_too_many_digits(folder: Path, raw: bytes, message: str) -> None:
    bad = folder.parent / "bad.json"
    bad.write_bytes(raw)
    assert_refused(run_import(folder, bad), message)


def test_many_studies_take_work_in_proportion(folder: Path) -> None:
    def page(n: int) -> bytes:
        # every study the same title: every draft has the same id, the case that once took
        # quadratic time (each id counted against all the others)
        return json.dumps({"studies": [study(f"NCT{i:08d}") for i in range(n)]}).encode()

    catalog = Catalog(read_agents(yamldoc.parse("agents.yaml", AGENTS.read_bytes())[0], []))  # type: ignore[arg-type]

    def calls(n: int) -> int:
        """Function calls, Python's and C's, made reading and drafting n studies: a count of the
        work, the same on every run and every machine, where a clock is neither."""
        raw, count = page(n), 0

        def tally(frame: object, event: str, arg: object) -> None:
            nonlocal count
            count += event in ("call", "c_call")

        sys.setprofile(tally)
        try:
            drafts = skeletons(read_studies(raw, "page.json"), catalog)
        finally:
            sys.setprofile(None)
        assert len(drafts) == n and len({d.id for d in drafts}) == n
        return count

    small, large = calls(100), calls(800)
    # eight times the studies: eight times the work, less what is done once; quadratic, 64 times
    assert 7 * small < large < 9 * small, (small, large)


# --- what a study may hold -------------------------------------------------------------------------


@pytest.mark.parametrize("nct", ["NCT٠٠٠٠٠٤٠٤", "NCT０００００４０４", "NCT0000040４"])
def test_an_nct_id_in_other_digits_is_refused(folder: Path, nct: str) -> None:
    bad = folder.parent / "bad.json"
    bad.write_text(json.dumps(study(nct)))
    assert_refused(run_import(folder, bad), "is not an NCT id such as NCT01234567")
    assert written(folder) == []


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ({"designModule": {"enrollmentInfo": {"count": "٤٠", "type": "ACTUAL"}}}, "should be a count"),
        (
            {"designModule": {"enrollmentInfo": {"count": 10**12, "type": "ACTUAL"}}},
            "1,000,000,000,000 is more participants",
        ),
        # not shown digit by digit: a float of 301 digits, or text of a hundred
        (
            {"designModule": {"enrollmentInfo": {"count": 1.5e300, "type": "ACTUAL"}}},
            ": a count of 301 digits is more",
        ),
        (
            {"designModule": {"enrollmentInfo": {"count": "9" * 100, "type": "ACTUAL"}}},
            ": a count of 100 digits is more",
        ),
        ({"statusModule": {"startDateStruct": {"date": "٢٠١١-01-15"}}}, "is not a date"),
    ],
)
def test_counts_and_dates_are_ascii_digits(folder: Path, module: dict[str, Any], message: str) -> None:
    bad = folder.parent / "bad.json"
    bad.write_text(json.dumps(study(**module)))
    assert_refused(run_import(folder, bad), message)


def test_a_lone_surrogate_is_refused_at_the_import(folder: Path) -> None:
    bad = folder.parent / "bad.json"
    bad.write_text(
        '{"protocolSection": {"identificationModule": {"nctId": "NCT00000404", "briefTitle": "A \\ud800 study"}}}'
    )
    assert_refused(
        run_import(folder, bad),
        "bad.json: $.protocolSection.identificationModule.briefTitle: holds \\ud800, half of a UTF-16 "
        "surrogate pair and no character; the file is damaged",
    )
    assert written(folder) == []


# any text a registry field may hold, control characters and lone surrogates included
hostile_text = st.text(st.characters(codec=None), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(hostile_text, min_size=8, max_size=8))
def test_every_record_written_is_one_the_loader_reads(folder: Path, texts: list[str]) -> None:
    title, condition, sponsor, why, drug, other, arm, arm_type = texts
    record = study(
        conditionsModule={"conditions": [condition]},
        sponsorCollaboratorsModule={"leadSponsor": {"name": sponsor}},
        statusModule={"whyStopped": why, "startDateStruct": {"date": "2011-01-01"}},
        armsInterventionsModule={
            "interventions": [
                {"type": "DRUG", "name": drug, "otherNames": [other]},
                {"type": "DEVICE", "name": other},
            ],
            "armGroups": [
                {"label": arm, "type": arm_type, "interventionNames": [f"Drug: {drug}"]},
                {"label": arm + "2", "type": "PLACEBO_COMPARATOR"},
            ],
        },
    )
    record["protocolSection"]["identificationModule"]["briefTitle"] = title
    raw = json.dumps(record).encode()
    catalog = Catalog(read_agents(yamldoc.parse("agents.yaml", AGENTS.read_bytes())[0], []))  # type: ignore[arg-type]
    try:
        drafts = skeletons(read_studies(raw, "s.json"), catalog)
    except RegistryError as exc:
        assert all("surrogate" in m for m in exc.messages), exc.messages
        return
    for draft in drafts:
        doc, problems = yamldoc.parse(f"{draft.id}.yaml", draft.text.encode())
        assert problems == [] and doc is not None, (problems, draft.text)
        # and one an editor or a terminal shows as YAML reads it: every hidden character escaped
        assert first_invisible(draft.text.replace("\n", "")) is None, draft.text


# --- all or nothing --------------------------------------------------------------------------------


def test_a_failure_half_way_writes_nothing(folder: Path) -> None:
    # the page's second record cannot be written (a folder stands at its name): neither is written
    (folder / "NCT00000303.yaml").mkdir()
    assert_refused(run_import(folder, CTGOV / "page.json"), "NCT00000303.yaml: is a folder")
    assert written(folder) == ["NCT00000303.yaml"]


def test_a_failed_rename_puts_every_file_back(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "spc-2011-betinib.yaml").write_text("kept\n")
    real_replace = os.replace
    calls: list[Any] = []

    def second_fails(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", second_fails)
    run = run_import(folder, CTGOV / "page.json", force=True)
    assert_refused(run, "cannot be written: No space left on device")
    assert written(folder) == ["spc-2011-betinib.yaml"]
    assert (folder / "spc-2011-betinib.yaml").read_text() == "kept\n"


def test_one_target_named_twice_writes_neither(tmp_path: Path) -> None:
    from igfcli.errors import OutputError

    target = tmp_path / "a.yaml"
    with pytest.raises(OutputError, match="named twice"):
        output.write_all([(target, "one\n"), (tmp_path / "." / "a.yaml", "two\n")])
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_two_records_of_one_import_whose_ids_are_one_trials(folder: Path) -> None:
    from igfcli.curation.ctgov import Skeleton, clashes

    drafts = [Skeleton(Study("NCT00000001", "x"), name, "") for name in ("doe-2011", "Doe-2011")]
    assert clashes(drafts, folder, {}, force=True) == [
        f"{folder}/Doe-2011.yaml: 'Doe-2011' and 'doe-2011', two records of this import, are one trial's id"
    ]
