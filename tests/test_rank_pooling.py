"""igf rank --pool, --by histology and --plot, on a folder small enough to follow by hand.

tests/data/pooling: alphamab in pool-a (5/38, Ewing), pool-b (2/40, Ewing), pool-c (0/25,
osteosarcoma), pool-d (12/60, osteosarcoma) and pool-mixed (4/50 over three histologies, with a
Ewing cohort of 3/20 and a mixed one of 1/30); betinib in pool-e (3/30, Ewing). Every pooled figure
is checked against the scipy and statsmodels references of tests/test_pooling.py.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from scipy.stats import binomtest

from tests.conftest import DATA
from tests.helpers import data_folder, igf
from tests.test_pooling import _ref_fit, _ref_summary, _statsmodels_dl, _statsmodels_estimates

POOLING = DATA / "pooling"
ALPHAMAB = [(5, 38), (2, 40), (0, 25), (12, 60), (4, 50)]
NEW_KEYS = ["studies", "pool", "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "note"]
POOLED_KEYS = ["rate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low", "pi_high"]


def _rows(*args: str) -> list[dict[str, object]]:
    run = igf("rank", "--data", POOLING, *args, "-f", "json")
    assert run.exit_code == 0, run.stderr
    rows: list[dict[str, object]] = json.loads(run.stdout)
    return rows


def _by_regimen(*args: str) -> dict[str, dict[str, object]]:
    return {str(r["regimen"]): r for r in _rows(*args)}


def test_counts_is_todays_pooling_with_the_new_keys_null() -> None:
    rows = _by_regimen()
    alphamab = rows["alphamab"]
    assert (alphamab["responders"], alphamab["evaluable"]) == (23, 213)
    ref = binomtest(23, 213).proportion_ci(0.95, method="exact")
    assert alphamab["rate"] == 23 / 213
    assert (alphamab["ci_low"], alphamab["ci_high"]) == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert [alphamab[k] for k in NEW_KEYS] == [5, "counts", None, None, None, None, None, None, None]


def test_glmm_gives_the_reference_fit() -> None:
    alphamab = _by_regimen("--pool", "glmm")["alphamab"]
    mu, tau, se = _ref_fit(ALPHAMAB)
    expected = _ref_summary(ALPHAMAB, mu, se, tau * tau, 0.95)
    for key in POOLED_KEYS:
        assert alphamab[key] == pytest.approx(expected[key], rel=1e-5, abs=1e-7), key
    assert alphamab["ci_method"] == "wald"  # the model's interval, not the --ci method
    # the sums stay the sums; the pool and the number of studies are said
    assert (alphamab["responders"], alphamab["evaluable"], alphamab["studies"], alphamab["pool"]) == (
        23,
        213,
        5,
        "glmm",
    )


def test_dl_gives_statsmodels_dersimonian_laird() -> None:
    alphamab = _by_regimen("--pool", "dl", "--level", "0.9")["alphamab"]
    expected = _ref_summary(ALPHAMAB, *_statsmodels_estimates(_statsmodels_dl(ALPHAMAB)), 0.9)
    for key in POOLED_KEYS:
        assert alphamab[key] == pytest.approx(expected[key], rel=1e-9, abs=1e-12), key


@pytest.mark.parametrize("pool", ["glmm", "dl"])
def test_a_single_trial_keeps_its_exact_interval_under_every_pool(pool: str) -> None:
    betinib = _by_regimen("--pool", pool)["betinib"]
    ref = binomtest(3, 30).proportion_ci(0.95, method="exact")
    assert (betinib["rate"], betinib["studies"], betinib["ci_method"]) == (0.1, 1, "exact")
    assert (betinib["ci_low"], betinib["ci_high"]) == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert [betinib[k] for k in ["tau2", "i2", "q", "q_p", "pi_low", "pi_high", "note"]] == [None] * 7


def test_a_glmm_that_cannot_be_fitted_falls_back_to_the_counts_and_says_so(tmp_path: Path) -> None:
    # two trials with no responder: the likelihood has no finite maximum
    from tests.helpers import data_folder

    record = (
        "id: {0}\ntitle: t\nregimen: [alphamab]\nphase: '2'\nenrolled: 20\n"
        "response: {{evaluable: 20, responders: 0}}\nsources: [{{citation: c}}]\n"
    )
    folder = data_folder(tmp_path, texts={f"z{i}.yaml": record.format(f"z{i}") for i in (1, 2)})
    run = igf("rank", "--data", folder, "--pool", "glmm", "-f", "json")
    (row,) = json.loads(run.stdout)
    ref = binomtest(0, 40).proportion_ci(0.95, method="exact")
    assert (row["rate"], row["ci_low"], row["ci_high"]) == pytest.approx((0.0, ref.low, ref.high), abs=1e-12)
    assert row["tau2"] is None and row["pi_low"] is None
    assert row["note"].startswith("glmm not fitted (")
    table = igf("rank", "--data", folder, "--pool", "glmm", env={"COLUMNS": "200"}).stdout
    assert "alphamab: glmm not fitted (" in table


def test_by_histology_pools_single_histology_figures_across_agents() -> None:
    rows = {r["histology"]: r for r in _rows("--by", "histology")}
    assert sorted(rows) == ["Ewing sarcoma", "osteosarcoma"]
    # Ewing: pool-a, pool-b, pool-e, and pool-mixed's Ewing cohort; osteosarcoma: pool-c and pool-d
    assert (rows["Ewing sarcoma"]["responders"], rows["Ewing sarcoma"]["evaluable"]) == (
        5 + 2 + 3 + 3,
        38 + 40 + 30 + 20,
    )
    assert rows["Ewing sarcoma"]["agents"] == ["alphamab", "betinib"]
    assert (rows["osteosarcoma"]["responders"], rows["osteosarcoma"]["evaluable"]) == (12, 85)
    assert "regimen" not in rows["osteosarcoma"]  # the histology stands in its place
    table = igf("rank", "--data", POOLING, "--by", "histology", env={"COLUMNS": "200"}).stdout
    # pool-mixed's own 4/50 and its mixed cohort 1/30 belong to no single histology
    assert "Left out: 2 trial or cohort figures of more than one histology" in table


def test_a_histology_written_in_another_case_or_spacing_is_the_same_histology(tmp_path: Path) -> None:
    # pool-b as "ewing sarcoma" and pool-e as "EWING  sarcoma": still one row with every Ewing figure,
    # named as most of its figures write it; the same trials as --histology selects
    texts = {p.name: p.read_text() for p in POOLING.glob("pool-*.yaml")}
    texts["pool-b.yaml"] = texts["pool-b.yaml"].replace("[Ewing sarcoma]", "[ewing sarcoma]")
    texts["pool-e.yaml"] = texts["pool-e.yaml"].replace("[Ewing sarcoma]", "[EWING  sarcoma]")
    assert texts != {p.name: p.read_text() for p in POOLING.glob("pool-*.yaml")}
    folder = data_folder(tmp_path, catalog=POOLING / "agents.yaml", texts=texts)
    run = igf("rank", "--data", folder, "--by", "histology", "-f", "json")
    rows = {r["histology"]: r for r in json.loads(run.stdout)}
    assert sorted(rows) == ["Ewing sarcoma", "osteosarcoma"]
    assert (rows["Ewing sarcoma"]["responders"], rows["Ewing sarcoma"]["evaluable"]) == (13, 128)
    assert rows["Ewing sarcoma"]["trial_ids"] == ["pool-a", "pool-b", "pool-e", "pool-mixed"]
    selected = igf(
        "rank", "--data", folder, "--by", "histology", "--histology", "ewing sarcoma", "-f", "json"
    )
    assert json.loads(selected.stdout) == [{**rows["Ewing sarcoma"], "rank": 1}]  # the one row now


def test_the_table_shows_heterogeneity_and_the_prediction_interval() -> None:
    table = igf("rank", "--data", POOLING, "--pool", "dl", env={"COLUMNS": "200"}).stdout
    header = table.splitlines()[2]
    for label in ("k", "tau²", "I²", "95% PI", "95% CI, exact or Wald"):
        assert label in header
    assert table.splitlines()[0].startswith(
        "Objective response rate by regimen, 95% exact (Clopper-Pearson) intervals (Wald where pooled)"
    )
    assert "┄" in table  # the prediction interval behind the confidence interval in the forest


def test_plot_draws_one_interval_a_row_as_svg(tmp_path: Path) -> None:
    figure = tmp_path / "forest.svg"
    run = igf("rank", "--data", POOLING, "--pool", "glmm", "--plot", figure, "-f", "csv")
    assert run.exit_code == 0, run.stderr
    assert run.stderr == f"igf: wrote {figure}\n"
    root = ET.parse(figure).getroot()  # parses as XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ids = [e.get("id") or "" for e in root.iter()]
    assert sum(i.startswith("ci-") for i in ids) == 2  # alphamab and betinib
    assert sum(i.startswith("pi-") for i in ids) == 1  # alphamab pools five studies
    text = figure.read_text()
    for label in ("alphamab", "betinib", "5 trials, 213 patients", "1 trial, 30 patients"):
        assert label in text
    # never over an existing file without --force
    again = igf("rank", "--data", POOLING, "--plot", figure)
    assert again.exit_code == 2 and "already exists; use --force" in again.stderr
    assert igf("rank", "--data", POOLING, "--plot", figure, "--force").exit_code == 0


def test_plot_names_the_extra_without_matplotlib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "igfcli.output.plot", raising=False)
    run = igf("rank", "--data", POOLING, "--plot", tmp_path / "f.svg")
    assert run.exit_code == 2
    assert run.stderr == (
        'igf: error: --plot needs matplotlib: pip install "igfcli[plot]" (matplotlib is not installed)\n'
    )


def test_report_with_glmm_and_plots_links_the_figure_and_states_heterogeneity(tmp_path: Path) -> None:
    report = tmp_path / "summary.md"
    run = igf("report", "--data", POOLING, "--pool", "glmm", "--plots", "-o", report)
    assert run.exit_code == 0, run.stderr
    text = report.read_text()
    assert "![Forest plot of the response rates by regimen](summary-forest.svg)" in text
    assert (tmp_path / "summary-forest.svg").is_file()
    assert "Heterogeneity of each pooled regimen: alphamab: 5 studies, tau²" in text
    assert "random-effects logistic regression" in text  # the methods name the method
    # and say which interval each row has
    assert (
        "a regimen of one study keeps the interval below; the table by trial pools a trial's cohorts "
        "the same way (docs/methods.md)"
    ) in text
    assert "Intervals not pooled are two-sided 95% exact (Clopper-Pearson) intervals." in text
    refused = igf("report", "--data", POOLING, "--plots")
    assert (refused.exit_code, refused.stderr) == (
        2,
        "igf: error: --plots writes a figure beside the report: name the report with -o FILE\n",
    )


@pytest.mark.parametrize("present", ["report", "figure", "report-a-folder"])
def test_a_report_and_its_figure_are_written_both_or_neither(tmp_path: Path, present: str) -> None:
    report, figure = tmp_path / "summary.md", tmp_path / "summary-forest.svg"
    if present == "report":
        report.write_text("the old report\n")
    elif present == "figure":
        figure.write_text("the old figure\n")
    else:
        report.mkdir()
    before = {p.name: (p.read_text() if p.is_file() else None) for p in tmp_path.iterdir()}
    run = igf("report", "--data", POOLING, "--plots", "-o", report)
    shown = {"report": "summary.md", "figure": "summary-forest.svg", "report-a-folder": "summary.md"}[present]
    reason = "is a folder" if present == "report-a-folder" else "already exists; use --force to overwrite it"
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == f"igf: error: {tmp_path / shown}: {reason}\n"
    # the folder exactly as it was: nothing new beside the old file, nothing half written
    assert {p.name: (p.read_text() if p.is_file() else None) for p in tmp_path.iterdir()} == before


def _markdown_rows(text: str, heading: str) -> dict[str, dict[str, str]]:
    """The table under `heading`, each row by its second cell, as header -> cell."""
    table = text.split(f"### {heading}\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    rows = [
        dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)) for line in table[2:]
    ]
    return {row[header[1]]: row for row in rows}


@pytest.mark.parametrize("pool", ["counts", "glmm", "dl"])
def test_a_trial_reads_the_same_in_the_reports_two_tables_and_in_rank(pool: str) -> None:
    # The bundled robatumumab and figitumumab each have one trial; robatumumab's is pooled over
    # its three cohorts. Whatever the pooling, that trial's row in the table by trial, its
    # regimen's row, and `igf rank --by trial` give one interval.
    run = igf("report", "--pool", pool, "--level", "90%")
    assert run.exit_code == 0, run.stderr
    by_regimen, by_trial = _markdown_rows(run.stdout, "By regimen"), _markdown_rows(run.stdout, "By trial")
    ranked = {
        str(r["trial"]): r
        for r in json.loads(
            igf("rank", "--by", "trial", "--pool", pool, "--level", "90%", "-f", "json").stdout
        )
    }
    single = {row["Regimen"] for row in by_trial.values()}
    single = {name for name in single if sum(r["Regimen"] == name for r in by_trial.values()) == 1}
    assert {"robatumumab", "figitumumab"} <= single
    for trial, row in by_trial.items():
        low, high = ranked[trial]["ci_low"], ranked[trial]["ci_high"]
        assert isinstance(low, float) and isinstance(high, float)
        assert row["90% CI"] == f"{low * 100:.1f}%–{high * 100:.1f}%", trial
        if row["Regimen"] in single:
            assert by_regimen[row["Regimen"]]["90% CI"] == row["90% CI"], trial
