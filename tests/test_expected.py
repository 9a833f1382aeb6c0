"""Whole output of every analysis in every format, against files in tests/expected/.

The fixture folder tests/data/small holds figures that can be checked by hand:
trial-a, 5 of 38 evaluable respond; trial-b reports "10%" of 50, so 5
responders are estimated; its liposarcoma cohort has 3 of 28. The intervals
in these files were compared with scipy.stats.binomtest(k, n).proportion_ci
(exact and wilson), and the benchmark p-values with scipy.stats.binom.cdf(k,
n, threshold) (k = 10 of 40, 12 of 30 and 5 of 25), when the files were written;
test_outputs.py re-checks those figures against scipy on every run.
"""

from __future__ import annotations

import pytest

from tests.conftest import DATA, TESTS
from tests.helpers import igf

CASES = {
    "rank.tsv": ["rank", "-f", "tsv"],
    "rank-by-cohort.json": ["rank", "-f", "json", "--by", "cohort"],
    "rank-by-trial-wilson.csv": ["rank", "-f", "csv", "--by", "trial", "--ci", "wilson"],
    "rank.table": ["rank"],
    "halted.json": ["halted", "-f", "json"],
    "halted.markdown": ["halted", "-f", "markdown"],
    "halted-all.table": ["halted", "--all"],
    "benchmark-eortc.json": ["benchmark", "-f", "json", "--preset", "eortc-2002"],
    "benchmark.markdown": ["benchmark", "-f", "markdown"],
    "benchmark-below.tsv": ["benchmark", "-f", "tsv", "--only-below"],
    "benchmark.table": ["benchmark"],
    "trials.json": ["trials", "-f", "json"],
    "agents.markdown": ["agents", "-f", "markdown"],
    "agents.csv": ["agents", "-f", "csv"],
}


def test_every_expected_file_has_a_case() -> None:
    assert sorted(p.name for p in (TESTS / "expected").iterdir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_expected_file(name: str) -> None:
    run = igf(*CASES[name], "--data", DATA / "small", env={"COLUMNS": "100"})
    assert run.exit_code == 0, run.stderr
    assert run.stdout == (TESTS / "expected" / name).read_text(encoding="utf-8")
