"""Hostile command-line arguments: each is one `igf: error:` line and exit 2, never a traceback or a guess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# Every path a command takes, given empty: an unset $DIR in a script. Each would otherwise be
# this folder, read or written unasked.
EMPTY_PATHS = [
    *(
        [command, "--data", ""]
        for command in (
            "validate",
            "trials",
            "agents",
            "rank",
            "halted",
            "benchmark",
            "randomised",
            "report",
        )
    ),
    ["show", "x", "--data", ""],
    ["rank", "--plot", ""],
    ["report", "-o", ""],
    ["init", ""],
    ["new", "x", "--data", "", "--regimen", "AM-1", "--phase", "2", "--title", "T", "--citation", "C"],
    ["import", "ctgov", "study.json", "--data", ""],
    ["import", "ctgov", ""],
]


@pytest.mark.parametrize("args", EMPTY_PATHS, ids=lambda args: " ".join(args).replace('""', "''"))
def test_an_empty_path_is_refused_and_nothing_is_read_or_written(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path)  # a folder an empty path must not reach: ./data, beside nothing else
    run = igf(*args)
    assert_usage_error(run, mentions="an empty path names no file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["report", "-o", "out/x.md/"], "'--output' / '-o'"),
        (["report", "-o", "out/x.md/."], "'--output' / '-o'"),
        (["report", "-o", "out/.."], "'--output' / '-o'"),
        (["rank", "--plot", "out/forest.svg/"], "'--plot'"),
        (["rank", "--plot", "out/forest.svg/."], "'--plot'"),
    ],
)
def test_a_file_named_with_a_trailing_separator_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str
) -> None:
    # "x.md/" names a folder; as a path it would lose the separator and name the file x.md
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    run = igf(*args, "--data", DATA / "small")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr.startswith(
        f"igf: error: Invalid value for {option}: '{args[2]}' names a folder; name a file"
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_every_path_option_names_a_file_or_a_folder() -> None:
    # the check above keys on FILE: every path a command takes is a FILE it reads or writes, or
    # a data folder, so that a new output option cannot go without it
    from typer.main import get_command

    from igfcli.commands import build

    def paths(command: Any) -> Iterator[tuple[str, str]]:
        for param in getattr(command, "params", ()):
            if type(param.type).__name__.endswith("TyperPath"):
                yield param.name, str(param.metavar or "")
        for sub in getattr(command, "commands", {}).values():
            yield from paths(sub)

    found = set(paths(get_command(build())))
    assert found, found
    folders = {"data", "folder"}
    assert all(metavar.startswith("FILE") or name in folders for name, metavar in found), found


def test_every_path_a_command_takes_is_among_the_empty_paths_tried() -> None:
    from igfcli.commands import _parser

    def paths(command: Any, words: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [(*words, p.name) for p in command.params if "Path" in type(p.type).__name__]
        for name, sub in getattr(command, "commands", {}).items():
            found += paths(sub, (*words, name))
        return found

    declared = paths(_parser(None), ())
    # one case a path parameter, and the import's FILE (text, for '-'), each command among the cases
    assert len(declared) == len(EMPTY_PATHS) - 1, declared
    assert {words[:-1] for words in declared} == {
        ("import", "ctgov") if args[0] == "import" else (args[0],) for args in EMPTY_PATHS
    }


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


def test_all_and_status_together_are_a_usage_error() -> None:
    # --all lists every status: a --status beside it would be silently ignored
    run = igf("halted", "--data", DATA / "small", "--all", "--status", "approved")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "igf: error: --all lists every status; give --status or --all, not both\n"
    assert igf("halted", "--data", DATA / "small", "--all").exit_code == 0
    assert igf("halted", "--data", DATA / "small", "--status", "halted").exit_code == 0


@pytest.mark.parametrize(
    ("args", "option", "vocabulary"),
    [
        (["halted", "--status"], "--status", "STATUSES"),
        (
            ["new", "x", "--regimen", "alphamab", "--title", "t", "--citation", "c", "--phase"],
            "--phase",
            "PHASES",
        ),
    ],
)
def test_the_choices_of_status_and_phase_are_the_records_own(
    args: list[str], option: str, vocabulary: str
) -> None:
    # an option offers the values the record reader accepts, in the same order, as its error says
    import igfcli.model

    result = igf(*args, "none-such")
    offered = ", ".join(f"'{value}'" for value in getattr(igfcli.model, vocabulary))
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': 'none-such' is not one of {offered}." in result.stderr


@pytest.mark.parametrize(
    ("threshold", "shown", "verdict", "p_trial_a"),
    # trial-a: 25% of 40 at 12 weeks, k = 10; p = P(X <= 10 | n = 40, p = threshold), by scipy's binom.cdf
    [
        ("25.4%", "25.4%", "below", "0.561"),
        ("12.5%", "12.5%", "meets", "0.992"),
        ("0.333", "33.3%", "below", "0.173"),
    ],
)
def test_a_threshold_is_stated_with_every_digit_it_was_given(
    threshold: str, shown: str, verdict: str, p_trial_a: str
) -> None:
    # a threshold printed rounded (25% for 25.4%) would contradict the verdicts: 25.0% is below 25.4%
    run = igf("benchmark", "--data", SMALL, "--threshold", threshold, "-f", "markdown")
    assert run.exit_code == 0, run.stderr
    assert f"progression-free rate of {shown} at 12 weeks; source: set on the command line." in run.stdout
    assert f"binomial test of the rate against {shown} " in run.stdout
    [row] = [line for line in run.stdout.splitlines() if line.startswith("| trial-a ")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[6:8] == [verdict, p_trial_a], cells


def test_a_time_point_of_ones_own_says_whose_threshold_it_tests() -> None:
    run = igf("benchmark", "--data", SMALL, "--weeks", "26", "-f", "markdown")
    assert run.exit_code == 0, run.stderr
    assert (
        "Benchmark: progression-free rate of 30% at 26 weeks; source: the time point set on the command "
        "line; the threshold from Chmielowski B. Cancer. 2014;120:2384-2387"
    ) in run.stdout


def test_a_time_point_too_large_to_be_a_number_is_refused() -> None:
    run = igf("benchmark", "--data", SMALL, "--weeks", "9" * 400)
    assert (run.exit_code, run.stdout, run.stderr) == (
        2,
        "",
        "igf: error: --weeks: inf is not a number of weeks\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [],
            "igf: error: name a command: validate, trials, show, agents, rank, halted, benchmark, "
            "randomised, report, init, schema, new, import (see 'igf --help')\n",
        ),
        (["import"], "igf: error: name a command: ctgov (see 'igf import --help')\n"),
    ],
)
def test_no_command_is_a_usage_error_in_one_line(args: list[str], message: str) -> None:
    run = igf(*args)
    assert (run.exit_code, run.stdout, run.stderr) == (2, "", message)
