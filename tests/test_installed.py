"""End to end: the wheel, installed outside the source tree, runs `igf` on its bundled records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers import data_folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # pip builds the wheel from the source tree (as `pip install .` does) and installs it, with
    # its `igf` script, into a folder of its own
    site = tmp_path_factory.mktemp("installed") / "site"
    subprocess.run(
        [
            sys.executable,
            *("-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"),
            *("--target", str(site), str(REPO)),
        ],
        check=True,
        capture_output=True,
    )
    return site


def _run(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "COLUMNS": "100"}
    env.pop("IGF_DATA", None)
    return subprocess.run(
        [str(site / "bin" / "igf"), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_installed_igf_uses_its_own_bundled_records(installed: Path, tmp_path: Path) -> None:
    where = _run(installed, "--version", cwd=tmp_path)
    assert where.returncode == 0 and where.stdout.startswith("igf ")
    probe = subprocess.run(
        [sys.executable, "-c", "import igfcli.records.folder as l; print(l.bundled_data())"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    bundled = Path(probe.stdout.strip())
    assert bundled.is_relative_to(installed), bundled  # not the source checkout's trials/
    assert (bundled / "agents.yaml").is_file()

    validate = _run(installed, "validate", cwd=tmp_path)
    assert validate.returncode == 0, validate.stderr
    assert " 0 errors" in validate.stderr

    rank = _run(installed, "rank", "--format", "csv", cwd=tmp_path)
    assert rank.returncode == 0, rank.stderr
    assert rank.stdout.startswith("rank,regimen,agents,trials,")


@pytest.fixture(scope="module")
def many_trials(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough records that the csv output outgrows a pipe's buffer."""
    texts: dict[str, str | bytes] = {
        f"t{i:04d}.yaml": f"id: t{i:04d}\ntitle: Trial number {i} with a title long enough to fill the pipe\n"
        "regimen: [alphamab]\nphase: '2'\nenrolled: 20\n"
        "response: {evaluable: 20, responders: 2}\nsources: [{citation: made up}]\n"
        for i in range(1500)
    }
    return data_folder(tmp_path_factory.mktemp("many"), catalog="agents:\n  - name: alphamab\n", texts=texts)


@pytest.mark.parametrize("reader", ["| head -1", ">&-"])
def test_closed_or_broken_stdout_ends_quietly(
    installed: Path, many_trials: Path, tmp_path: Path, reader: str
) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    command = f"'{installed / 'bin' / 'igf'}' trials --data '{many_trials}' --format csv {reader}"
    done = subprocess.run(
        f'{command}; echo "status ${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.splitlines()
    if reader.startswith("|"):
        assert lines[0].startswith("id,regimen,")
        assert lines[-1] == "status 0"
        assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr, done.stderr
    else:
        assert lines[-1] == "status 2"
        assert done.stderr == "igf: error: standard output is closed; nothing was written\n"


def test_installed_igf_never_writes_into_its_own_evidence_base(installed: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in (installed / "igfcli" / "trials").iterdir())
    new = _run(
        installed,
        *("new", "doe-2020-figitumumab", "--regimen", "figitumumab", "--phase", "2"),
        *("--title", "A trial", "--citation", "Doe J. J. 2020;1:1"),
        cwd=tmp_path,
    )
    assert new.returncode == 2 and new.stdout == ""
    assert "is the evidence base installed with igf" in new.stderr and "--data" in new.stderr
    fixture = REPO / "tests" / "data" / "ctgov" / "NCT04267848.json"
    imported = _run(installed, "import", "ctgov", str(fixture), cwd=tmp_path)
    assert imported.returncode == 2 and "is the evidence base installed with igf" in imported.stderr
    assert sorted(p.name for p in (installed / "igfcli" / "trials").iterdir()) == before
    # a dry run writes nothing, so it may read the bundled catalog
    dry = _run(installed, "import", "ctgov", "--dry-run", str(fixture), cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
