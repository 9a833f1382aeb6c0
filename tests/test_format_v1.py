"""A folder in the first record format still reads, and gives what the first version printed.

tests/data/format-v1/trials holds the five records and the catalog as the first version
bundled them (before program histories, arms and comparisons); printed/ holds that version's
own CSV output on them. They test the format, not the evidence: trials/ holds the records as
they stand now, corrected and grown since. Later versions add columns at the end and never rename one, so each
earlier column must come out unchanged, value for value.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.helpers import igf

HERE = Path(__file__).parent / "data" / "format-v1"


def test_a_first_format_folder_validates_without_errors() -> None:
    done = igf("validate", "--data", HERE / "trials")
    assert done.exit_code == 0, done.stderr
    assert "0 errors, 3 warnings (5 trial records and 11 agents loaded)" in done.stderr + done.stdout


@pytest.mark.parametrize("command", ["rank", "halted", "benchmark"])
def test_every_first_version_column_is_printed_as_it_was(command: str) -> None:
    printed = (HERE / "printed" / f"{command}.csv").read_text()
    done = igf(command, "--format", "csv", "--data", HERE / "trials")
    assert done.exit_code == 0, done.stderr
    old = list(csv.reader(io.StringIO(printed)))
    new = list(csv.reader(io.StringIO(done.stdout)))
    assert new[0][: len(old[0])] == old[0]  # the first version's columns, first and in order
    assert [row[: len(old[0])] for row in new] == old
