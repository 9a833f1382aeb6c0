"""Writing files under hostile names and signals: one error line, and never a temporary file left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.corpus import VALID
from tests.helpers import Run, data_folder, igf

NEW = ["--regimen", "AM-1", "--phase", "2", "--title", "T", "--citation", "C"]


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def assert_one_error(run: Run, code: int = 2) -> None:
    assert "Traceback" not in run.stderr + run.stdout
    assert (run.exit_code, run.stdout) == (code, ""), run.stderr
    lines = run.stderr.splitlines()
    assert lines[-1].startswith("igf: error: ") and len(lines) == 1, run.stderr[:500]
    assert len(run.stderr) < 1000  # a path too long to use is not printed whole


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- names longer than the system allows ----------------------------------------------------------


def test_a_report_file_name_over_the_limit(tmp_path: Path) -> None:
    data_folder(tmp_path, VALID)
    for name in ("r" * 300 + ".md", "r/" * 66_000 + "r.md"):  # one name of 300 bytes; a path of 132 KB
        assert_one_error(igf("report", "--data", "data", "-o", name))
        assert_one_error(igf("report", "--data", "data", "-o", name, "--force"))
    assert _leftovers(tmp_path) == []


def test_a_new_record_id_over_the_limit(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    for length in (251, 256, 1000):
        assert_one_error(igf("new", "a" * length, "--data", data, *NEW))
    assert sorted(p.name for p in data.iterdir()) == ["agents.yaml"]


def test_a_data_path_over_the_limit(tmp_path: Path) -> None:
    long = "d/" * 66_000 + "data"
    checked = igf("validate", "--data", long)
    assert checked.exit_code == 1 and "Traceback" not in checked.stderr
    assert len(checked.stderr) < 1000 and "File name too long" in checked.stderr
    for args in (["trials"], ["rank"], ["report"], ["new", "doe-2011", *NEW]):
        run = igf(*args, "--data", long)
        assert run.exit_code == 2 and "Traceback" not in run.stderr
        assert len(run.stderr) < 1000


def test_an_import_file_path_over_the_limit(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    run = igf("import", "ctgov", "s/" * 66_000 + "study.json", "--data", data)
    assert (run.exit_code, run.stdout, "Traceback" in run.stderr) == (2, "", False)
    [message, error] = run.stderr.splitlines()
    assert message.endswith("(a path of 132,010 characters): cannot be read: File name too long")
    assert error == "igf: error: nothing was imported" and len(message) < 200


# --- signals during a write -------------------------------------------------------------------------

SLOW_WRITE = """\
import os, sys, time
def slow(fd):
    sys.stderr.write("writing\\n")
    sys.stderr.flush()
    time.sleep(60)
os.fsync = slow
from igfcli.commands import main
sys.argv[0] = "igf"
main()
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1])
def test_a_signal_during_a_report_write_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    data_folder(tmp_path, VALID)
    old = tmp_path / "report.md"
    old.write_text("the old report\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "IGF_NO_CACHE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, "report", "--data", "data", "-o", "report.md", "--force"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert proc.stderr.readline() == "writing\n"  # the temporary file is on disk, half written
    assert len(_leftovers(tmp_path)) == 1
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    name = signal.Signals(signum).name
    assert (proc.returncode, out, err) == (128 + signum, "", f"\nigf: stopped by {name}\n")
    assert _leftovers(tmp_path) == []
    assert old.read_text() == "the old report\n"
