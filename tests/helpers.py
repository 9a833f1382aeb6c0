"""Running the command line in process, exactly as the `igf` script does, with stdout and stderr apart."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from igfcli.commands import run


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def igf(*args: str | Path, env: dict[str, str] | None = None, input: str | bytes | None = None) -> Run:
    with CliRunner().isolation(input=input, env=env) as (stdout, stderr, _):
        try:
            code = run([str(a) for a in args])
        except SystemExit as exc:  # raised by a command as its own way out (a closed stdout, say)
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return Run(code, stdout.getvalue().decode(), stderr.getvalue().decode())
