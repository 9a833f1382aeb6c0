"""The markdown report: parsed as GitHub-flavoured markdown, tables checked for shape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.conftest import DATA
from tests.helpers import data_folder, igf

SMALL = DATA / "small"


def _tables(text: str) -> list[list[list[str]]]:
    """Every table in the document as rows of cell texts (header row first)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            inline: Token = tokens[i + 1]
            assert row is not None
            row.append(inline.content)
        elif token.type == "tr_close":
            assert row is not None
            tables[-1].append(row)
    return tables


def _headings(text: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def test_report_structure_and_tables() -> None:
    run = igf("report", "--data", SMALL)
    assert run.exit_code == 0, run.stderr
    assert _headings(run.stdout) == [
        "IGF-1R inhibitor trials: evidence summary",
        "Response rates",
        "By regimen",
        "By trial",
        "Halted programs by sponsor",
        "Progression-free rate against the sarcoma benchmark",
        "Randomised comparisons",
        "Evidence checks",
        "Trials",
        "Methods",
        "References",
    ]
    assert "No randomised comparison in the selection." in run.stdout
    tables = _tables(run.stdout)
    assert len(tables) == 4
    for table in tables:
        assert len({len(row) for row in table}) == 1, table  # every row as wide as the header
    by_regimen, by_trial, halted, benchmark = tables
    assert by_regimen == [
        ["Rank", "Regimen", "Trials", "Responders/evaluable", "ORR", "95% CI", "Sources"],
        ["1", "alphamab", "1", "5/38", "13.2%", "4.4%–28.1%", "[1]"],
        ["2", "alphamab + gammalimus", "1", "5/50 (est.)", "10.0%", "3.3%–21.8%", "[2]"],
    ]
    assert [row[:2] for row in by_trial[1:]] == [["1", "trial-a"], ["2", "trial-b"]]
    assert halted[1][:2] == ["Acme", "alphamab"]
    assert [row[:2] + row[6:8] for row in benchmark[1:]] == [
        ["trial-a", "(whole trial)", "below", "0.309"],
        ["trial-b", "leiomyosarcoma", "meets", "0.916"],
        ["trial-b", "liposarcoma", "below", "0.193"],
    ]
    # every number cited is in the reference list, in order of first citation
    refs = run.stdout.split("## References\n\n")[1].splitlines()
    assert refs == [
        "1. Doe J, et al. Made-up Journal. 2010;1:1-2.",
        "2. Roe R, et al. Made-up Journal. 2011;2:3-4. PMID: 123.",
        "3. Chmielowski B. Cancer. 2014;120:2384-2387 (citing Arcaro A. Front Pharmacol. 2013;4:30).",
    ]


def test_report_lists_the_randomised_comparisons() -> None:
    run = igf("report", "--data", DATA / "randomised")
    assert run.exit_code == 0, run.stderr
    section = run.stdout.split("## Randomised comparisons\n\n")[1].split("\n## ")[0]
    assert section.startswith(
        "2 hazard ratios from 1 randomised trial; 1 shows a benefit (the whole interval below 1)."
    )
    table = _tables(section)[0]
    assert table == [
        ["Trial", "Endpoint", "Experimental", "Control", "Patients", "HR (95% CI)", "p", "Verdict", "Source"],
        ["rand-a", "PFS", "alphamab + chemo", "chemo", "200", "0.70 (0.52–0.94)", "0.018", "benefit", "[1]"],
        [
            "rand-a",
            "OS",
            "alphamab + chemo",
            "chemo",
            "200",
            "1.05 (0.80–1.38)",
            "0.73",
            "no difference",
            "[1]",
        ],
    ]


def test_report_escapes_record_text_that_would_break_a_table(tmp_path: Path) -> None:
    folder = data_folder(
        tmp_path,
        catalog="agents:\n  - name: a|b\n    sponsor: 'X <script>'\n    status: halted\n",
        texts={
            "t.yaml": "id: t\ntitle: \"pipe | and \\e escape\"\nregimen: ['a|b']\nphase: '2'\nenrolled: 10\n"
            "response: {evaluable: 10, responders: 1}\nsources: [{citation: 'A *bold* claim'}]\n"
        },
    )
    run = igf("report", "--data", folder)
    assert run.exit_code == 0, run.stderr
    assert "\x1b" not in run.stdout
    for table in _tables(run.stdout):
        assert len({len(row) for row in table}) == 1, table
    assert "a|b" in _tables(run.stdout)[0][1]
    assert "<script>" not in run.stdout.replace("\\<script\\>", "")
    assert "1. A \\*bold\\* claim." in run.stdout


def test_report_to_file_is_atomic_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    first = igf("report", "--data", SMALL, "-o", target)
    assert first.exit_code == 0, first.stderr
    text = target.read_text()
    assert text.startswith("# IGF-1R inhibitor trials")
    target.write_text("keep me")
    again = igf("report", "--data", SMALL, "-o", target)
    assert again.exit_code == 2
    assert "already exists; use --force" in again.stderr
    assert target.read_text() == "keep me"
    forced = igf("report", "--data", SMALL, "-o", target, "--force")
    assert forced.exit_code == 0 and target.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temporary left behind


def test_report_errors_for_missing_folder() -> None:
    run = igf("report", "--data", SMALL, "-o", "/nonexistent/folder/r.md")
    assert run.exit_code == 2
    assert "folder /nonexistent/folder does not exist" in run.stderr


def test_report_failing_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("old report")

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    run = igf("report", "--data", SMALL, "-o", target, "--force")
    assert run.exit_code == 2
    assert "No space left on device" in run.stderr
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_report_follows_the_filters() -> None:
    run = igf("report", "--data", SMALL, "--agent", "gammalimus")
    assert "1 trial of 2 agents, 60 patients enrolled (selected: agent gammalimus)" in run.stdout
    by_regimen = _tables(run.stdout)[0]
    assert [row[1] for row in by_regimen[1:]] == ["alphamab + gammalimus"]


def test_one_paper_cited_in_different_words_gets_one_number() -> None:
    from igfcli.output.references import References

    refs = References()
    full = (
        "Chmielowski B. Insulin-like growth factor 1 receptor inhibitors. Cancer. 2014;120:2384-2387. doi:x"
    )
    assert refs.cite(full) == 1
    assert refs.cite("Chmielowski B. Cancer. 2014;120:2384-2387 (editorial), citing its refs 6 and 7") == 1
    assert refs.cite("Pappo AS, et al. Cancer. 2014;120:2448-2456") == 2
    assert refs.cite("Chmielowski B. Cancer. 2014;120(15):2384-7") == 1
    assert refs.cite("made up, no volume") == 3
    assert refs.listing().splitlines()[0] == f"1. {full}."


def test_a_row_of_trials_citing_one_report_cites_it_once(tmp_path: Path) -> None:
    # two trials of one regimen, both from one paper: the pooled row's Sources cell is "[1]"
    texts = {
        f"t{i}.yaml": f"id: t{i}\ntitle: Trial {i}\nregimen: [alphamab]\nphase: '2'\n"
        f"response: {{evaluable: 20, responders: {i}}}\nsources: [{{citation: Doe J. J Made Up. 2010;1:1-2}}]\n"
        for i in (1, 2)
    }
    data = data_folder(tmp_path, catalog=SMALL / "agents.yaml", texts=texts)
    by_regimen = _tables(igf("report", "--data", data, "--pool", "dl").stdout)[0]
    assert by_regimen[0][-1] == "Sources"
    assert [row[-1] for row in by_regimen[1:]] == ["[1]"]


def test_bundled_report_cites_the_editorial_once() -> None:
    text = igf("report").stdout
    refs = text.split("## References\n\n")[1].splitlines()
    assert sum("Chmielowski B" in line for line in refs) == 1
    assert len(refs) == len(set(refs))


def test_a_report_over_two_folders_names_each_file_by_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bundled records (whose ganitumab trial draws a warning) copied as "evidence", beside small/
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "trials", tmp_path / "evidence")
    monkeypatch.chdir(tmp_path)
    run = igf("report", "--data", "evidence", "--data", DATA / "small")
    assert run.exit_code == 0, run.stderr
    checks = run.stdout.split("## Evidence checks", 1)[1]
    assert "- `evidence/fuchs-2015-ganitumab-pancreatic.yaml:39:8`: comparisons[0].p:" in checks
    assert ".." not in checks.split("\n## ", 1)[0]
