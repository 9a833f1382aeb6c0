"""What each cost a user a minute: validate as JSON, -o - for stdout, percentages for proportions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.corpus import RECORDS
from tests.helpers import data_folder, igf

SMALL = Path(__file__).parent / "data" / "small"


def test_validate_lists_the_problems_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path, RECORDS / "float-count.yaml", RECORDS / "rate-disagrees.yaml")
    run = igf("validate", "--data", "data", "--format", "json")
    assert run.exit_code == 1
    assert json.loads(run.stdout) == [
        {
            "path": "data/float-count.yaml",
            "line": 8,
            "column": 15,
            "field": "response.responders",
            "message": "15.0 is not a count; write 15",
            "severity": "error",
        },
        {
            "path": "data/rate-disagrees.yaml",
            "line": 9,
            "column": 18,
            "field": "response.reported_rate",
            "message": "15.2% disagrees with responders / evaluable (5/38 = 13.2%)",
            "severity": "warning",
        },
    ]
    # the summary stays on stderr, so stdout is the JSON alone
    assert run.stderr == "data: 1 error, 1 warning (1 trial record and 3 agents loaded)\n"
    clean = igf("validate", "--data", SMALL, "-f", "json")
    assert (clean.exit_code, clean.stdout) == (0, "[]\n")


def test_dash_as_the_report_file_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = igf("report", "--data", SMALL, "-o", "-")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("# IGF-1R inhibitor trials: evidence summary\n")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(("given", "level"), [("0.9", 0.9), ("90%", 0.9), ("99.5%", 0.995)])
def test_a_level_is_a_fraction_or_a_percentage(given: str, level: float) -> None:
    row = json.loads(igf("rank", "--data", SMALL, "--level", given, "-f", "json").stdout)[0]
    assert row["level"] == level


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("90", "90 is more than 1; write 90% for a percentage, or 0.9 for a fraction"),
        ("nan", "'nan' is not a number; write 0.95 or 95%"),
        ("1_0%", "'1_0%' is not a number; write 0.95 or 95%"),
        ("٩٠%", "'٩٠%' is not a number; write 0.95 or 95%"),
        ("0.1", "0.1 is not between 0.5 and 0.999 (50% and 99.9%)"),
        # a negative number is a number out of range, not "not a number"
        ("-0.5", "-0.5 is not between 0.5 and 0.999 (50% and 99.9%)"),
        ("-95%", "-95% is not between 0.5 and 0.999 (50% and 99.9%)"),
        ("--5", "'--5' is not a number; write 0.95 or 95%"),
    ],
)
def test_a_level_that_is_not_a_proportion_is_refused(given: str, message: str) -> None:
    run = igf("rank", "--data", SMALL, "--level", given)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"igf: error: Invalid value for '--level': {message} (see 'igf rank --help')\n"


@pytest.mark.parametrize(("percent", "fraction"), [("99.9%", "0.999"), ("50%", "0.5"), ("95%", "0.95")])
def test_a_level_as_a_percentage_is_the_same_level_as_the_fraction(percent: str, fraction: str) -> None:
    # 99.9% was refused as above 0.999: 99.9 / 100 is 0.9990000000000001 in floating point
    for command in (["rank", "--by", "trial"], ["report"]):
        as_percent = igf(*command, "--data", SMALL, "--level", percent)
        assert as_percent.exit_code == 0, as_percent.stderr
        assert as_percent.stdout == igf(*command, "--data", SMALL, "--level", fraction).stdout


def test_an_alpha_that_is_not_a_number_suggests_an_alpha() -> None:
    run = igf("benchmark", "--data", SMALL, "--alpha", "nan")
    assert (run.exit_code, run.stderr) == (
        2,
        "igf: error: Invalid value for '--alpha': 'nan' is not a number; write 0.05 or 5% "
        "(see 'igf benchmark --help')\n",
    )


@pytest.mark.parametrize("given", ["0", "0%", "0.00001", "51%"])
def test_an_alpha_out_of_range_names_the_range_as_given(given: str) -> None:
    # the lower end is 0.0001: as a percentage 0.01%, not "0.0%"
    run = igf("benchmark", "--data", SMALL, "--alpha", given)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        f"igf: error: Invalid value for '--alpha': {given} is not between 0.0001 and 0.5 (0.01% and 50%) "
        "(see 'igf benchmark --help')\n"
    )


def test_alpha_takes_a_percentage_too() -> None:
    as_fraction = igf("benchmark", "--data", SMALL, "--alpha", "0.2", "-f", "csv").stdout
    assert igf("benchmark", "--data", SMALL, "--alpha", "20%", "-f", "csv").stdout == as_fraction
    # the third row's p of 0.193 is significant at 20%, not at the default 5%
    assert as_fraction != igf("benchmark", "--data", SMALL, "-f", "csv").stdout


def test_a_known_value_with_nothing_to_show_says_so_on_stderr() -> None:
    # MEDI-573 is in the catalog, with no trial in the bundled records
    run = igf("trials", "--agent", "MEDI-573", "-f", "csv")
    assert run.exit_code == 0
    assert run.stdout.count("\n") == 1  # the header alone
    assert run.stderr == "igf: none for agent MEDI-573 in: Trials\n"
    # palbociclib has a trial, but its program is not halted
    halted = igf("halted", "--agent", "palbociclib", "-f", "csv")
    assert (halted.exit_code, halted.stderr) == (
        0,
        "igf: none for agent palbociclib in: Halted programs by sponsor\n",
    )
    # a value as typed, which folds to a known one (a line separator is a space to the filter):
    # quoted with its hidden character shown, not sent
    hidden = igf("halted", "--agent", "palbociclib", "--sponsor", "Pfizer\u2028", "-f", "csv")
    assert (hidden.exit_code, hidden.stderr) == (
        0,
        "igf: none for agent palbociclib; sponsor Pfizer\\u2028 in: Halted programs by sponsor\n",
    )
    # a value the data does not know is still an error
    unknown = igf("trials", "--agent", "no-such-agent")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("igf: error: --agent: ")


def test_benchmark_can_leave_out_the_rows_with_no_data() -> None:
    rows = json.loads(igf("benchmark", "-f", "json").stdout)
    kept = json.loads(igf("benchmark", "--with-data", "-f", "json").stdout)
    assert kept == [r for r in rows if r["verdict"] != "no-data"]
    assert 0 < len(kept) < len(rows)
