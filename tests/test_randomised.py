"""Randomised trials and program histories, on a made-up folder whose figures can be followed by hand.

tests/data/randomised: alphamab halted in oncology in 2012 and approved in eye disease in 2021 (as
alphaview); betinib awaited in 2014, unknown from 2016; a randomised trial rand-a (alphamab + chemo
against chemo, 100 patients each: responses 18/90 and 9/90, 12-week PFS 40% and 25% of 90, PFS hazard
ratio 0.70 (0.52-0.94), OS 1.05 (0.80-1.38)); and single-b, alphamab alone, 3/30.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from scipy.stats import binom, binomtest, norm

from tests.conftest import DATA
from tests.helpers import data_folder, igf

RANDOMISED = DATA / "randomised"


def _csv(*args: str) -> str:
    run = igf(*args, "--data", RANDOMISED, "-f", "csv")
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_randomised_lists_every_comparison_with_its_verdict() -> None:
    assert _csv("randomised") == (
        "trial,endpoint,experimental,control,patients,hr,ci_low,ci_high,p,p_sided,verdict,level,"
        "hr_text,ci_text,p_text,median_experimental,median_control,median_unit,regimen,source\n"
        # the whole interval below 1: a benefit
        "rand-a,PFS,alphamab + chemo,chemo,200,0.7,0.52,0.94,0.018,2,benefit,0.95,"
        '0.70,0.52–0.94,0.018,,,,alphamab + chemo,"Roe R, et al. Made-up Journal. 2020;9:1-2"\n'
        # the interval spans 1; the printed 1.05, 0.80 keep their zeros in the text columns
        "rand-a,OS,alphamab + chemo,chemo,200,1.05,0.8,1.38,0.73,2,no difference,0.95,"
        '1.05,0.80–1.38,0.73,8.1,7.9,months,alphamab + chemo,"Roe R, et al. Made-up Journal. 2020;9:1-2"\n'
    )


def test_filters_narrow_the_comparisons() -> None:
    assert _csv("randomised", "--agent", "betinib").count("\n") == 1  # the header alone
    assert _csv("randomised", "--histology", "ewing").count("\n") == 3


@pytest.mark.parametrize(
    ("p", "sided", "agrees"),
    [
        ("0.99", "one-sided", True),  # a test for benefit, of a ratio above 1: Phi(z)
        ("0.007", "one-sided", True),  # the direction the ratio leans to: half the two-sided p
        ("0.015", "two-sided", True),
        ("0.30", "one-sided", False),  # neither direction
        ("0.99", "two-sided", False),
    ],
)
def test_a_one_sided_p_may_test_either_direction(tmp_path: Path, p: str, sided: str, agrees: bool) -> None:
    # OS 1.30 (1.05-1.61): z = ln 1.30 / ((ln 1.61 - ln 1.05) / (2 x 1.96)), scipy's normal tails
    z = math.log(1.30) / ((math.log(1.61) - math.log(1.05)) / (2 * norm.ppf(0.975)))
    assert 0.0129 < 2 * norm.sf(z) < 0.0199 and 0.99 < norm.cdf(z) < 0.995
    text = (RANDOMISED / "rand-a.yaml").read_text().replace("hr: 1.05\n    ci_low: 0.80\n    ci_high: 1.38\n    p: 0.73",
        f"hr: 1.30\n    ci_low: 1.05\n    ci_high: 1.61\n    p: {p}\n    p_sided: {sided}")  # fmt: skip
    assert "hr: 1.30" in text
    data = data_folder(tmp_path, catalog=RANDOMISED / "agents.yaml", texts={"rand-a.yaml": text})
    warned = igf("validate", "--data", data).stderr
    assert ("comparisons[1].p:" in warned) is not agrees, warned
    if sided == "one-sided" and not agrees:
        assert (
            "which give a one-sided p of 0.00644 to 0.00996 (0.99 to 0.994 in the other direction)" in warned
        )


THREE_ARMS = """\
id: three-arms
title: Alphamab or betinib against chemotherapy
regimen: [alphamab, betinib]
phase: "2"
enrolled: 150
arms:
  - {name: alpha, regimen: [alphamab], role: experimental, enrolled: 50,
     response: {evaluable: 50, responders: 10}, pfs: [{weeks: 12, rate: 40%}]}
  - {name: beta, regimen: [betinib], role: experimental, enrolled: 50,
     response: {evaluable: 50, responders: 3}, pfs: [{weeks: 12, rate: 20%}]}
  - {name: chemo, regimen: [], backbone: chemo, role: control, enrolled: 50, pfs: [{weeks: 12, rate: 30%}]}
comparisons:
  - {endpoint: PFS, experimental: alpha, control: chemo, hr: 0.70, ci_low: 0.45, ci_high: 1.09, source: s}
  - {endpoint: PFS, experimental: beta, control: chemo, hr: 1.10, ci_low: 0.71, ci_high: 1.70, source: s}
sources: [{citation: s}]
"""


def test_an_agent_filter_keeps_that_agents_arms_of_a_trial_of_two(tmp_path: Path) -> None:
    # --agent betinib: betinib's arm and the control arm it is compared with, not alphamab's arm
    data = data_folder(tmp_path, catalog=RANDOMISED / "agents.yaml", texts={"three-arms.yaml": THREE_ARMS})

    def rows(*args: str) -> list[dict[str, object]]:
        run = igf(*args, "--data", data, "--agent", "betinib", "-f", "json")
        assert run.exit_code == 0, run.stderr
        return list(json.loads(run.stdout))

    assert [(r["regimen"], r["responders"], r["evaluable"]) for r in rows("rank")] == [("betinib", 3, 50)]
    assert [(r["experimental"], r["hr"]) for r in rows("randomised")] == [("beta", 1.1)]
    tested = [(r["cohort"], r["pfs_rate"]) for r in rows("benchmark") if r["cohort"]]
    assert tested == [("beta", 0.2), ("chemo", 0.3)]
    # and without the filter, every arm
    assert len(json.loads(igf("rank", "--data", data, "-f", "json").stdout)) == 2


def test_halted_today_shows_the_later_event_in_another_indication() -> None:
    assert _csv("halted") == (
        "group,sponsor,parent,agent,codes,class,status,status_as_of,reason,status_source,trials,patients,"
        "indication,later\n"
        "Acme,Acme,,alphamab,AM-1; alphaview,anti-IGF-1R antibody,halted,2012,no activity in phase 2,"
        '"Roe R, et al. Made-up Journal. 2012;2:3-4",2,230,oncology,"approved 2021, eye disease, as alphaview"\n'
    )


def test_halted_as_of_a_year_knows_only_the_events_up_to_it() -> None:
    as_of_2014 = json.loads(igf("halted", "--as-of", "2014", "--data", RANDOMISED, "-f", "json").stdout)
    assert [(r["agent"], r["status_as_of"], r["later"]) for r in as_of_2014] == [("alphamab", 2012, [])]
    awaited = json.loads(
        igf(
            "halted", "--status", "awaiting-results", "--as-of", "2015", "--data", RANDOMISED, "-f", "json"
        ).stdout
    )
    assert [(r["agent"], r["status_as_of"]) for r in awaited] == [("betinib", 2014)]
    # by 2016 the wait was over, and before 2014 betinib had no event at all
    for year in ("2016", "2013"):
        run = igf(
            "halted", "--status", "awaiting-results", "--as-of", year, "--data", RANDOMISED, "-f", "json"
        )
        assert json.loads(run.stdout) == []
    approved = json.loads(igf("halted", "--status", "approved", "--data", RANDOMISED, "-f", "json").stdout)
    assert [(r["sponsor"], r["agent"], r["indication"], r["status_as_of"]) for r in approved] == [
        ("Eyeco", "alphamab", "eye disease", 2021)
    ]


def test_every_program_in_every_indication() -> None:
    rows = json.loads(igf("halted", "--all", "--data", RANDOMISED, "-f", "json").stdout)
    assert [(r["group"], r["agent"], r["status"], r["indication"]) for r in rows] == [
        ("Acme", "alphamab", "halted", "oncology"),
        ("Acme", "gammalimus", "unknown", None),  # the first format: one event, no indication
        ("Eyeco", "alphamab", "approved", "eye disease"),
        ("Subco", "betinib", "unknown", "oncology"),
    ]


def test_as_of_is_a_year() -> None:
    run = igf("halted", "--as-of", "14", "--data", RANDOMISED)
    assert run.exit_code == 2
    assert run.stderr.startswith(
        "igf: error: Invalid value for '--as-of': 14 is not in the range 1900<=x<=2100"
    )


def test_rank_counts_experimental_arms_as_regimens_and_never_a_control_arm() -> None:
    rows = json.loads(igf("rank", "--data", RANDOMISED, "-f", "json").stdout)
    assert [(r["regimen"], r["trial_ids"], r["responders"], r["evaluable"]) for r in rows] == [
        ("alphamab + chemo", ["rand-a"], 18, 90),  # the experimental arm: alphamab and its backbone
        ("alphamab", ["single-b"], 3, 30),
    ]
    for row in rows:
        ref = binomtest(row["responders"], row["evaluable"]).proportion_ci(0.95, method="exact")
        assert abs(row["ci_low"] - ref.low) < 1e-9 and abs(row["ci_high"] - ref.high) < 1e-9
    by_cohort = json.loads(igf("rank", "--by", "cohort", "--data", RANDOMISED, "-f", "json").stdout)
    assert [(r["trial"], r["cohort"]) for r in by_cohort] == [("rand-a", "alphamab + chemo")]


def test_benchmark_tests_every_arm_with_a_pfs_rate() -> None:
    rows = json.loads(igf("benchmark", "--data", RANDOMISED, "-f", "json").stdout)
    arms = [r for r in rows if r["cohort"]]
    assert [
        (r["cohort"], r["pfs_rate"], r["evaluable"], r["progression_free"], r["verdict"]) for r in arms
    ] == [
        ("alphamab + chemo", 0.4, 90, 36, "meets"),
        ("chemo", 0.25, 90, 23, "below"),  # 22.5 patients rounds half up to 23
    ]
    for row in arms:
        assert abs(row["p_value"] - binom.cdf(row["progression_free"], 90, 0.3)) < 1e-12


def test_show_prints_arms_comparisons_and_the_history() -> None:
    run = igf("show", "rand-a", "--data", RANDOMISED, "-f", "csv")
    lines = run.stdout.splitlines()
    assert "arm alphamab + chemo,experimental: alphamab + chemo; enrolled 100" in lines
    assert "arm chemo,control: chemo; enrolled 100" in lines
    assert (
        'PFS hazard ratio,"alphamab + chemo against chemo: 0.70 (95% CI 0.52-0.94), p 0.018: benefit '
        '(Roe R, et al. Made-up Journal. 2020;9:1-2)"'
    ) in lines
    assert 'alphamab history,"2021 approved, eye disease, Eyeco, as alphaview (Eyeco release, 2021)"' in lines
    detail = json.loads(igf("show", "rand-a", "--data", RANDOMISED, "-f", "json").stdout)
    assert [(a["name"], a["role"], a["enrolled"], a["response"]["responders"]) for a in detail["arms"]] == [
        ("alphamab + chemo", "experimental", 100, 18),
        ("chemo", "control", 100, 9),
    ]
    assert [
        (c["endpoint"], c["hr"], c["ci_low"], c["ci_high"], c["verdict"]) for c in detail["comparisons"]
    ] == [
        ("PFS", "0.70", "0.52", "0.94", "benefit"),
        ("OS", "1.05", "0.80", "1.38", "no difference"),
    ]


def test_show_says_an_arm_names_no_agent_or_backbone(tmp_path: Path) -> None:
    text = (
        (RANDOMISED / "rand-a.yaml")
        .read_text()
        .replace("    regimen: []\n    backbone: chemo\n", "    regimen: []\n")
    )
    assert text.count("backbone:") == 1
    data = data_folder(tmp_path, catalog=RANDOMISED / "agents.yaml", texts={"rand-a.yaml": text})
    shown = json.loads(igf("show", "rand-a", "--data", data, "-f", "json").stdout)
    assert [a["regimen"] for a in shown["arms"]] == ["alphamab + chemo", ""]
    lines = igf("show", "rand-a", "--data", data, env={"COLUMNS": "200"}).stdout.splitlines()
    assert any(line.split() == ["arm", "chemo", "control:", "no", "agent", "or", "backbone", "named;", "enrolled", "100"]
               for line in lines), lines  # fmt: skip


def test_agents_list_each_programs_history() -> None:
    rows = json.loads(igf("agents", "--data", RANDOMISED, "-f", "json").stdout)
    assert {r["name"]: (r["status"], r["status_as_of"], r["history"]) for r in rows} == {
        "alphamab": (
            "approved",
            2021,
            [
                "halted 2012, oncology",
                "active 2019, eye disease, as alphaview",
                "approved 2021, eye disease, as alphaview",
            ],
        ),
        "betinib": ("unknown", 2016, ["awaiting-results 2014, oncology", "unknown 2016, oncology"]),
        "gammalimus": ("unknown", None, ["unknown"]),
    }


def test_the_cache_gives_back_arms_comparisons_and_histories_whole(tmp_path: Path) -> None:
    folder = data_folder(tmp_path, *RANDOMISED.glob("*.yaml"), catalog=RANDOMISED / "agents.yaml")
    for path in folder.iterdir():  # written long ago: outside the window in which a file is not cached
        os.utime(path, ns=(10**18, 10**18))
    commands = [("randomised",), ("halted", "--all"), ("show", "rand-a"), ("agents",)]
    cold = [igf(*c, "--data", folder, "-f", "json", "--no-cache").stdout for c in commands]
    assert igf("validate", "--data", folder).exit_code == 0
    cache_files = list((Path(os.environ["XDG_CACHE_HOME"]) / "igfcli").glob(f"{folder.name}-*.json"))
    assert len(cache_files) == 1 and "rand-a.yaml" in cache_files[0].read_text()
    warm = [igf(*c, "--data", folder, "-f", "json").stdout for c in commands]
    assert warm == cold


def test_an_event_later_in_the_same_year_is_a_later_event(tmp_path: Path) -> None:
    # halted in oncology and approved elsewhere within 2012, in that order: the approval is later
    catalog = (
        "agents:\n  - name: alphamab\n    sponsor: Acme\n    history:\n"
        "      - {year: 2012, status: halted, indication: oncology, source: s}\n"
        "      - {year: 2012, status: approved, indication: psoriasis, source: s}\n"
        "  - name: betinib\n    sponsor: Acme\n    history:\n"
        "      - {year: 2012, status: approved, indication: psoriasis, source: s}\n"
        "      - {year: 2012, status: halted, indication: oncology, source: s}\n"
    )
    data = data_folder(tmp_path, catalog=catalog)
    rows = json.loads(igf("halted", "--data", data, "-f", "json").stdout)
    # betinib's approval came first that year: it is not what became of the halted program
    assert [(r["agent"], r["later"]) for r in rows] == [
        ("alphamab", ["approved 2012, psoriasis"]),
        ("betinib", []),
    ]


def test_a_program_bought_after_its_approval_is_the_buyers_from_the_sale(tmp_path: Path) -> None:
    catalog = (DATA / "randomised" / "agents.yaml").read_text()
    sale = """      - year: 2023
        status: approved
        indication: eye disease
        sponsor: Buyco
        name: alphaview
        source: "Buyco release, 2023"
  - name: betinib"""
    data = data_folder(tmp_path, catalog=catalog.replace("  - name: betinib", sale, 1))

    def approved(*args: str) -> list[tuple[str, str, int]]:
        run = igf("halted", "--status", "approved", "--data", data, "-f", "json", *args)
        assert run.exit_code == 0, run.stderr
        return [(r["group"], r["sponsor"], r["status_as_of"]) for r in json.loads(run.stdout)]

    # approved since 2021 either way; the holder is Eyeco until the sale, Buyco after it
    assert approved() == [("Buyco", "Buyco", 2021)]
    assert approved("--as-of", "2022") == [("Eyeco", "Eyeco", 2021)]


def test_an_indication_written_in_another_case_or_spacing_is_the_same_indication(tmp_path: Path) -> None:
    # alphamab's 2021 approval written "Eye  Disease": still the program in eye disease that became
    # active in 2019 and approved in 2021, not a second program approved in "Eye  Disease"
    catalog = (DATA / "randomised" / "agents.yaml").read_text()
    approval = "      - year: 2021\n        status: approved\n        indication: eye disease\n"
    assert approval in catalog
    changed = catalog.replace(approval, approval.replace("eye disease", "Eye  Disease"))
    data = data_folder(tmp_path, catalog=changed)
    rows = json.loads(igf("halted", "--all", "--data", data, "-f", "json").stdout)
    assert [(r["agent"], r["status"], r["indication"], r["status_as_of"]) for r in rows] == [
        ("alphamab", "halted", "oncology", 2012),
        ("gammalimus", "unknown", None, None),
        ("alphamab", "approved", "Eye  Disease", 2021),
        ("betinib", "unknown", "oncology", 2016),
    ]


def test_sponsor_names_a_program_by_who_holds_it_too() -> None:
    # alphamab is Acme's in the catalog; Eyeco holds it in eye disease, where it is approved
    approved = igf("halted", "--status", "approved", "--sponsor", "eyeco", "--data", RANDOMISED, "-f", "json")
    assert approved.exit_code == 0, approved.stderr
    assert [(r["group"], r["agent"]) for r in json.loads(approved.stdout)] == [("Eyeco", "alphamab")]
    # the programs' own sponsor still names them, in whichever row
    acme = json.loads(igf("halted", "--all", "--sponsor", "Acme", "--data", RANDOMISED, "-f", "json").stdout)
    assert [(r["group"], r["agent"]) for r in acme] == [
        ("Acme", "alphamab"),
        ("Acme", "gammalimus"),
        ("Eyeco", "alphamab"),
    ]
    # a trial is its agents' own sponsor's: Eyeco ran none, which is said, not refused
    trials = igf("trials", "--sponsor", "Eyeco", "--data", RANDOMISED, "-f", "csv")
    assert (trials.exit_code, trials.stderr) == (0, "igf: none for sponsor Eyeco in: Trials\n")
