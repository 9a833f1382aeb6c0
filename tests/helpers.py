"""Running the command line in process, with stdout and stderr kept apart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from igfcli.cli import app


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def igf(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)
