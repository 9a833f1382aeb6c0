"""A trial that reports responses only by cohort: its ranked counts add up the cohorts, and say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.helpers import data_folder, igf

GROUPS = """\
id: trial-c
title: Alphamab in three groups
regimen: [AM-1]
phase: "2"
histologies: [osteosarcoma, Ewing sarcoma]
enrolled: 70
cohorts:
  - name: group 1
    histologies: [osteosarcoma]
    enrolled: 30
    response: {evaluable: 30, responders: 2}
  - name: group 2
    histologies: [Ewing sarcoma]
    enrolled: 40
    response: {evaluable: 40, responders: 5}
sources:
  - citation: "Poe P, et al. Made-up Journal. 2012;3:5-6"
"""


def _folder(tmp_path: Path) -> Path:
    return data_folder(tmp_path, DATA / "small" / "trial-a.yaml", texts={"trial-c.yaml": GROUPS})


def test_the_row_of_a_trial_reported_by_cohort_is_marked_summed(tmp_path: Path) -> None:
    data = _folder(tmp_path)
    run = igf("rank", "--by", "trial", "--data", data, "-f", "json")
    assert run.exit_code == 0, run.stderr
    rows = {r["trial"]: r for r in json.loads(run.stdout)}
    assert (rows["trial-c"]["responders"], rows["trial-c"]["evaluable"]) == (7, 70)
    assert [rows[t]["cohorts_summed"] for t in ("trial-a", "trial-c")] == [False, True]
    # by regimen the same: the alphamab row holds trial-c's two cohorts
    by_regimen = json.loads(igf("rank", "--data", data, "-f", "json").stdout)
    assert [(r["regimen"], r["evaluable"], r["cohorts_summed"]) for r in by_regimen] == [
        ("alphamab", 108, True)
    ]
    # a cohort ranked on its own adds up nothing
    by_cohort = json.loads(igf("rank", "--by", "cohort", "--data", data, "-f", "json").stdout)
    assert {r["cohorts_summed"] for r in by_cohort} == {False}


def test_people_see_the_mark_and_its_note(tmp_path: Path) -> None:
    data = _folder(tmp_path)
    table = igf("rank", "--by", "trial", "--data", data, env={"COLUMNS": "80"}).stdout
    assert "70§" in table and "38§" not in table
    note = "§ Adds up cohorts of a trial whose source reports them apart and prints no response figure for the whole trial."
    assert note in " ".join(table.split())
    markdown = igf("rank", "--by", "trial", "--data", data, "-f", "markdown").stdout
    assert "70§" in markdown
    report = igf("report", "--data", data, "-o", "-").stdout
    assert "7/70§" in report and "§ Adds up cohorts of a trial" in report


UNCOUNTED = """\
id: trial-d
title: Betinib, responses by group only
regimen: [BT-2]
phase: "2"
cohorts:
  - name: group 1
    histologies: [osteosarcoma]
    response: {evaluable: 20, responders: 1}
sources:
  - citation: "Qoe Q, et al. Made-up Journal. 2013;4:7-8"
"""


def test_a_trial_that_counts_no_patients_adds_none_rather_than_zero(tmp_path: Path) -> None:
    data = data_folder(tmp_path, DATA / "small" / "trial-a.yaml", texts={"trial-d.yaml": UNCOUNTED})
    agents = {r["name"]: r for r in json.loads(igf("agents", "--data", data, "-f", "json").stdout)}
    # alphamab: trial-a's 40; betinib: its one trial gives no count; gammalimus: no trial at all
    assert [agents[a]["patients"] for a in ("alphamab", "betinib", "gammalimus")] == [40, None, 0]
    halted = json.loads(igf("halted", "--all", "--data", data, "-f", "json").stdout)
    assert {r["agent"]: r["patients"] for r in halted}["betinib"] is None
    report = igf("report", "--data", data, "-o", "-").stdout
    assert "2 trials of 2 agents, 40 patients enrolled (1 trial giving no count)." in report


@pytest.mark.parametrize(
    ("by", "why"),
    [
        ("trial", None),  # single-b has a response figure of its own: ranked
        ("cohort", "no cohort or arm with a response figure"),
        ("histology", "no response figure of one histology"),
    ],
)
def test_an_unranked_trial_is_named_with_what_it_lacks(tmp_path: Path, by: str, why: str | None) -> None:
    # single-b reports one response for the whole trial and has no cohorts or arms; made here to
    # enrol two histologies, it has no figure of one histology either
    text = (DATA / "randomised" / "single-b.yaml").read_text()
    text = text.replace("histologies: [Ewing sarcoma]", "histologies: [Ewing sarcoma, osteosarcoma]")
    folder = data_folder(tmp_path, catalog=DATA / "randomised" / "agents.yaml", texts={"single-b.yaml": text})
    run = igf("rank", "--data", folder, "--by", by, "-f", "markdown")  # notes unwrapped
    assert run.exit_code == 0, run.stderr
    notes = [line for line in run.stdout.splitlines() if line.startswith("Not ranked")]
    assert notes == ([] if why is None else [f"Not ranked, {why} for this selection: single-b."])
