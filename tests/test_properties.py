"""Properties: valid records round-trip through the loader, damaged ones give only located problems,
and the rate parser, intervals and consistency checks keep their promises for any input."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from igfcli.errors import Problem
from igfcli.model import Catalog
from igfcli.records.fields import is_todo
from igfcli.records.folder import load
from igfcli.stats import (
    RateError,
    achievable,
    binom_cdf,
    clopper_pearson,
    matches,
    nearest_denominator,
    neighbours,
    parse_rate,
    wilson,
)
from tests.corpus import AGENTS
from tests.helpers import data_folder
from tests.invariants import sound_trial

AGENT_LABELS = ["alphamab", "AM-1", "betinib", "BT-2", "gammalimus"]
CANONICAL = {"alphamab": "alphamab", "am-1": "alphamab", "betinib": "betinib", "bt-2": "betinib"}
CANONICAL["gammalimus"] = "gammalimus"

# text a curator might type: any letters, digits, punctuation, spaces and symbols
plain_text = st.text(
    st.characters(categories=["L", "N", "P", "Zs", "S"], exclude_characters="\u2028\u2029\x85"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "" and not is_todo(s))  # "TODO" marks a field left for a curator
# an item of a list that csv and tsv write in one cell (a histology) holds no ';', which separates them
list_item = plain_text.filter(lambda s: ";" not in s)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    regimen = draw(st.lists(st.sampled_from(AGENT_LABELS), min_size=1, max_size=3, unique_by=_canonical))
    record: dict[str, Any] = {
        "id": "trial-x",
        "title": draw(plain_text),
        "regimen": regimen,
        "phase": draw(st.sampled_from(["1", "1/2", "2", "2/3", "3"])),
        "sources": [{"citation": draw(plain_text)}],
    }
    enrolled = draw(st.integers(1, 5000))
    record["enrolled"] = enrolled
    if draw(st.booleans()):
        evaluable = draw(st.integers(1, enrolled))
        responders = draw(st.integers(0, evaluable))
        record["response"] = {"evaluable": evaluable, "responders": responders}
    if draw(st.booleans()):
        record["histologies"] = draw(st.lists(list_item, max_size=3))
    return record


def _canonical(label: str) -> str:
    return CANONICAL[label.casefold()]


def _load_one(text: bytes, name: str = "trial-x.yaml") -> tuple[Any, list[Problem]]:
    with tempfile.TemporaryDirectory() as folder:
        loaded = load(data_folder(Path(folder), catalog=AGENTS, texts={name: text}))
    return loaded.evidence, loaded.problems


@settings(max_examples=60, deadline=None)
@given(records())
def test_valid_records_round_trip(record: dict[str, Any]) -> None:
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False).encode("utf-8")
    evidence, problems = _load_one(text)
    assert problems == []
    (trial,) = evidence.trials
    sound_trial(trial, Catalog(evidence.agents), "trial-x")
    assert (trial.id, trial.title, trial.phase) == (record["id"], record["title"], record["phase"])
    assert trial.regimen == tuple(_canonical(label) for label in record["regimen"])
    assert trial.enrolled == record["enrolled"]
    assert trial.histologies == tuple(record.get("histologies", ()))
    assert [s.citation for s in trial.sources] == [record["sources"][0]["citation"]]
    if "response" in record:
        assert trial.response is not None
        assert (trial.response.evaluable, trial.response.responders) == (
            record["response"]["evaluable"],
            record["response"]["responders"],
        )
    else:
        assert trial.response is None


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at] if at else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*at, i))
    return out


def _set(value: Any, path: tuple[Any, ...], new: Any, drop: bool) -> None:
    for part in path[:-1]:
        value = value[part]
    if drop:
        del value[path[-1]]
    else:
        value[path[-1]] = new


def _assert_only_problems(text: bytes) -> None:
    evidence, problems = _load_one(text)  # any exception other than a Problem fails here
    assert all(isinstance(p, Problem) for p in problems)
    assert all(p.path.endswith(("trial-x.yaml", "agents.yaml")) for p in problems)
    assert all("Traceback" not in str(p) for p in problems)
    if evidence is not None and not [p for p in problems if p.severity == "error"]:
        (trial,) = evidence.trials
        # whatever was changed, a record the readers accept keeps every promise they make
        sound_trial(trial, Catalog(evidence.agents), "trial-x")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.data())
def test_a_changed_or_dropped_field_gives_problems_never_a_crash(
    record: dict[str, Any], data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(_paths(record)))
    drop = data.draw(st.booleans())
    _set(record, path, data.draw(ODD_VALUES), drop)
    _assert_only_problems(yaml.safe_dump(record, allow_unicode=True).encode("utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.data())
@example(
    {"id": "trial-x", "title": "t", "regimen": ["alphamab"], "phase": "2", "sources": [{"citation": "c"}]},
    None,
)
def test_corrupted_or_cut_bytes_give_problems_never_a_crash(record: dict[str, Any], data: Any) -> None:
    text = bytearray(yaml.safe_dump(record, allow_unicode=True).encode("utf-8"))
    if data is None:  # the explicit example: every cut of one small record
        for end in range(len(text)):
            _assert_only_problems(bytes(text[:end]))
        return
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(text) - 1))
        text[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(text)))
    _assert_only_problems(bytes(text[:cut]))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_problems_never_a_crash(raw: bytes) -> None:
    _assert_only_problems(raw)


# --- rates --------------------------------------------------------------------------------------

ANYTHING = st.one_of(ODD_VALUES, st.from_regex(r"-?\d{0,4}(\.\d{0,3})?\s*%?\s*", fullmatch=True))


@given(ANYTHING)
def test_parse_rate_either_reads_a_fraction_or_says_why(value: Any) -> None:
    try:
        rate = parse_rate(value)
    except RateError as exc:
        assert str(exc)
        return
    assert 0.0 <= rate.value <= 1.0
    assert rate.half_unit >= 0.0


@given(st.integers(0, 100_000), st.integers(0, 3))
def test_a_percentage_keeps_its_value_and_precision(units: int, decimals: int) -> None:
    assume(units <= 100 * 10**decimals)
    text = f"{units / 10**decimals:.{decimals}f}%"
    rate = parse_rate(text)
    assert math.isclose(rate.value, units / 10**decimals / 100, abs_tol=1e-15)
    assert math.isclose(rate.half_unit, 0.5 * 10.0**-decimals / 100)
    assert rate.text == text


# --- intervals ------------------------------------------------------------------------------------

counts = st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@given(counts)
def test_intervals_grow_with_k(kn: tuple[int, int]) -> None:
    k, n = kn
    assume(k < n)
    for interval in (clopper_pearson, wilson):
        low, high = interval(k, n)
        next_low, next_high = interval(k + 1, n)
        assert next_low >= low - 1e-12 and next_high >= high - 1e-12


@given(counts, st.floats(0.5, 0.98))
def test_a_higher_level_gives_a_wider_interval(kn: tuple[int, int], level: float) -> None:
    k, n = kn
    for interval in (clopper_pearson, wilson):
        low, high = interval(k, n, level)
        wide_low, wide_high = interval(k, n, level + 0.01)
        assert wide_low <= low + 1e-12 and wide_high >= high - 1e-12


@given(counts)
def test_exact_interval_is_symmetric_in_success_and_failure(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = clopper_pearson(k, n)
    mirror_low, mirror_high = clopper_pearson(n - k, n)
    assert math.isclose(low, 1 - mirror_high, abs_tol=1e-9)
    assert math.isclose(high, 1 - mirror_low, abs_tol=1e-9)


@given(counts, st.floats(0.0, 1.0))
def test_binomial_cdf_is_a_distribution_function(kn: tuple[int, int], p: float) -> None:
    k, n = kn
    assert 0.0 <= binom_cdf(k, n, p) <= 1.0
    assert binom_cdf(k, n, p) <= binom_cdf(k + 1, n, p) + 1e-12
    assert binom_cdf(n, n, p) == 1.0 and binom_cdf(-1, n, p) == 0.0


# --- consistency checks -------------------------------------------------------------------------

printed = st.tuples(st.integers(0, 1000), st.integers(0, 2)).map(lambda t: f"{t[0] / 10 ** t[1]:.{t[1]}f}%")
fractions = st.tuples(st.integers(0, 1000), st.integers(1, 3)).map(
    lambda t: f"{min(t[0], 10 ** t[1]) / 10 ** t[1]:.{t[1]}f}"
)


@given(printed.filter(lambda s: float(s[:-1]) <= 100) | fractions, st.integers(1, 500))
@example("8.8%", 400)  # 35/400 = 8.75% matches 8.8%: it is no neighbour outside it
@example("0.5", 7)
@example("100%", 3)
def test_achievable_is_exactly_the_k_that_match(text: str, n: int) -> None:
    rate = parse_rate(text) if text.endswith("%") else parse_rate(float(text), text)
    ks = achievable(rate, n)
    assert list(ks) == [k for k in range(n + 1) if matches(rate, k, n)]
    below, above = neighbours(rate, n)
    # the nearest k outside the rate on each side, as a search through every k finds them
    outside = [k for k in range(n + 1) if not matches(rate, k, n)]
    assert below == max((k for k in outside if k / n < rate.value), default=None)
    assert above == min((k for k in outside if k / n > rate.value), default=None)
    if not ks:
        found = nearest_denominator(rate, n)
        if found is not None:
            k, m = found
            assert matches(rate, k, m) and m != n
            closer = [d for d in range(1, n + abs(m - n)) if abs(d - n) < abs(m - n)]
            assert all(not achievable(rate, d) for d in closer)


# what a markdown cell can hold once escaped: any printable text, spaces around it included
_cell = st.text(st.characters(categories=["L", "N", "P", "Zs", "S"]), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.lists(_cell.filter(lambda h: h == h.strip()), min_size=n, max_size=n),
            st.lists(st.lists(_cell, min_size=n, max_size=n), max_size=6),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    )
)
def test_pipe_tables_are_laid_out_as_tabulate_lays_them_out(table: Any) -> None:
    from tabulate import tabulate

    from igfcli.output.formats import pipe_table

    headers, body, right = table
    assume(body)
    align = ["right" if r else "left" for r in right]
    expected = tabulate(body, headers=headers, tablefmt="github", colalign=align, disable_numparse=True)
    columns = [[row[i] for row in body] for i in range(len(headers))]
    assert pipe_table(headers, columns, right) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec=None)), max_size=3))
@example(["a\u200bb", "\U000e0001", "\udcff", "\u2028\u00a0\n\t\x7f"])
def test_json_reads_back_every_text_and_holds_no_hidden_character_raw(texts: list[str]) -> None:
    import json
    import unicodedata

    from igfcli.output.formats import json_text

    written = json_text({"texts": texts})
    assert json.loads(written) == {"texts": texts}
    hidden = {"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"}
    assert not [ch for ch in written if ch != "\n" and unicodedata.category(ch) in hidden]


_MARKDOWN_TEXT = st.text(alphabet=st.sampled_from(list("ab1 _*~`[]()!<>&#;|\\:/.-é")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_MARKDOWN_TEXT)
@example("_x_")
@example("[t](http://a)")
@example("&amp;")
@example("![i](u)")
@example("[a][b]")
@example("snake_case and [1]")
def test_markdown_shows_escaped_text_as_written(text: str) -> None:
    # rendered by a CommonMark parser (with tables, strikethrough, linkify off), the escaped text
    # is plain text, character for character: no emphasis, link, image, entity, code or tag
    from markdown_it import MarkdownIt

    from igfcli.output.text import markdown_escape, safe_text

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    [inline] = [t for t in md.parse(f"x {markdown_escape(text)} x") if t.type == "inline"] or [None]
    if inline is None:  # nothing but spaces around the x's cannot be: there is always text
        raise AssertionError(text)
    kinds = {child.type for child in inline.children or []}
    assert kinds <= {"text", "softbreak"}, (text, kinds)
    shown = "".join(child.content for child in inline.children or [] if child.type == "text")
    assert " ".join(shown.split()) == " ".join(f"x {safe_text(text)} x".split()), text


_any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(min_value=-1.0, max_value=2.0),
    st.sampled_from([-0.0, math.nan, 1e-7, 0.2875, "\x1b[31m", "a\u202eb", "x\ud800", "10%"]),
    st.text(max_size=8),
    st.tuples(st.text(max_size=4), st.integers(0, 9)),
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["text", "count", "rate", "number", "list", "bool", "p_value"]),
    st.lists(st.tuples(_any_value, st.booleans()), max_size=6),
)
def test_a_column_worked_out_at_once_reads_as_cell_by_cell(kind: Any, values: list[Any]) -> None:
    # the tables and markdown read cells a column at a time; each must be what shown_cell gives
    from igfcli.analyses.results import Column
    from igfcli.output.text import column_texts, shown_cell

    class Line:
        def __init__(self, value: Any, flagged: bool) -> None:
            self.value, self.flagged = value, flagged

    rows = [Line(v, f) for v, f in values]
    if kind in ("rate", "p_value"):
        rows = [r for r in rows if r.value is None or isinstance(r.value, float)]
    for marks in ((), (("flagged", "†"),)):
        column = Column("value", "Value", kind, marks=marks)
        try:
            expected = [shown_cell(r, column) for r in rows]
        except (TypeError, ValueError):
            continue  # a value this kind of column never holds
        assert column_texts(rows, column) == expected
