"""The bad-input corpus: a data folder holding one bad file, and the checks every bad input must pass."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DATA
from tests.helpers import Run, data_folder, igf

BAD = DATA / "bad"
RECORDS = BAD / "records"
CATALOGS = BAD / "catalog"
AGENTS = DATA / "small" / "agents.yaml"
__all__ = ["data_folder"]  # the shared builder, re-exported for the corpus tests
VALID = DATA / "small" / "trial-a.yaml"


def summary(errors: int, warnings: int, trials: int | None, agents: int = 0, folder: str = "data") -> str:
    """validate's last line; `trials=None` when nothing could be loaded at all."""

    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    loaded = "nothing" if trials is None else f"{count(trials, 'trial record')} and {count(agents, 'agent')}"
    return f"{folder}: {count(errors, 'error')}, {count(warnings, 'warning')} ({loaded} loaded)\n"


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr + run.stdout


def assert_refused(data: Path | str, problems: list[str], *, agents: int = 3, trials: int = 0) -> None:
    """`igf validate` exits 1 listing exactly `problems`; `igf trials` exits 2 listing the same."""
    lines = "".join(f"{p}\n" for p in problems)
    checked = igf("validate", "--data", data)
    assert_no_traceback(checked)
    errors = sum(": warning: " not in p for p in problems)
    warnings = len(problems) - errors
    assert (checked.exit_code, checked.stdout) == (1, "")
    assert checked.stderr == lines + summary(errors, warnings, trials, agents, str(data))

    analysed = igf("trials", "--data", data, "--format", "csv")
    assert_no_traceback(analysed)
    assert (analysed.exit_code, analysed.stdout) == (2, "")
    noun = "error" if errors == 1 else "errors"
    assert analysed.stderr == lines + (
        f"igf: error: {errors} {noun} in the data; nothing was computed (igf validate lists every problem)\n"
    )


def assert_warned(data: Path | str, problems: list[str], *, agents: int = 3, trials: int = 1) -> None:
    """Warnings alone: `igf validate` exits 0 (1 with --strict) and lists them; analyses still run."""
    lines = "".join(f"{p}\n" for p in problems)
    expected = lines + summary(0, len(problems), trials, agents, str(data))
    checked = igf("validate", "--data", data)
    assert (checked.exit_code, checked.stdout, checked.stderr) == (0, "", expected)
    strict = igf("validate", "--strict", "--data", data)
    assert (strict.exit_code, strict.stdout, strict.stderr) == (1, "", expected)
    analysed = igf("trials", "--data", data, "--format", "csv")
    assert analysed.exit_code == 0, analysed.stderr
    assert_no_traceback(analysed)
