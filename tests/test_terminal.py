"""Tables in a real terminal: at any width from 60 columns, no id or agent name is ever broken,
and at 80 columns the main job's answers are tables, not blocks of `field: value` lines."""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import igf

WIDTHS = [60, 72, 80, 100, 120, 160, 200]
# command -> the csv columns that hold ids and names
COMMANDS = {
    ("rank",): ["regimen"],
    ("rank", "--by", "trial"): ["trial"],
    ("rank", "--by", "cohort"): ["trial"],
    ("halted", "--all"): ["agent"],
    ("benchmark",): ["trial"],
    ("trials",): ["id"],
    ("agents",): ["name"],
    ("randomised",): ["trial"],
}


def _names(command: tuple[str, ...], fields: list[str]) -> set[str]:
    rows = csv.DictReader(io.StringIO(igf(*command, "-f", "csv").stdout))
    return {row[f] for row in rows for f in fields if row[f]}


@pytest.mark.parametrize("command", list(COMMANDS), ids=" ".join)
def test_no_table_breaks_an_id_or_a_name(command: tuple[str, ...]) -> None:
    names = _names(command, COMMANDS[command])
    assert names
    for width in WIDTHS:
        run = igf(*command, env={"COLUMNS": str(width)})
        assert run.exit_code == 0, run.stderr
        broken = sorted(n for n in names if n not in run.stdout)
        assert broken == [], f"at {width} columns"
        assert max(len(line) for line in run.stdout.splitlines()) <= max(width, max(map(len, names)) + 4)


@pytest.mark.parametrize("command", [("rank",), ("halted",), ("benchmark",), ("randomised",)], ids=" ".join)
def test_the_answers_are_tables_at_80_columns(command: tuple[str, ...]) -> None:
    out = igf(*command, env={"COLUMNS": "80"}).stdout
    lines = out.splitlines()
    assert any(set(line.strip()) == {"─"} for line in lines), out  # a header rule: a table
    assert not any(line.startswith(("Trial: ", "Agent: ", "Rank: ", "Sponsor: ")) for line in lines), out


def test_a_narrow_table_says_which_columns_it_left_out() -> None:
    out = igf("rank", env={"COLUMNS": "60"}).stdout
    assert "Left out at this width: Estimated, Responders" in out.replace("\n", " ")
    wide = igf("rank", env={"COLUMNS": "160"}).stdout
    assert "Left out" not in wide


def test_colour_marks_the_verdict_and_the_words_say_the_same_without_it() -> None:
    env = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "200"}
    coloured = igf("benchmark", "--with-data", env=env).stdout
    below = next(line for line in coloured.splitlines() if "pappo-2014-r1507-sarcoma" in line)
    meets = next(line for line in coloured.splitlines() if "adipocytic" in line)
    assert "\x1b[31m" in below and "below" in below  # red
    assert "\x1b[32m" in meets and "meets" in meets  # green
    plain = igf("benchmark", "--with-data", env={**env, "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in plain
    assert [line.split()[-3:] for line in plain.splitlines() if "pappo-2014" in line] == [
        ["below", "<0.001", "yes"]
    ]


LABELS = {"Field", "Value", "Field:", "Value:"}  # the table's headings, or each block's labels


def _words(text: str) -> list[str]:
    return sorted(w for w in text.split() if w not in LABELS)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_show_loses_no_word_of_any_bundled_trial_at_any_width(width: int) -> None:
    # every word of every field and value is printed whole: none cropped at the edge, none cut
    ids = [row["id"] for row in csv.DictReader(io.StringIO(igf("trials", "-f", "csv").stdout))]
    assert len(ids) >= 20
    for trial in ids:
        rows = list(csv.DictReader(io.StringIO(igf("show", trial, "-f", "csv").stdout)))
        expected = _words(f"{trial} " + " ".join(f"{r['field']} {r['value']}" for r in rows))
        run = igf("show", trial, env={"COLUMNS": str(width)})
        assert run.exit_code == 0, run.stderr
        printed = " ".join(_words(run.stdout.replace("─", " ")))
        # nothing cropped: the same characters, every one; a word that fits is whole (a link
        # wider than the terminal can only be folded)
        assert sorted("".join(printed.split())) == sorted("".join(expected)), f"{trial} at {width}"
        whole = set(printed.split())
        assert [w for w in expected if len(w) <= width - 4 and w not in whole] == [], f"{trial} at {width}"
        assert max(len(line) for line in run.stdout.splitlines()) <= width


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_two_arms_of_one_trial_never_read_as_one_row(width: int) -> None:
    # fuchs-2015 compares two doses with placebo: each row names its experimental arm at any width
    out = igf("randomised", env={"COLUMNS": str(width)}).stdout
    for dose in ("12 mg/kg", "20 mg/kg"):  # once for OS, once for PFS
        assert out.count(dose) == 2, f"at {width} columns"


@pytest.mark.parametrize("width", [20, 30, 40, 50, 60])
@pytest.mark.parametrize("command", [c for c in COMMANDS if c[0] != "agents"], ids=" ".join)
def test_a_listing_with_no_row_is_drawn_at_any_width(
    command: tuple[str, ...], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a selection that leaves nothing (the small fixture has no randomised trial, and the
    # agent filter below matches no trial) once ended in a traceback below 60 columns
    from tests.conftest import DATA

    monkeypatch.setenv("COLUMNS", str(width))
    args = ("--data", str(DATA / "small"))
    if command[0] != "randomised":
        args += ("--agent", "betinib")
    done = igf(*command, *args)
    assert done.exit_code == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stdout.strip()
