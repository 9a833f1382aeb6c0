"""Exact output of every listing in every machine format, on a small fixture folder.

tests/data/small holds two made-up trials whose figures are easy to check by
hand: trial-a 5 of 38 evaluable respond (13.2%); trial-b reports only "10%" of
50 evaluable, so its responders are estimated as 5. The interval and p-value
figures are checked against scipy in test_figures_against_scipy below.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from scipy.stats import beta, binom, binomtest

from tests.conftest import DATA
from tests.helpers import data_folder, igf

SMALL = DATA / "small"

TRIALS_CSV = """\
id,regimen,phase,histologies,enrolled,evaluable,responders,response_rate,responders_estimated,pfs_12w,pfs_weeks
trial-a,alphamab,2,Ewing sarcoma,40,38,5,0.13157894736842105,false,0.25,12.0
trial-b,alphamab + gammalimus,1/2,leiomyosarcoma; liposarcoma,60,50,5,0.1,true,,
"""

TRIALS_MARKDOWN = """\
| Trial   | Regimen               | Phase   | Histologies                 |   Enrolled |   Evaluable |   Responders |   Response rate | Estimated   |   PFS 12 wk |
|---------|-----------------------|---------|-----------------------------|------------|-------------|--------------|-----------------|-------------|-------------|
| trial-a | alphamab              | 2       | Ewing sarcoma               |         40 |          38 |            5 |           13.2% | no          |       25.0% |
| trial-b | alphamab + gammalimus | 1/2     | leiomyosarcoma, liposarcoma |         60 |          50 |            5 |           10.0% | yes         |             |
"""

RANK_CSV = """\
rank,regimen,agents,trials,trial_ids,evaluable,responders,rate,ci_low,ci_high,ci_method,level,estimated,evaluable_assumed,studies,pool,tau2,i2,q,q_p,pi_low,pi_high,note,reported_disagrees,cohorts_summed
1,alphamab,alphamab,1,trial-a,38,5,0.13157894736842105,0.0441374400579145,0.28086384588375335,exact,0.95,false,false,1,counts,,,,,,,,false,false
2,alphamab + gammalimus,alphamab; gammalimus,1,trial-b,50,5,0.1,0.033275093589022364,0.2181353664342028,exact,0.95,true,false,1,counts,,,,,,,,false,false
"""

RANK_MARKDOWN = """\
|   Rank | Regimen               |   Evaluable |   Responders |   Rate |   95% CI, exact | Estimated   |
|--------|-----------------------|-------------|--------------|--------|-----------------|-------------|
|      1 | alphamab              |          38 |            5 |  13.2% |      4.4%–28.1% | no          |
|      2 | alphamab + gammalimus |          50 |            5 |  10.0% |      3.3%–21.8% | yes         |
"""

HALTED_CSV = """\
group,sponsor,parent,agent,codes,class,status,status_as_of,reason,status_source,trials,patients,indication,later
Acme,Acme,,alphamab,AM-1,anti-IGF-1R antibody,halted,2012,no activity in phase 2,,2,100,,
"""

HALTED_ALL_BY_PARENT_TSV = (
    "group\tsponsor\tparent\tagent\tcodes\tclass\tstatus\tstatus_as_of\treason\tstatus_source\ttrials\tpatients"
    "\tindication\tlater\n"
    "Acme\tAcme\t\talphamab\tAM-1\tanti-IGF-1R antibody\thalted\t2012\tno activity in phase 2\t\t2\t100\t\t\n"
    "Acme\tAcme\t\tgammalimus\t\tmTOR inhibitor\tunknown\t\t\t\t1\t60\t\t\n"
    "Bigco\tSubco\tBigco\tbetinib\tBT-2\tIGF-1R kinase inhibitor\tawaiting-results\t\t\t\t0\t0\t\t\n"
)

BENCHMARK_CSV = """\
trial,cohort,regimen,histologies,weeks,pfs_rate,reported_rate,evaluable,progression_free,threshold,threshold_inactive,verdict,p_value,significant,approximate,evaluable_assumed,benchmark
trial-a,,alphamab,Ewing sarcoma,12.0,0.25,25%,40,10,0.3,,below,0.308742725391986,false,false,true,editorial-2014
trial-b,,alphamab + gammalimus,leiomyosarcoma; liposarcoma,,,,,,0.3,,no-data,,,,,editorial-2014
trial-b,leiomyosarcoma,alphamab + gammalimus,leiomyosarcoma,13.0,0.4,0.4,30,12,0.3,,meets,0.9155299396398482,false,true,true,editorial-2014
trial-b,liposarcoma,alphamab + gammalimus,liposarcoma,12.0,0.2,20%,25,5,0.3,,below,0.19348844208806398,false,false,false,editorial-2014
"""

AGENTS_TSV = (
    "name\tcodes\tclass\tsponsor\tparent\tstatus\tstatus_as_of\ttrials\tpatients\thistory\n"
    "alphamab\tAM-1\tanti-IGF-1R antibody\tAcme\t\thalted\t2012\t2\t100\thalted 2012\n"
    "betinib\tBT-2\tIGF-1R kinase inhibitor\tSubco\tBigco\tawaiting-results\t\t0\t0\tawaiting-results\n"
    "gammalimus\t\tmTOR inhibitor\tAcme\t\tunknown\t\t1\t60\t\n"
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["trials", "-f", "csv"], TRIALS_CSV),
        (["trials", "-f", "tsv"], TRIALS_CSV.replace(",", "\t")),
        (["trials", "-f", "markdown"], TRIALS_MARKDOWN),
        (["rank", "-f", "csv"], RANK_CSV),
        (["rank", "-f", "markdown"], RANK_MARKDOWN),
        (["halted", "-f", "csv"], HALTED_CSV),
        (["halted", "--all", "--by", "parent", "-f", "tsv"], HALTED_ALL_BY_PARENT_TSV),
        (["benchmark", "-f", "csv"], BENCHMARK_CSV),
        (["agents", "-f", "tsv"], AGENTS_TSV),
    ],
)
def test_whole_output(args: list[str], expected: str) -> None:
    run = igf(*args, "--data", SMALL)
    assert run.exit_code == 0, run.stderr
    assert run.stdout == expected


def test_trials_json_is_an_array_of_typed_objects() -> None:
    run = igf("trials", "--data", SMALL, "-f", "json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == [
        {
            "id": "trial-a",
            "regimen": "alphamab",
            "phase": "2",
            "histologies": ["Ewing sarcoma"],
            "enrolled": 40,
            "evaluable": 38,
            "responders": 5,
            "response_rate": 5 / 38,
            "responders_estimated": False,
            "pfs_12w": 0.25,
            "pfs_weeks": 12.0,
        },
        {
            "id": "trial-b",
            "regimen": "alphamab + gammalimus",
            "phase": "1/2",
            "histologies": ["leiomyosarcoma", "liposarcoma"],
            "enrolled": 60,
            "evaluable": 50,
            "responders": 5,
            "response_rate": 0.1,
            "responders_estimated": True,
            "pfs_12w": None,
            "pfs_weeks": None,
        },
    ]


def test_rank_json_keys_are_the_contract() -> None:
    rows = json.loads(igf("rank", "--data", SMALL, "-f", "json").stdout)
    contract = {
        "rank",
        "regimen",
        "agents",
        "trials",
        "evaluable",
        "responders",
        "rate",
        "ci_low",
        "ci_high",
        "ci_method",
        "estimated",
    }
    assert all(contract <= set(row) for row in rows)
    by_trial = json.loads(igf("rank", "--data", SMALL, "-f", "json", "--by", "trial").stdout)
    assert [r["trial"] for r in by_trial] == ["trial-a", "trial-b"]


def test_halted_and_benchmark_json_keys_are_the_contract() -> None:
    halted = json.loads(igf("halted", "--data", SMALL, "-f", "json").stdout)
    assert set(halted[0]) >= {
        "sponsor",
        "parent",
        "agent",
        "codes",
        "class",
        "status",
        "status_as_of",
        "reason",
        "trials",
        "patients",
    }
    bench = json.loads(igf("benchmark", "--data", SMALL, "-f", "json").stdout)
    assert set(bench[0]) >= {
        "trial",
        "cohort",
        "regimen",
        "histologies",
        "weeks",
        "pfs_rate",
        "evaluable",
        "threshold",
        "verdict",
        "p_value",
        "significant",
        "approximate",
    }
    assert bench[0]["cohort"] is None


def test_figures_against_scipy() -> None:
    """Every interval and p-value in the machine output, recomputed independently."""
    for ci in ("exact", "wilson"):
        rows = json.loads(igf("rank", "--data", SMALL, "-f", "json", "--ci", ci).stdout)
        for row in rows:
            k, n = row["responders"], row["evaluable"]
            ref = binomtest(k, n).proportion_ci(0.95, method=ci)
            assert row["ci_low"] == pytest.approx(ref.low, abs=1e-9)
            assert row["ci_high"] == pytest.approx(ref.high, abs=1e-9)
    rows = json.loads(igf("rank", "--data", SMALL, "-f", "json", "--level", "0.9").stdout)
    assert rows[0]["ci_low"] == pytest.approx(beta.ppf(0.05, 5, 34), abs=1e-9)
    bench = json.loads(igf("benchmark", "--data", SMALL, "-f", "json").stdout)
    for row in bench:
        if row["p_value"] is not None:
            k = round(row["pfs_rate"] * row["evaluable"])
            assert row["p_value"] == pytest.approx(binom.cdf(k, row["evaluable"], 0.3), abs=1e-12)


def test_machine_formats_parse_back() -> None:
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        text = igf("rank", "--data", SMALL, "-f", fmt).stdout
        rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
        assert [r["regimen"] for r in rows] == ["alphamab", "alphamab + gammalimus"]


def test_benchmark_check_exit_codes() -> None:
    assert igf("benchmark", "--data", SMALL, "--check").exit_code == 1
    assert igf("benchmark", "--data", SMALL, "--check", "--threshold", "15%").exit_code == 0
    below = igf("benchmark", "--data", SMALL, "--only-below", "-f", "csv").stdout.splitlines()
    assert [line.split(",")[:2] for line in below[1:]] == [["trial-a", ""], ["trial-b", "liposarcoma"]]


def test_eortc_preset_uses_three_months_and_three_verdicts() -> None:
    rows = json.loads(igf("benchmark", "--data", SMALL, "-f", "json", "--preset", "eortc-2002").stdout)
    verdicts = {(r["trial"], r["cohort"]): (r["verdict"], r["approximate"]) for r in rows}
    assert verdicts == {
        ("trial-a", None): ("inconclusive", True),  # 25% at 12 weeks, 1 week from 13
        ("trial-b", None): ("no-data", None),
        ("trial-b", "leiomyosarcoma"): ("active", False),  # 40% at 3 months
        ("trial-b", "liposarcoma"): ("inactive", True),  # 20% at 12 weeks
    }


@pytest.mark.parametrize("threshold", ["20%", "19.9%", "0.2"])
def test_an_eortc_threshold_at_or_below_its_inactive_level_is_refused(threshold: str) -> None:
    # at 20% a rate would be inactive (20% or less) and active (20% or more) at once
    run = igf("benchmark", "--data", SMALL, "--preset", "eortc-2002", "--threshold", threshold)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        "igf: error: --threshold: not above the preset's inactive level (20%); use the editorial-2014 preset\n"
    )
    assert igf("benchmark", "--data", SMALL, "--preset", "eortc-2002", "--threshold", "20.1%").exit_code in (
        0,
        1,
    )


def test_the_benchmark_counts_a_rate_as_printed(tmp_path: Path) -> None:
    # 4.99999999999% of 10 is 0.4999999999999 patients: 0, where a float's rounding made it 1
    text = (SMALL / "trial-a.yaml").read_text().replace("rate: 25%", "rate: 4.99999999999%")
    assert "4.99999999999%" in text
    data = data_folder(tmp_path, catalog=SMALL / "agents.yaml", texts={"trial-a.yaml": text})
    row = json.loads(igf("benchmark", "--data", data, "-f", "json").stdout)[0]
    assert (row["evaluable"], row["progression_free"]) == (40, 2)  # 1.9999999999996 -> 2
    assert row["p_value"] == pytest.approx(binom.cdf(2, 40, 0.3), rel=1e-12)
    text = text.replace("enrolled: 40", "enrolled: 10").replace("evaluable: 38", "evaluable: 10")
    data = data_folder(tmp_path / "ten", catalog=SMALL / "agents.yaml", texts={"trial-a.yaml": text})
    row = json.loads(igf("benchmark", "--data", data, "-f", "json").stdout)[0]
    assert (row["evaluable"], row["progression_free"]) == (10, 0)
    assert row["p_value"] == pytest.approx(binom.cdf(0, 10, 0.3), rel=1e-12)


def test_the_benchmark_compares_and_names_its_levels_with_every_digit(tmp_path: Path) -> None:
    # a rate a hair under the level, as printed, is below it (a float of it equals 30%)
    text = (SMALL / "trial-a.yaml").read_text().replace("rate: 25%", "rate: 29.99999999999999999%")
    data = data_folder(tmp_path, catalog=SMALL / "agents.yaml", texts={"trial-a.yaml": text})
    rows = json.loads(igf("benchmark", "--data", data, "-f", "json").stdout)
    assert (rows[0]["pfs_rate"], rows[0]["verdict"]) == (0.3, "below")
    # a level of more digits than the test keeps is refused, not rounded
    refused = igf("benchmark", "--data", data, "--threshold", "29.99999999999999999%")
    assert refused.stderr == (
        "igf: error: --threshold: '29.99999999999999999%' has more digits than a level keeps (15); write fewer\n"
    )
    # the level and the time point as set, in the heading and the notes
    shown = igf("benchmark", "--data", SMALL, "--threshold", "30.00001%", "--weeks", "12.0000001").stdout
    assert "progression-free rate of 30.00001% at 12.0000001 weeks" in " ".join(shown.split())
    assert "within 1 week of 12.0000001 weeks" in " ".join(shown.split())


def test_every_preset_offered_is_one_that_is_defined() -> None:
    # --preset offers the names in analyses/terms.py; the numbers live in analyses/benchmark.py
    from igfcli.analyses.benchmark import PRESETS
    from igfcli.analyses.terms import Preset

    assert [p.value for p in Preset] == list(PRESETS)
    for preset in Preset:
        assert PRESETS[preset.value].name == preset.value
        assert igf("benchmark", "--data", SMALL, "-f", "csv", "--preset", preset.value).exit_code in (0, 1)


def test_a_sponsor_written_in_two_cases_or_spacings_is_one_group(tmp_path: Path) -> None:
    sponsors = {"alphamab": "Acme", "betamab": "acme", "gammamab": "ACME ", "deltamab": "Other"}
    entries = (
        f"  - {{name: {agent}, sponsor: '{sponsor}', status: halted}}\n"
        for agent, sponsor in sponsors.items()
    )
    data = data_folder(tmp_path, catalog="agents:\n" + "".join(entries))
    rows = json.loads(igf("halted", "--data", data, "-f", "json").stdout)
    # grouped as the catalog first writes the company; each row keeps its own spelling
    assert [(r["group"], r["agent"], r["sponsor"]) for r in rows] == [
        ("Acme", "alphamab", "Acme"),
        ("Acme", "betamab", "acme"),
        ("Acme", "gammamab", "ACME "),
        ("Other", "deltamab", "Other"),
    ]


def test_tolerance_is_inclusive_and_can_exclude() -> None:
    rows = json.loads(igf("benchmark", "--data", SMALL, "-f", "json", "--tolerance-weeks", "0").stdout)
    assert [r["verdict"] for r in rows] == ["below", "no-data", "no-data", "below"]


def test_filters() -> None:
    def ids(*args: str) -> list[str]:
        out = igf("trials", "--data", SMALL, "-f", "csv", *args).stdout.splitlines()[1:]
        return [line.split(",")[0] for line in out]

    assert ids("--agent", "am-1") == ["trial-a", "trial-b"]
    assert ids("--agent", "GAMMALIMUS") == ["trial-b"]
    assert ids("--histology", "ewing") == ["trial-a"]
    assert ids("--histology", "liposarcoma") == ["trial-b"]
    assert ids("--phase", "1/2") == ["trial-b"]
    assert ids("--sponsor", "bigco") == []
    assert ids("--class", "mtor inhibitor") == ["trial-b"]
    bad = igf("trials", "--data", SMALL, "--agent", "alfamab")
    assert bad.exit_code == 2 and "did you mean alphamab?" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phase", "4"], "--phase: '4' is not a phase; use one of 1, 1/2, 2, 2/3, 3"),
        (["--phase", "3"], "--phase: '3' matches nothing in the data; the data has '1/2', '2'"),
        (["--sponsor", "acne"], "--sponsor: 'acne' matches nothing in the data; did you mean 'Acme'?"),
        (
            ["--class", "inhibitor"],
            "--class: 'inhibitor' matches nothing in the data; "
            "did you mean 'IGF-1R kinase inhibitor' or 'mTOR inhibitor'?",
        ),
        (
            ["--histology", "ewnig"],
            "--histology: 'ewnig' matches nothing in the data; did you mean 'Ewing sarcoma'?",
        ),
        (["--condition", "lung"], "--condition: 'lung' matches nothing in the data; the data has 'sarcoma'"),
    ],
)
def test_a_filter_that_matches_nothing_is_a_usage_error(args: list[str], message: str) -> None:
    # a typo must not read as "no trials": exit 2 and a suggestion, in every command that filters
    for command in ("rank", "halted", "benchmark", "trials", "report"):
        run = igf(command, "--data", SMALL, *args)
        assert (run.exit_code, run.stdout, run.stderr) == (2, "", f"igf: error: {message}\n"), command
    # a value that names something, with no trial left by the other filters, is an empty answer
    empty = igf("rank", "--data", SMALL, "-f", "csv", "--sponsor", "Bigco")
    assert (empty.exit_code, empty.stdout.count("\n")) == (0, 1)


def test_histology_filter_narrows_to_cohorts() -> None:
    # trial-b enrolled leiomyosarcoma and liposarcoma: its own figures pool both, so for
    # liposarcoma only its liposarcoma cohort stands for it
    rows = json.loads(igf("benchmark", "--data", SMALL, "-f", "json", "--histology", "lipo").stdout)
    assert [(r["trial"], r["cohort"]) for r in rows] == [("trial-b", "liposarcoma")]
    ranked = json.loads(igf("rank", "--data", SMALL, "-f", "json", "--histology", "lipo").stdout)
    assert [(r["trial_ids"], r["responders"], r["evaluable"]) for r in ranked] == [(["trial-b"], 3, 28)]
    # a filter every histology of the trial matches keeps the trial's own figures (5 of 50, estimated)
    whole = json.loads(igf("rank", "--data", SMALL, "-f", "json", "--histology", "sarcoma").stdout)
    assert [(r["regimen"], r["responders"], r["evaluable"]) for r in whole] == [
        ("alphamab", 5, 38),
        ("alphamab + gammalimus", 5, 50),
    ]


def test_no_color_and_pipes_carry_no_escapes() -> None:
    for args in (["rank"], ["halted"], ["benchmark"], ["trials", "--no-color"]):
        run = igf(*args, "--data", SMALL, env={"NO_COLOR": "1"})
        assert run.exit_code == 0 and "\x1b" not in run.stdout


def test_rank_table_draws_a_forest_plot() -> None:
    run = igf("rank", "--data", SMALL, env={"COLUMNS": "120"})
    lines = run.stdout.splitlines()
    bars = [line for line in lines if "●" in line]
    assert len(bars) == 2
    # one shared scale: the 13.2% estimate stands right of the 10.0% one
    assert bars[0].index("●") > bars[1].index("●")
    assert "0%" in lines[2] and "30%" in lines[2]


SHOW_MARKDOWN = """\
| Field                       | Value                                                                                     |
|-----------------------------|-------------------------------------------------------------------------------------------|
| id                          | trial-b                                                                                   |
| title                       | Alphamab and gammalimus in soft-tissue sarcoma                                            |
| file                        | tests/data/small/trial-b.yaml                                                             |
| regimen                     | gammalimus (mTOR inhibitor, Acme, unknown); alphamab (anti-IGF-1R antibody, Acme, halted) |
| phase                       | 1/2                                                                                       |
| condition                   | sarcoma                                                                                   |
| histologies                 | leiomyosarcoma, liposarcoma                                                               |
| enrolled                    | 60                                                                                        |
| response                    | 5/50 = 10.0%; reported 10%                                                                |
| response                    | responders: derived, the nearest whole number to reported rate x evaluable                |
| cohort leiomyosarcoma       | leiomyosarcoma; enrolled 30                                                               |
| cohort leiomyosarcoma pfs   | 3 months (13.0 weeks): 0.4 (40.0%) of 30 (derived: the number enrolled)                   |
| cohort liposarcoma          | liposarcoma; enrolled 30                                                                  |
| cohort liposarcoma response | 3/28 = 10.7%                                                                              |
| cohort liposarcoma pfs      | 12 weeks: 20% of 25                                                                       |
| alphamab history            | 2012 halted: no activity in phase 2                                                       |
| source 1                    | Roe R, et al. Made-up Journal. 2011;2:3-4 (pmid: 123)                                     |
"""


def test_show_says_what_was_derived(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SMALL.parent.parent.parent)  # file paths are shown relative to here
    run = igf("show", "trial-b", "--data", "tests/data/small", "-f", "markdown")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == SHOW_MARKDOWN
    detail = json.loads(igf("show", "trial-b", "--data", SMALL, "-f", "json").stdout)
    assert detail["response"] == {
        "criteria": None,
        "evaluable": 50,
        "evaluable_derived": False,
        "responders": 5,
        "responders_derived": True,
        "rate": 0.1,
        "reported_rate": "10%",
        "also_reported": [],
    }
    assert detail["cohorts"][0]["pfs"] == [
        # no count of its own: the 30 enrolled, as the benchmark uses it, marked as derived
        {
            "weeks": 13.0,
            "months": 3.0,
            "rate": 0.4,
            "reported_rate": "0.4",
            "evaluable": 30,
            "evaluable_derived": True,
        }
    ]
    assert detail["also_reported"] == []


def test_show_takes_an_id_in_any_case_or_unicode_form() -> None:
    # ids that differ only so are one trial's (igf validate refuses two such): show names it so
    exact = igf("show", "trial-b", "--data", SMALL, "-f", "json")
    assert exact.exit_code == 0, exact.stderr
    for spelling in ("TRIAL-B", "Trial-B", "ｔｒｉａｌ－ｂ"):  # the last in fullwidth letters
        run = igf("show", spelling, "--data", SMALL, "-f", "json")
        assert (run.exit_code, run.stdout, run.stderr) == (0, exact.stdout, ""), spelling


def test_show_unknown_id_suggests() -> None:
    run = igf("show", "trial-c", "--data", SMALL)
    assert run.exit_code == 2
    assert run.stderr == "igf: error: no trial with id 'trial-c'; did you mean trial-b?\n"


@pytest.mark.parametrize(("point", "weeks"), [("weeks: 11", 11.0), ("months: 2.75", 2.75 * 52 / 12)])
def test_trials_pfs_is_the_rate_the_benchmark_tests(tmp_path: Path, point: str, weeks: float) -> None:
    # a time point within a week of 12 weeks: the benchmark tests it, and the trials listing shows it,
    # with its time point, marked in the table as not at 12 weeks exactly
    text = (SMALL / "trial-a.yaml").read_text()
    assert "  - weeks: 12\n" in text
    folder = data_folder(tmp_path, texts={"trial-a.yaml": text.replace("weeks: 12", point)})
    [row] = json.loads(igf("trials", "--data", folder, "-f", "json").stdout)
    [tested] = json.loads(igf("benchmark", "--data", folder, "-f", "json").stdout)
    assert (row["pfs_12w"], row["pfs_weeks"]) == (0.25, round(weeks, 6))
    assert (tested["pfs_rate"], tested["weeks"]) == (row["pfs_12w"], row["pfs_weeks"])
    table = igf("trials", "--data", folder, env={"COLUMNS": "200"}).stdout
    assert "25.0%*" in table
    assert (
        "* The progression-free rate at the time point nearest 12 weeks, within 1 week (as the "
        "benchmark takes it), not at 12 weeks." in " ".join(table.split())
    )
