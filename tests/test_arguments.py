"""Hostile command-line arguments: each is one `igf: error:` line and exit 2, never a traceback or a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.helpers import Run, data_folder, igf

SMALL = DATA / "small"


def assert_usage_error(run: Run, *, mentions: str = "") -> None:
    assert "Traceback" not in run.stderr + run.stdout
    assert (run.exit_code, run.stdout) == (2, ""), run.stderr
    assert run.stderr.startswith("igf: error: ") and run.stderr.count("\n") == 1, run.stderr
    assert mentions in run.stderr


@pytest.mark.parametrize(
    "args",
    [
        # NaN passes every range check (no comparison with it is true), infinity every lower bound
        ["rank", "--level", "nan"],
        ["rank", "--level", "NaN"],
        ["report", "--level", "inf"],
        ["benchmark", "--alpha", "nan"],
        ["benchmark", "--weeks", "nan"],
        ["benchmark", "--weeks", "inf"],
        ["benchmark", "--weeks", "Infinity"],
        ["benchmark", "--tolerance-weeks", "nan"],
        ["benchmark", "--tolerance-weeks", "inf"],
        ["benchmark", "--threshold", "nan"],
        ["benchmark", "--threshold", "inf%"],
        # Python reads 1_0 as 10, and digits of every script as digits
        ["benchmark", "--threshold", "1_0%"],
        ["benchmark", "--threshold", "0.1_0"],
        ["benchmark", "--threshold", "３０%"],
        ["benchmark", "--threshold", "٣٠%"],
        ["benchmark", "--threshold", "٠.٣"],
        ["benchmark", "--threshold", "1e-1"],
        ["rank", "--level", "0.9_5"],
        ["rank", "--level", "٠.٩٥"],
        ["benchmark", "--weeks", "1_2"],
        ["benchmark", "--weeks", "１２"],
        ["benchmark", "--alpha", "5e-2"],
        ["halted", "--as-of", "２０１４"],
        ["halted", "--as-of", "٢٠١٤"],
        ["halted", "--as-of", "2_014"],
    ],
)
def test_a_number_that_is_not_plain_ascii_digits_is_refused(args: list[str]) -> None:
    assert_usage_error(igf(*args, "--data", SMALL), mentions=args[1])


def test_plain_numbers_still_read() -> None:
    for args in (
        ["rank", "--level", "0.9"],
        ["rank", "--level", ".90"],
        ["benchmark", "--threshold", "30%", "--weeks", "12", "--tolerance-weeks", "0", "--alpha", "0.1"],
        ["benchmark", "--threshold", "0.3"],
        ["halted", "--as-of", "2014"],
    ):
        run = igf(*args, "--data", SMALL, "-f", "csv")
        assert run.exit_code == 0, (args, run.stderr)


def test_new_refuses_a_count_in_other_digits(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    for enrolled in ("１２", "1_2", "nan"):
        run = igf(
            "new", "doe-2012-alphamab", "--data", data, "--regimen", "AM-1", "--phase", "2",
            "--title", "T", "--citation", "C", "--enrolled", enrolled,
        )  # fmt: skip
        assert_usage_error(run, mentions="--enrolled")
    assert sorted(p.name for p in data.iterdir()) == ["agents.yaml"]


@pytest.mark.parametrize(
    "option", ["--agent", "--sponsor", "--class", "--phase", "--histology", "--condition"]
)
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_filter_is_refused_like_every_other(option: str, value: str) -> None:
    # "" is contained in every text: an empty --histology or --condition would select everything
    for command in ("trials", "rank", "benchmark", "report"):
        run = igf(command, "--data", SMALL, option, value)
        assert_usage_error(run)
        assert (
            run.stderr == f"igf: error: {option}: '{value}' is empty; give a value, or leave the option out\n"
        )
    assert_usage_error(igf("rank", "--data", SMALL, option, "sarcoma", option, value))


def test_the_choices_of_status_and_phase_are_the_records_own() -> None:
    # the options name the same values the record reader accepts, in the same order
    from igfcli.commands.answers import Status
    from igfcli.commands.curators import PhaseChoice
    from igfcli.model import PHASES, STATUSES

    assert tuple(s.value for s in Status) == STATUSES
    assert tuple(p.value for p in PhaseChoice) == PHASES
