"""Paths and ids are shown, never obeyed: a control character in the data folder's name, a file name
or an id reaches no terminal raw, in any message, heading or summary line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.corpus import VALID
from tests.helpers import Run, data_folder, igf

# anything a terminal would act on (a newline ends the message line itself)
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
ESC = "\x1b]0;owned\x07\x1b[31m"  # retitle the terminal, ring its bell, turn it red
SHOWN = "\\x1b]0;owned\\x07\\x1b[31m"
HOSTILE_ID = f"doe{ESC}2011"
RECORD = (
    'id: "doe\\e]0;owned\\a\\e[31m2011"\n'
    'title: Alphamab in Ewing sarcoma\nregimen: [alphamab]\nphase: "2"\nenrolled: 40\n'
    # 15.2% of 38 cannot be 5 responders: a warning, for the report's checks section
    "response: {evaluable: 38, responders: 5, reported_rate: 15.2%}\n"
    "sources:\n  - citation: Doe J. Made-up Journal. 2010;1:1-2\n"
)


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def assert_shown_not_obeyed(run: Run) -> None:
    assert "Traceback" not in run.stderr + run.stdout
    assert not RAW.search(run.stderr), run.stderr
    assert not RAW.search(run.stdout.replace("\t", "")), run.stdout


def test_the_data_folders_own_name_in_the_summary_line(tmp_path: Path) -> None:
    data = data_folder(tmp_path, VALID, name=f"data{ESC}")
    checked = igf("validate", "--data", data.name)
    assert_shown_not_obeyed(checked)
    assert checked.stderr == f"data{SHOWN}: 0 errors, 0 warnings (1 trial record and 3 agents loaded)\n"
    missing = igf("validate", "--data", f"gone{ESC}")
    assert_shown_not_obeyed(missing)
    assert missing.stderr.startswith(f"gone{SHOWN}: data folder not found\n")


def test_an_id_no_reader_can_see_is_refused_and_shown_escaped(tmp_path: Path) -> None:
    # an id holding controls could pass for another id on screen: refused, and named safely
    data_folder(tmp_path, texts={f"{HOSTILE_ID}.yaml": RECORD})
    checked = igf("validate", "--data", "data")
    assert_shown_not_obeyed(checked)
    assert checked.stderr == (
        f"data/doe{SHOWN}2011.yaml:1:5: id: 'doe{SHOWN}2011' holds U+001B, which no reader can see; "
        "write it in visible characters only\n"
        "data: 1 error, 0 warnings (0 trial records and 3 agents loaded)\n"
    )
    for args in (
        ["show", HOSTILE_ID],
        ["show", "doe"],
        ["report"],
        ["report", "-o", f"report{ESC}.md"],
        ["trials"],
    ):
        run = igf(*args, "--data", "data")
        assert_shown_not_obeyed(run)
        assert run.exit_code == 2, (args, run.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_a_folder_name_in_shows_heading_and_the_reports_checks(tmp_path: Path) -> None:
    # records in a folder whose name holds controls: every path to them is shown, not obeyed
    record = RECORD.replace('id: "doe\\e]0;owned\\a\\e[31m2011"', "id: doe-2011")
    data_folder(tmp_path, texts={f"sub{ESC}/doe-2011.yaml": record})
    for args in (
        ["validate"],
        ["show", "doe-2011"],
        ["show", "doe-2011", "-f", "markdown"],
        ["report"],
        ["trials"],
    ):
        run = igf(*args, "--data", "data")
        assert_shown_not_obeyed(run)
        assert run.exit_code == 0, (args, run.stderr)
    report = igf("report", "--data", "data").stdout
    checks = report.split("## Evidence checks")[1].split("##")[0]
    assert f"`sub{SHOWN}/doe-2011.yaml:6:57`" in checks  # named inside the data folder, with its line


def test_new_names_the_file_it_wrote_and_the_id_it_refused(tmp_path: Path) -> None:
    data = data_folder(tmp_path, name=f"data{ESC}")
    common = ["--data", data.name, "--regimen", "AM-1", "--phase", "2", "--title", "T", "--citation", "C"]
    made = igf("new", "doe-2011", *common)
    assert_shown_not_obeyed(made)
    assert made.stdout == f"wrote data{SHOWN}/doe-2011.yaml\n"
    for refused in (igf("new", f"doe{ESC}", *common), igf("new", "doe-2011", *common)):
        assert_shown_not_obeyed(refused)
        assert refused.exit_code == 2 and SHOWN in refused.stderr


def test_usage_errors_quote_the_argument_shown(tmp_path: Path) -> None:
    data_folder(tmp_path, VALID)
    for args in (
        ["trials", "--format", ESC],
        ["rank", "--level", ESC],
        ["trials", "--histology", ESC],
        ["trials", "--agent", ESC],
        ["benchmark", "--threshold", ESC],
        ["show", ESC],
        ["trials", f"--{ESC}"],
        [f"{ESC}"],
    ):
        run = igf(*args, "--data", "data")
        assert_shown_not_obeyed(run)
        assert run.exit_code == 2, (args, run.stderr)


def test_a_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    # the system hands a name's undecodable bytes to Python as lone surrogates (\udcff), which a
    # strict UTF-8 stream cannot write: a real process, whose standard output is one
    folder = os.fsdecode(b"data\xff")
    data_folder(tmp_path, VALID, name=folder)
    env = {**os.environ, "PYTHONPATH": str(REPO), "IGF_NO_CACHE": "1", "PYTHONIOENCODING": "utf-8"}
    for args in (
        ["new", "doe-2011", "--regimen", "AM-1", "--phase", "2", "--title", "T", "--citation", "C"],
        ["show", os.fsdecode(b"doe\xff")],
        ["validate"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "igfcli", *args, "--data", folder],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        run = Run(done.returncode, done.stdout.decode(), done.stderr.decode())
        assert_shown_not_obeyed(run)
        assert "\\udcff" in run.stdout + run.stderr, run
