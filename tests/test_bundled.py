"""The bundled evidence base gives the answers the sources support."""

from __future__ import annotations

import json

from scipy.stats import binom, binomtest

from tests.helpers import igf


def test_bundled_data_validates_with_the_known_warnings() -> None:
    run = igf("validate")
    assert run.exit_code == 0, run.stderr
    warnings = [line.split(": warning: ")[1] for line in run.stderr.splitlines() if ": warning: " in line]
    # GAMMA's abstract prints p = 0.494 for a hazard ratio of 1.00 (0.82-1.21): half the two-sided
    # p that ratio and interval give, so each of its four p-values reads as one-sided
    assert [w.split(":")[0] for w in warnings] == [f"comparisons[{i}].p" for i in range(4)] + [
        # the editorial's misprints, each caught by the consistency check
        "response.also_reported[0].rate",
        "also_reported[0].rate",
        "response.also_reported[0].rate",
    ]
    assert "comparisons[0].p: 0.494 (two-sided) disagrees" in warnings[0]
    assert [w.split(" is impossible")[0] for w in warnings[4:]] == [
        "response.also_reported[0].rate: 14.2% of 107 (as that source states)",
        "also_reported[0].rate: 0.2% of 113 (as that source states)",
        "response.also_reported[0].rate: 6% of 38 (as that source states)",
    ]
    assert run.stderr.endswith("0 errors, 7 warnings (23 trial records and 12 agents loaded)\n")
    assert igf("validate", "--strict").exit_code == 1


def _json(*args: str) -> list[dict[str, object]]:
    run = igf(*args, "-f", "json")
    assert run.exit_code == 0, run.stderr
    rows: list[dict[str, object]] = json.loads(run.stdout)
    return rows


def test_figitumumab_leads_the_monotherapies_with_the_published_interval() -> None:
    rows = _json("rank")
    mono = [r for r in rows if len(r["agents"]) == 1]
    assert mono[0]["regimen"] == "figitumumab"
    assert (mono[0]["responders"], mono[0]["evaluable"]) == (15, 106)  # Juergens 2011: 15 PR of 106
    # R1507 pools the two SARC reports: Pappo 2011 (Ewing) 11 of 115, Pappo 2014 4 of 163
    r1507 = next(r for r in rows if r["regimen"] == "R1507")
    assert (r1507["responders"], r1507["evaluable"], r1507["trials"]) == (15, 278, 2)
    # control arms of chemotherapy alone are never ranked; no bundled arm reports responses
    assert not any(r["agents"] == [] for r in rows)
    for row in rows:
        ref = binomtest(row["responders"], row["evaluable"]).proportion_ci(0.95, method="exact")
        assert abs(row["ci_low"] - ref.low) < 1e-9 and abs(row["ci_high"] - ref.high) < 1e-9


def test_each_trial_gives_its_published_interval() -> None:
    by_trial = {r["trial"]: r for r in _json("rank", "--by", "trial")}
    # Pappo 2014: 2.5% (95% CI 0.7%-6.2%); Pappo 2011: "10% (95% CI, 4.9% to 16.5%)"
    for trial, (k, n, low, high) in {
        "pappo-2014-r1507-sarcoma": (4, 163, 0.7, 6.2),
        "pappo-2011-r1507-ewing": (11, 115, 4.9, 16.5),
    }.items():
        row = by_trial[trial]
        assert (row["responders"], row["evaluable"]) == (k, n)
        assert (round(row["ci_low"] * 100, 1), round(row["ci_high"] * 100, 1)) == (low, high)


def test_the_editorials_four_halted_programs_as_of_2014() -> None:
    rows = _json("halted", "--as-of", "2014")
    assert [(r["sponsor"], r["agent"]) for r in rows] == [
        ("Amgen", "ganitumab"),
        ("Bristol-Myers Squibb", "BMS-754807"),
        ("Pfizer", "figitumumab"),
        ("Roche", "R1507"),
    ]
    awaiting = _json("halted", "--status", "awaiting-results", "--as-of", "2014")
    assert sorted(r["agent"] for r in awaiting) == ["BI836845", "MEDI-573", "linsitinib"]
    medi = next(r for r in awaiting if r["agent"] == "MEDI-573")
    assert (medi["sponsor"], medi["parent"]) == ("MedImmune", "AstraZeneca")


def test_today_r1507_is_halted_in_oncology_and_approved_as_teprotumumab() -> None:
    rows = _json("halted")
    assert [(r["sponsor"], r["agent"], r["status_as_of"]) for r in rows] == [
        ("Amgen", "ganitumab", 2014),
        ("Bristol-Myers Squibb", "BMS-754807", 2014),
        ("Pfizer", "figitumumab", 2014),
        ("Roche", "R1507", 2009),  # Genmab, 4 Dec 2009: Roche "will discontinue development of RG1507"
    ]
    assert rows[-1]["later"] == ["approved 2020, thyroid eye disease, as teprotumumab"]
    approved = {
        r["agent"]: (r["sponsor"], r["status_as_of"], r["indication"])
        for r in _json("halted", "--status", "approved")
    }
    # approved (Horizon) in 2020; Amgen's since it bought Horizon in 2023
    assert approved["R1507"] == ("Amgen", 2020, "thyroid eye disease")
    then = {r["agent"]: r["sponsor"] for r in _json("halted", "--status", "approved", "--as-of", "2022")}
    assert then["R1507"] == "Horizon Therapeutics"
    # what was awaited in 2014 is awaited no longer; linsitinib is active again, outside oncology
    assert _json("halted", "--status", "awaiting-results") == []
    active = _json("halted", "--status", "active")
    assert [(r["agent"], r["indication"], r["status_as_of"]) for r in active] == [
        ("linsitinib", "thyroid eye disease", 2022)
    ]
    # teprotumumab is a name of R1507
    assert [r["agent"] for r in _json("halted", "--agent", "teprotumumab")] == ["R1507"]


def test_randomised_evidence_shows_no_benefit() -> None:
    rows = _json("randomised")
    assert len({r["trial"] for r in rows}) == 8 and len(rows) == 16
    assert {r["verdict"] for r in rows} == {"no difference"}
    aews1221 = next(r for r in rows if r["trial"] == "dubois-2023-ganitumab-ewing")
    # DuBois 2023: "hazard ratio for experimental arm 1.00; 95% CI, 0.76 to 1.33; 1-sided, P = .50"
    assert (aews1221["hr_text"], aews1221["ci_text"], aews1221["p_text"], aews1221["patients"]) == (
        "1.00",
        "0.76–1.33",
        "0.50 (one-sided)",
        298,
    )
    # Rugo 2017 prints an 80% interval, and the table says so
    rugo = next(r for r in rows if r["trial"] == "rugo-2017-dalotuzumab-breast")
    assert (rugo["level"], rugo["ci_text"]) == (0.8, "0.81–1.72")


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
    # Pappo 2014 pooled four histologies (4 of 163); its osteosarcoma group had 2 responses of 38;
    # Anderson 2016 reports its two osteosarcoma groups apart (3 of 31, 0 of 29)
    rows = _json("rank", "--histology", "osteosarcoma", "--by", "cohort")
    assert sorted((r["trial"], r["responders"], r["evaluable"]) for r in rows) == [
        ("anderson-2016-robatumumab-sarcoma", 0, 29),
        ("anderson-2016-robatumumab-sarcoma", 3, 31),
        ("pappo-2014-r1507-sarcoma", 2, 38),
    ]
    pooled = {
        r["regimen"]: (r["responders"], r["evaluable"]) for r in _json("rank", "--histology", "osteosarcoma")
    }
    assert pooled == {"R1507": (2, 38), "robatumumab": (3, 60)}
    ref = binomtest(2, 38).proportion_ci(0.95, method="exact")
    r1507 = next(r for r in _json("rank", "--histology", "osteosarcoma") if r["regimen"] == "R1507")
    assert abs(r1507["ci_low"] - ref.low) < 1e-9 and abs(r1507["ci_high"] - ref.high) < 1e-9
    # Tap 2012 enrolled Ewing family tumours and DSRCT and did not split its 2 responses of 35:
    # no Ewing figure to rank, and only its 22 Ewing patients count
    ewing = {r["regimen"]: (r["responders"], r["evaluable"]) for r in _json("rank", "--histology", "ewing")}
    assert ewing == {
        "figitumumab": (15, 106),
        "cixutumumab": (3, 30),  # Malempati 2012: 1 of 10 at 6 mg/kg, 2 of 20 at 9 mg/kg
        "R1507": (11, 115),
        "robatumumab": (6, 84),
        "ganitumab + palbociclib": (0, 10),
    }
    halted = {r["agent"]: r["patients"] for r in _json("halted", "--histology", "ewing")}
    # figitumumab: Juergens 107 and Olmos's Ewing cohort of 14; ganitumab: Tap's 22, AEWS1221's 298,
    # Shulman's 10
    assert halted == {"figitumumab": 107 + 14, "ganitumab": 22 + 298 + 10, "R1507": 115}


def test_patients_of_a_record_that_counts_them_only_by_cohort() -> None:
    # Schwartz 2013 gives no total, three groups of 54; Naing 2012 enrolled 20, the COG trial 46
    agents = {a["name"]: a["patients"] for a in _json("agents")}
    assert agents["temsirolimus"] == 162 + 20 + 46
    # Schoffski 113, Schwartz 162, Weigel 116, Malempati 47, Naing 20, COG 46
    assert agents["cixutumumab"] == 113 + 162 + 116 + 47 + 20 + 46


def test_one_histology_rule_in_every_command() -> None:
    # Tap 2012 enrolled Ewing family tumours and DSRCT and reports its 2 responses of 35 and its
    # 38 patients together: for Ewing, only its 22 Ewing patients count, and its own figures do not
    trials = {r["id"]: r for r in _json("trials", "--histology", "ewing")}
    tap = trials["tap-2012-ganitumab-eft-dsrct"]
    assert (tap["enrolled"], tap["evaluable"], tap["responders"], tap["response_rate"]) == (
        22,
        None,
        None,
        None,
    )
    halted = {r["agent"]: r["patients"] for r in _json("halted", "--histology", "ewing")}
    assert halted["ganitumab"] == 22 + 298 + 10  # Tap's 22 Ewing patients among them
    ranked = {t for r in _json("rank", "--histology", "ewing") for t in r["trial_ids"]}
    assert "tap-2012-ganitumab-eft-dsrct" not in ranked
    # a trial wholly of the histology keeps its own figures
    juergens = trials["juergens-2011-figitumumab-ewing"]
    assert (juergens["enrolled"], juergens["responders"], juergens["evaluable"]) == (107, 15, 106)
