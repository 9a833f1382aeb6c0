"""The README's terminal sessions are real: each `$ igf ...` block is run and compared whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SESSION = re.compile(r"```console\n\$ (igf [^\n]*)\n(.*?)```", re.DOTALL)


def _sessions() -> list[tuple[str, str]]:
    return SESSION.findall((REPO / "README.md").read_text(encoding="utf-8"))


def test_the_readme_shows_sessions() -> None:
    commands = [command.split()[1] for command, _ in _sessions()]
    assert {"rank", "halted", "benchmark", "validate"} <= set(commands)


@pytest.mark.parametrize(("command", "expected"), _sessions(), ids=lambda v: str(v)[:40])
def test_readme_session_output_is_current(command: str, expected: str) -> None:
    env = {
        **os.environ,
        "COLUMNS": "100",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("IGF_DATA", None)
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        f"{command} 2>&1",
        shell=True,
        executable="/bin/bash",
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout == expected
