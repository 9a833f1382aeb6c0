"""The bad-input corpus: every file in tests/data/bad is refused (or warned about) with an exact, located message.

Each fixture carries one defect and is named for it. A record fixture is run in
a folder with the small catalog; a catalog fixture is run as agents.yaml on
its own. `igf validate` must exit 1 (0 for warnings alone, 1 with --strict),
`igf trials` 2, both listing the same problems and never a traceback; and the
pure-Python YAML parser must give exactly what the C parser gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from igfcli.records import yamldoc
from tests.corpus import CATALOGS, RECORDS, assert_refused, assert_warned, data_folder, summary
from tests.helpers import igf

LOADERS = [pytest.param(yaml.SafeLoader, id="python")]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.insert(0, pytest.param(yaml.CSafeLoader, id="libyaml"))


@pytest.fixture(params=LOADERS, autouse=True)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    monkeypatch.setattr(yamldoc, "_Loader", request.param)
    yield request.param


PLAIN = "(write a number as plain digits 0-9, with at most a sign and one point)"
# what follows the file name in each message: line:column: field: message
REFUSED: dict[str, list[str]] = {
    "key-indented-under-a-value": [
        ":3:10: YAML syntax: this line is indented under 'title', which already has a value on its own line; line it up with the keys above",
    ],
    "arm-agent-not-in-regimen": [
        ":13:15: arms[1].regimen[0]: betinib is not in the trial's regimen (alphamab)",
    ],
    "identifiers-misprinted": [
        ":7:10: sources[0].nct: 'NCT0123456' is not an NCT id such as NCT01234567",
        ":8:11: sources[0].pmid: 'PMID 24797726' is not a PubMed id such as 24797726 (digits only)",
        ":9:10: sources[0].doi: 'https://doi.org/10.1200/JCO.2011.37.2359' is not a DOI such as "
        "10.1200/JCO.2011.37.2359 (no https://doi.org/)",
        ":11:14: sources[1].eudract: '2007-3940-30' is not a EudraCT number such as 2007-003940-30",
        ":12:10: sources[1].url: 'www.example.org/trial' is not a web address such as https://example.org/trial",
        ":13:10: sources[1].nct: 'nct01234567' is not an NCT id such as NCT01234567",
    ],
    "pfs-time-point-twice": [
        ":9:13: pfs[2].weeks: 12.0 weeks is the time point of pfs[0] (12 weeks) too; give it once",
        ":15:17: cohorts[0].pfs[1].weeks: 13 weeks is the time point of cohorts[0].pfs[0] (3 months) too; "
        "give it once",
    ],
    "p-bound-of-zero": [
        ":24:8: comparisons[0].p: '< 0.000' is not a p-value bound: every p-value is more than 0; give the "
        'bound as printed, such as "<0.001"',
    ],
    "name-given-twice": [  # in any case; each repeat names the item that last had it
        ":9:11: cohorts[1].name: 'ewing' is already the name of cohorts[0]",
        ":11:11: cohorts[2].name: 'EWING' is already the name of cohorts[1]",
        ":18:11: arms[1].name: 'Chemo' is already the name of arms[0]",
    ],
    "arms-enrol-more-than-the-trial": [
        ":5:11: enrolled: 180, but the arms enrol 100 + 100 = 200",
    ],
    "comparison-names-no-arm": [
        ":20:14: comparisons[0].control: 'chemotherapy' is not an arm of this trial; its arms: alphamab + chemo, chemo",
    ],
    "comparison-sides-swapped": [
        ":19:19: comparisons[0].experimental: arm 'chemo' has role: control, not experimental",
        ":20:14: comparisons[0].control: arm 'alphamab + chemo' has role: experimental, not control",
    ],
    "comparison-without-arms": [
        ":7:3: comparisons: compares arms, but the trial lists no arms",
    ],
    "hr-outside-its-interval": [
        ":21:9: comparisons[0].hr: 1.20 lies outside its interval 0.70 to 1.16",
    ],
    "hr-zero": [
        ":21:9: comparisons[0].hr: 0 should be more than 0",
    ],
    "level-as-percent": [
        ":25:12: comparisons[0].level: 95 is not a confidence level; write 0.95 for 95%",
    ],
    "median-without-unit": [
        ":18:5: comparisons[0]: gives a median without 'median_unit' (weeks, months or years)",
    ],
    "no-experimental-arm": [
        ":7:3: arms: no arm has role: experimental",
        ":19:19: comparisons[0].experimental: arm 'alphamab + chemo' has role: control, not experimental",
    ],
    "p-as-words": [
        ":24:8: comparisons[0].p: 'not significant' is not a p-value; write 0.06, or a bound in quotes such as \"<0.001\"",
    ],
    "anchor-alias": [
        ":5:11: enrolled: anchors and aliases (&name / *name) are not supported; write the value out",
    ],
    "bad-indentation": [
        ":8:2: YAML syntax: this line is not indented like the others in the block at line 1, column 1; line it up with them",
    ],
    "bare-rate": [
        ":8:18: response.reported_rate: 14.2 is more than 1; write 14.2% for a percentage, or 0.142 for a fraction",
    ],
    "billion-laughs": [
        ":1:4: a: anchors and aliases (&name / *name) are not supported; write the value out",
    ],
    "byte-order-mark-then-unknown-key": [
        ":1:1: enroled: unknown key 'enroled'; did you mean 'enrolled'?",
    ],
    "control-character": [
        ":2:18: control character U+001B is not allowed in YAML; remove it",
    ],
    "count-as-string": [
        ":7:14: response.evaluable: a count written as text ('38'); write 38 without quotes",
    ],
    "date-as-count": [
        ":7:14: response.evaluable: should be a whole number of patients, not a date (2010-06-01)",
    ],
    "duplicate-key": [
        ":6:1: enrolled: duplicate key 'enrolled' (first at line 5)",
    ],
    "empty": [
        ": file is empty (or holds only comments); write a record in it or remove it",
    ],
    "escape-in-key": [
        # the escape a double-quoted key spells out is shown escaped, never sent to the terminal
        ":5:1: enrolled\\x1b[8m: unknown key 'enrolled\\x1b[8m'; did you mean 'enrolled'?",
    ],
    "escape-of-half-a-surrogate-pair": [
        # libyaml stops at it, PyYAML builds a string no encoder can write: both give this
        ":2:8: title: an escape of half a UTF-16 surrogate pair (\\ud800 to \\udfff), which is no character; "
        "write the character itself, or \\U and its eight hex digits",
    ],
    "pfs-rate-over-zero-enrolled": [
        ":8:11: pfs[0].rate: has no patient under it: no evaluable here, and enrolled is 0",
        ":14:15: cohorts[0].pfs[0].rate: has no patient under it: no evaluable here, and enrolled is 0",
    ],
    "histology-holding-a-list-separator": [
        ":5:15: histologies[0]: 'Ewing sarcoma; osteosarcoma' holds ';', which separates the items of a list in csv and tsv; write it without ';' "
        "(as items of their own: [Ewing sarcoma, osteosarcoma])",
        ":10:19: cohorts[0].histologies[0]: 'Ewing sarcoma;osteosarcoma' holds ';', which separates the items of a list in csv and tsv; write it without ';' "
        "(as items of their own: [Ewing sarcoma, osteosarcoma])",
    ],
    "id;with-a-list-separator": [
        ":1:5: id: 'id;with-a-list-separator' holds ';', which separates the items of a list in csv and tsv; write it without ';'",
    ],
    "whole-trial-response-beside-arms": [
        # the whole trial counts the control arm too: it would be ranked as alphamab's
        ":6:11: response: a randomised trial gives its response by arm, not for the whole trial: move it to the arms",
        ":7:6: pfs: a randomised trial gives its pfs by arm, not for the whole trial: move it to the arms",
    ],
    "experimental-arm-of-no-agent": [
        ":8:14: arms[0].regimen: is empty: an experimental arm names the catalog agent it tests",
    ],
    "evaluable-over-enrolled": [
        ":7:14: response.evaluable: 41 is more than enrolled (40)",
    ],
    "float-count": [
        ":8:15: response.responders: 15.0 is not a count; write 15",
    ],
    "id-not-file-name": [
        ":1:5: id: 'trial-a' does not match the file name; the id of id-not-file-name.yaml is 'id-not-file-name'",
    ],
    "infinite-rate": [
        ":8:18: response.reported_rate: .inf is not a rate; write a percentage such as 14.2%",
    ],
    "list-as-key": [
        ":5:3: a key must be a plain word, not a list or mapping",
    ],
    "merge-key": [
        ":6:3: response: merge keys (<<) are not supported; write the keys out",
    ],
    "missing-id": [
        ":1:1: id: is missing; this key is required",
    ],
    "missing-phase": [
        ":1:1: phase: is missing; this key is required",
    ],
    "missing-regimen": [
        ":1:1: regimen: is missing; this key is required",
    ],
    "missing-sources": [
        ":1:1: sources: is missing; this key is required",
    ],
    "missing-title": [
        ":1:1: title: is missing; this key is required",
    ],
    "nan-count": [
        ":7:14: response.evaluable: should be a whole number of patients, not .nan (not a finite number)",
    ],
    "negative-count": [
        ":8:15: response.responders: -1 is negative; a count is 0 or more",
    ],
    "negative-rate": [
        ":8:18: response.reported_rate: '-5%' is outside 0-100%",
    ],
    "negative-zero-rate": [
        ":8:18: response.reported_rate: '-0%' is outside 0-100%",
    ],
    "not-utf8": [
        ":2:19: not UTF-8 text (byte 0xfc); save the file as UTF-8",
    ],
    "on-as-rate": [
        ":8:18: response.reported_rate: should be a rate such as 14.2%, not 'on' (YAML reads it as true)",
    ],
    "only-comment": [
        ": file is empty (or holds only comments); write a record in it or remove it",
    ],
    "overflowing-number": [
        ":7:14: response.evaluable: should be a whole number of patients, not text ('1e309')",
    ],
    "python-object-tag": [
        ":5:8: notes: tag !!python/object/apply:os.system is not supported; write a plain value without it",
    ],
    # an id or a name that looks like another's: each would count apart from it
    "id-with-a-zero-width-space": [
        ":1:5: id: 'id-with-a-zero-width-space\\u200b' holds U+200B (zero width space), which no reader "
        "can see; write it in visible characters only",
        ":7:11: cohorts[0].name: 'Ewing sarcoma\\u200e' holds U+200E (left-to-right mark), which no "
        "reader can see; write it in visible characters only",
    ],
    # said once, at the arm: the comparison naming it as its control adds nothing
    "arm-role-not-a-choice": [
        ':15:11: arms[1].role: \'placebo\' is not one of "experimental", "control"',
    ],
    # a quoted rate, which the YAML reader's limit on numbers does not see
    "rate-of-thousands-of-digits": [
        ":9:18: response.reported_rate: '13.1111111111111111111111111111111111111...' has 5,002 digits; "
        "no figure has more than 30",
    ],
    "rate-over-100": [
        ":8:18: response.reported_rate: '140%' is outside 0-100%",
    ],
    "responders-over-evaluable": [
        ":8:15: response.responders: 39 is more than evaluable (38)",
    ],
    "tab-indent": [
        ":7:1: YAML syntax: a tab character; indent with spaces only",
    ],
    "title-as-list": [
        ":2:8: title: should be text, not a list",
    ],
    "top-level-list": [
        ":1:1: the file holds a list; a record is a mapping of keys to values",
    ],
    "top-level-scalar": [
        ":1:1: the file holds a single value ('top-level-scalar'); a record is a mapping of keys to values",
    ],
    "two-documents": [
        ":7:1: more than one YAML document (a '---' separator); keep one record per file",
    ],
    "unclosed-bracket": [
        ":4:6: YAML syntax: expected ',' or ']' in the list opened at line 3, column 10; close it with ']'",
    ],
    "unclosed-quote": [
        ":8:1: YAML syntax: the quoted text opened at line 5, column 8 is never closed; add the closing quote",
    ],
    "unknown-agent": [
        ":3:11: regimen[0]: 'alfamab' is not in the agent catalog; did you mean alphamab?",
    ],
    "unknown-key": [
        ":5:1: enroled: unknown key 'enroled'; did you mean 'enrolled'?",
    ],
    "unknown-phase": [
        ':4:8: phase: \'4\' is not one of "1", "1/2", "2", "2/3", "3"',
    ],
    "unknown-tag": [
        ":5:11: enrolled: tag !count is not supported; write a plain value without it",
    ],
    "yes-as-count": [
        ":8:15: response.responders: should be a whole number of patients, not 'yes' (YAML reads it as true)",
    ],
    # numbers are ASCII digits in plain notation: what YAML 1.1 or Python would read otherwise is refused
    "count-in-fullwidth-digits": [
        ":7:14: response.evaluable: should be a whole number of patients, not text ('３８')",
    ],
    "count-in-hex": [f":7:14: response.evaluable: should be a whole number of patients, not '0x26' {PLAIN}"],
    "count-in-sexagesimal": [
        f":8:15: response.responders: should be a whole number of patients, not '1:05' {PLAIN}",
    ],
    "count-of-a-trillion": [
        ":6:14: response.evaluable: 1,000,000,000,000 is more patients than any trial holds (at most 100,000,000)",
    ],
    "count-with-leading-zero": [f":5:11: enrolled: should be a whole number of patients, not '040' {PLAIN}"],
    "count-with-underscore": [f":5:11: enrolled: should be a whole number of patients, not '4_0' {PLAIN}"],
    "hr-in-exponent-notation": [
        f":21:9: comparisons[0].hr: should be a number as printed, such as 0.97, not '8.0e-1' {PLAIN}",
    ],
    "number-of-5000-digits": [
        ":5:11: enrolled: a number of 5,000 digits; no figure of a record has more than 30"
    ],
    "rate-in-arabic-indic-digits": [
        ":8:18: response.reported_rate: '١٣.٢%' is not a percentage; write it as digits and a point, such as 14.2%",
    ],
    "rate-with-underscore": [
        ":8:18: response.reported_rate: '1_3.2%' is not a percentage; write it as digits and a point, such as 14.2%",
    ],
}

WARNED: dict[str, list[str]] = {
    "hr-off-the-middle-of-its-interval": [
        ":21:9: warning: comparisons[0].hr: 0.80 is not the middle of its interval 0.70-1.16 on the log scale, where a Cox model's interval puts it (the middle is 0.901): check the figures",
    ],
    "one-sided-p-printed-as-two-sided": [
        ":24:8: warning: comparisons[0].p: 0.494 (two-sided) disagrees with the hazard ratio and its interval, which give a two-sided p of 0.959 to 1; it is the one-sided value (0.479 to 0.5): say p_sided: one-sided",
    ],
    "p-bound-the-figures-cannot-give": [
        ":24:8: warning: comparisons[0].p: <0.001 (two-sided) disagrees with the hazard ratio and its interval, "
        "which give a two-sided p of 0.959 to 1",
    ],
    "pfs-rate-over-no-patients": [
        ":7:11: warning: pfs[0].rate: no patients under this rate: no evaluable here and no enrolled for the trial, so no benchmark can test it",
        ":17:15: warning: cohorts[1].pfs[0].rate: no patients under this rate: no evaluable here and no enrolled for the cohort, so no benchmark can test it",
    ],
    "cohorts-respond-more-than-the-trial": [
        # the third cohort's responders are estimated from its rate (1 of 2), so not counted
        ":9:3: warning: cohorts: cohorts count 15 evaluable patients in all, more than the trial's response (10)",
        ":9:3: warning: cohorts: cohorts count 6 responders in all, more than the trial's response (1)",
    ],
    "cohorts-over-enrolled": [
        ":7:3: warning: cohorts: cohorts enrol 45 patients in all, more than the trial's enrolled (40)",
    ],
    "impossible-rate": [
        ":8:18: warning: response.reported_rate: 14.2% of 107 (evaluable) is impossible: no k/107 rounds to it (nearest: 15/107 = 14.0%, 16/107 = 15.0%); the nearest denominator that gives it is 106 (15/106 = 14.2%)",
    ],
    "rate-disagrees": [
        ":9:18: warning: response.reported_rate: 15.2% disagrees with responders / evaluable (5/38 = 13.2%)",
    ],
    # 15005/30001 = 50.0149995...%: 50.015000% to six decimals (a float comparison let it pass)
    "rate-a-hair-off-a-large-count": [
        ":9:18: warning: response.reported_rate: 50.014999% disagrees with responders / evaluable "
        "(15005/30001 = 50.015000%)",
    ],
    # 5/38 to 28 decimals (30 digits, as many as a figure may have), halves up, as exact
    # arithmetic gives it (not a float's 17 digits)
    "rate-printed-to-28-decimals": [
        ":9:18: warning: response.reported_rate: 15.2222222222222222222222222222% disagrees with "
        "responders / evaluable (5/38 = 13.1578947368421052631578947368%)",
    ],
    # 1 - (1 - level) / 2 is 1.0 in binary: the interval's z (8.29) comes from the lower tail;
    # the range as scipy's norm.isf and a grid over every printable value give it
    "comparison-level-a-hair-below-1": [
        ":24:8: warning: comparisons[0].p: 0.42 (two-sided) disagrees with the hazard ratio and its "
        "interval, which give a two-sided p of 0.000194 to 0.00135",
    ],
}

# catalog fixture -> (agents still loaded, problems)
CATALOG_REFUSED: dict[str, tuple[int, list[str]]] = {
    "event-with-unknown-status": (
        1,
        [
            ':7:17: agents[0].history[0].status: \'stopped\' is not one of "halted", "active", "awaiting-results", "approved", "unknown"',
        ],
    ),
    "event-without-source": (
        1,
        [
            ":6:9: agents[0].history[0].source: is missing; this key is required",
        ],
    ),
    "history-and-status": (
        1,
        [
            ":5:5: agents[0].status: 'status' and 'history' both give the status; write it as an event of the history",
        ],
    ),
    "history-as-text": (
        1,
        [
            ":5:14: agents[0].history: should be a list of events, not text ('halted in 2012')",
        ],
    ),
    "history-empty": (
        1,
        [
            ":5:14: agents[0].history: should be a list of events, not an empty list",
        ],
    ),
    "history-out-of-order": (
        1,
        [
            ":10:15: agents[0].history[1].year: 2012 is before the event above (2020); list events in time order",
        ],
    ),
    "agent-codes-differ-only-in-case": (
        2,
        [
            ":7:13: agents[1].codes[0]: code 'am-1' is already used by alphamab (line 3)",
        ],
    ),
    "agent-names-differ-only-in-case": (
        2,
        [
            ":6:11: agents[1].name: name 'Alphamab' is already used by alphamab (line 2)",
        ],
    ),
    "agent-name-with-a-byte-order-mark": (
        2,
        [
            ":6:11: agents[1].name: 'alphamab\\ufeff' holds U+FEFF (zero width no-break space), which no "
            "reader can see; write it in visible characters only",
        ],
    ),
    # a no-break space, a variation selector, fullwidth letters, a combining grapheme joiner:
    # names that look alike are one name, whatever characters they are spelled with
    "agent-names-differ-by-a-character-shown-as-nothing": (
        3,
        [
            ":6:11: agents[1].name: name 'alphamab\u00a0' is already used by alphamab (line 2)",
            ":8:11: agents[2].name: name 'Alpha\ufe0fmab' is already used by alphamab (line 2)",
            ":9:13: agents[2].codes[0]: code '\uff21\uff2d-1\u034f' is already used by alphamab (line 3)",
        ],
    ),
    "agent-named-with-a-joiner": (
        2,
        [
            ":6:11: agents[1].name: 'alpha + beta' holds ' + ', which joins the agents of a regimen "
            "(a + b); name the agent without it",
            ":7:13: agents[1].codes[0]: 'AB-1;AB-2' holds ';', which separates the agents in a list "
            "(csv, tsv); name the agent without it",
        ],
    ),
    "event-holding-a-list-separator": (
        1,
        [
            ":8:21: agents[0].history[0].indication: 'sarcoma; thyroid eye disease' holds ';', which separates the items of a list in csv and tsv; write it without ';'",
            ":13:15: agents[0].history[1].name: 'alphazumab;AZ-1' holds ';', which separates the items of a list in csv and tsv; write it without ';'",
        ],
    ),
    "agent-without-name": (
        0,
        [
            ":2:5: agents[0].name: is missing; this key is required",
        ],
    ),
    "agents-not-a-list": (
        0,
        [
            ":1:9: agents: should be a list of agents, not text ('alphamab')",
        ],
    ),
    "duplicate-agent-name": (
        2,
        [
            ":6:11: agents[1].name: name 'alphamab' is already used by alphamab (line 2)",
        ],
    ),
    "no-agents": (
        0,
        [
            ":1:9: agents: the catalog lists no agents",
        ],
    ),
    "unknown-agent-key": (
        1,
        [
            ":6:5: agents[0].sponser: unknown key 'sponser'; did you mean 'sponsor'?",
        ],
    ),
    "unknown-status": (
        1,
        [
            ':6:13: agents[0].status: \'stopped\' is not one of "halted", "active", "awaiting-results", "approved", "unknown"',
        ],
    ),
}


def test_every_fixture_has_its_expected_messages() -> None:
    assert sorted(p.stem for p in RECORDS.iterdir()) == sorted([*REFUSED, *WARNED])
    assert sorted(p.stem for p in CATALOGS.iterdir()) == sorted(CATALOG_REFUSED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_record_is_refused(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path, RECORDS / f"{name}.yaml")
    assert_refused("data", [f"data/{name}.yaml{tail}" for tail in REFUSED[name]])


@pytest.mark.parametrize("name", sorted(WARNED))
def test_doubtful_record_is_warned_about(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path, RECORDS / f"{name}.yaml")
    assert_warned("data", [f"data/{name}.yaml{tail}" for tail in WARNED[name]])


@pytest.mark.parametrize(
    ("response", "cohorts"),
    [
        # the trial's evaluable is its enrolled, assumed: the cohorts' 25 evaluable are not compared
        (
            "{responders: 9}",
            "[{name: a, response: {evaluable: 15, responders: 2}}, {name: b, response: {evaluable: 10, responders: 2}}]",
        ),
        # a cohort's evaluable is its enrolled, assumed: only the 5 given count against the trial's 10
        (
            "{evaluable: 10, responders: 5}",
            "[{name: a, enrolled: 8, response: {responders: 1}}, {name: b, enrolled: 8, response: {evaluable: 5, responders: 1}}]",
        ),
    ],
)
def test_cohort_sums_leave_out_counts_the_record_does_not_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, response: str, cohorts: str
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        "id: t\ntitle: t\nregimen: [alphamab]\nphase: '2'\nenrolled: 20\n"
        f"response: {response}\ncohorts: {cohorts}\nsources: [{{citation: c}}]\n"
    )
    data_folder(tmp_path, texts={"t.yaml": text})
    checked = igf("validate", "--data", "data")
    assert (checked.exit_code, checked.stderr) == (0, summary(0, 0, 1, 3, "data"))


def test_a_rate_that_disagrees_with_its_counts_is_marked_in_the_analyses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # validate warns (above); rank then marks the row, and says what the mark means
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path, RECORDS / "rate-disagrees.yaml")
    row = json.loads(igf("rank", "--data", "data", "-f", "json").stdout)[0]
    assert (row["responders"], row["evaluable"], row["reported_disagrees"]) == (5, 38, True)
    table = igf("rank", "--data", "data", env={"COLUMNS": "120"}).stdout
    assert "13.2%‡" in table
    assert "‡ The source's printed rate disagrees with its counts; the counts are used" in table
    markdown = igf("rank", "--data", "data", "-f", "markdown").stdout
    assert "13.2%‡" in markdown
    # and the report, in both its tables, with the same note under each
    report = igf("report", "--data", "data").stdout
    by_regimen, by_trial = report.split("### By regimen", 1)[1].split("### By trial", 1)
    for table in (by_regimen, by_trial.split("## ", 1)[0]):
        assert "13.2%‡" in table
        assert "‡ The source's printed rate disagrees with its counts; the counts are used" in table


@pytest.mark.parametrize("name", sorted(CATALOG_REFUSED))
def test_bad_catalog_is_refused(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path, catalog=CATALOGS / f"{name}.yaml")
    agents, tails = CATALOG_REFUSED[name]
    assert_refused("data", [f"data/agents.yaml{tail}" for tail in tails], agents=agents)
