"""The bundled evidence base gives the answers the sources support."""

from __future__ import annotations

import json

from scipy.stats import binom, binomtest

from tests.helpers import igf


def test_bundled_data_validates_with_the_known_warnings() -> None:
    run = igf("validate")
    assert run.exit_code == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if ": warning: " in line]
    # the editorial's misprints, each caught by the consistency check
    assert [w.split(": warning: ")[1].split(" is impossible")[0] for w in warnings] == [
        "response.also_reported[0].rate: 14.2% of 107 (as that source states)",
        "also_reported[0].rate: 0.2% of 113 (as that source states)",
        "response.also_reported[0].rate: 6% of 38 (as that source states)",
    ]
    assert run.stderr.endswith("0 errors, 3 warnings (5 trial records and 11 agents loaded)\n")
    assert igf("validate", "--strict").exit_code == 1


def test_figitumumab_leads_the_monotherapies_with_the_published_interval() -> None:
    rows = json.loads(igf("rank", "-f", "json").stdout)
    mono = [r for r in rows if len(r["agents"]) == 1]
    assert [r["regimen"] for r in mono][:3] == ["figitumumab", "ganitumab", "R1507"]
    figi = mono[0]
    assert (figi["responders"], figi["evaluable"]) == (15, 106)  # Juergens 2011: 15 PR of 106
    r1507 = next(r for r in rows if r["regimen"] == "R1507")
    assert (r1507["responders"], r1507["evaluable"]) == (4, 163)
    # Pappo 2014 prints 2.5% (95% CI 0.7%-6.2%)
    assert (round(r1507["ci_low"] * 100, 1), round(r1507["ci_high"] * 100, 1)) == (0.7, 6.2)
    for row in rows:
        ref = binomtest(row["responders"], row["evaluable"]).proportion_ci(0.95, method="exact")
        assert abs(row["ci_low"] - ref.low) < 1e-9 and abs(row["ci_high"] - ref.high) < 1e-9


def test_the_four_halted_programs() -> None:
    rows = json.loads(igf("halted", "-f", "json").stdout)
    assert [(r["sponsor"], r["agent"]) for r in rows] == [
        ("Amgen", "ganitumab"),
        ("Bristol-Myers Squibb", "BMS-754807"),
        ("Pfizer", "figitumumab"),
        ("Roche", "R1507"),
    ]
    awaiting = json.loads(igf("halted", "--status", "awaiting-results", "-f", "json").stdout)
    assert sorted(r["agent"] for r in awaiting) == ["BI836845", "MEDI-573", "linsitinib"]
    medi = next(r for r in awaiting if r["agent"] == "MEDI-573")
    assert (medi["sponsor"], medi["parent"]) == ("MedImmune", "AstraZeneca")


def test_r1507_is_below_the_benchmark_with_a_significant_test() -> None:
    rows = json.loads(igf("benchmark", "-f", "json").stdout)
    r1507 = next(r for r in rows if r["trial"] == "pappo-2014-r1507-sarcoma" and r["cohort"] is None)
    assert (r1507["pfs_rate"], r1507["evaluable"], r1507["verdict"]) == (0.17, 163, "below")
    # 17% of 163 is 28 patients (27.71); P(X <= 28) for X ~ Binomial(163, 0.3)
    assert r1507["progression_free"] == 28
    assert abs(r1507["p_value"] - binom.cdf(28, 163, 0.3)) < 1e-12
    assert r1507["significant"] is True
    assert igf("benchmark", "--check").exit_code == 1


def test_a_histology_gets_its_own_cohorts_figures_not_a_mixed_trials() -> None:
    # Pappo 2014 pooled four histologies (4 of 163); its osteosarcoma group had 2 responses of 38
    rows = json.loads(igf("rank", "--histology", "osteosarcoma", "--by", "cohort", "-f", "json").stdout)
    assert [(r["trial"], r["cohort"], r["responders"], r["evaluable"]) for r in rows] == [
        ("pappo-2014-r1507-sarcoma", "osteosarcoma", 2, 38)
    ]
    pooled = json.loads(igf("rank", "--histology", "osteosarcoma", "-f", "json").stdout)
    assert [(r["regimen"], r["responders"], r["evaluable"]) for r in pooled] == [("R1507", 2, 38)]
    ref = binomtest(2, 38).proportion_ci(0.95, method="exact")
    assert abs(pooled[0]["ci_low"] - ref.low) < 1e-9 and abs(pooled[0]["ci_high"] - ref.high) < 1e-9
    # Tap 2012 enrolled Ewing family tumours and DSRCT and did not split its 2 responses of 35:
    # no Ewing figure to rank, and only its 22 Ewing patients count
    ewing = json.loads(igf("rank", "--histology", "ewing", "-f", "json").stdout)
    assert [(r["regimen"], r["responders"], r["evaluable"]) for r in ewing] == [("figitumumab", 15, 106)]
    halted = json.loads(igf("halted", "--histology", "ewing", "-f", "json").stdout)
    assert {r["agent"]: r["patients"] for r in halted} == {"figitumumab": 107, "ganitumab": 22}


def test_patients_of_a_record_that_counts_them_only_by_cohort() -> None:
    # Schwartz 2013 gives no total, three groups of 54
    agents = json.loads(igf("agents", "-f", "json").stdout)
    assert {a["name"]: a["patients"] for a in agents}["temsirolimus"] == 162
    assert {a["name"]: a["patients"] for a in agents}["cixutumumab"] == 113 + 162
