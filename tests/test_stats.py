"""Intervals, tests and rate parsing, checked against scipy and against published figures."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta, binom, binomtest

from igfcli.hazards import hr_in_middle, wald_p_range
from igfcli.model import Rate
from igfcli.output.text import format_percent
from igfcli.stats import (
    RateError,
    achievable,
    binom_cdf,
    clopper_pearson,
    count_at,
    matches,
    nearest_denominator,
    neighbours,
    normal_quantile,
    parse_rate,
    wilson,
)


def test_a_rate_stands_for_the_nearest_whole_count_exactly_as_printed() -> None:
    # rate x n to the nearest, halves up, against fractions of the printed digits
    cases = [("4.99999999999%", 10, 0), ("5%", 10, 1), ("14.5%", 200, 29), ("0.125", 4, 1), ("25%", 2, 1)]
    rng = np.random.default_rng(5)
    for _ in range(2000):
        digits = int(rng.integers(0, 10**6))
        text = f"{digits / 10**4:.4f}%"
        cases.append((text, int(rng.integers(1, 10**6)), None))
    for text, n, expected in cases:
        rate = parse_rate(text) if text.endswith("%") else parse_rate(float(text), text)
        exact = Fraction(text.rstrip("%")) / (100 if text.endswith("%") else 1) * n
        assert count_at(rate, n) == math.floor(exact + Fraction(1, 2)), (text, n)
        assert expected is None or count_at(rate, n) == expected


def test_exact_interval_every_k_up_to_200_matches_scipy() -> None:
    # Clopper-Pearson bounds are beta quantiles; scipy's beta.ppf is the independent reference.
    for n in range(1, 201):
        k = np.arange(n + 1)
        with np.errstate(all="ignore"):
            ref_low = np.where(k == 0, 0.0, beta.ppf(0.025, k, n - k + 1))
            ref_high = np.where(k == n, 1.0, beta.ppf(0.975, k + 1, n - k))
        for i in range(n + 1):
            low, high = clopper_pearson(i, n, 0.95)
            assert abs(low - ref_low[i]) < 1e-6, (i, n)
            assert abs(high - ref_high[i]) < 1e-6, (i, n)


def test_exact_interval_and_tail_hold_their_digits_at_any_count() -> None:
    # Above a + b = 1000 the beta function's front factor is worked out as TOMS 708 does, not from
    # differences of log-gamma functions, which lost digits as counts grew (at 10^8 patients, the
    # eighth significant digit). scipy's beta quantile loses digits itself at such counts, so each
    # bound x is checked by its residual: scipy's regularized incomplete beta function at x, less
    # the tail it should give, over the density there, is x's own error (relative to x).
    from scipy.special import betainc as scipy_betainc

    rng = np.random.default_rng(11)
    for n in (10 ** rng.uniform(3.01, 8, 120)).astype(int):
        n = int(n)
        for k in (0, 1, 7, 8, 99, 100, 999, 1000, int(n * rng.uniform(0.05, 0.95)), n - 8, n - 1, n):
            if not 0 <= k <= n:
                continue
            low, high = clopper_pearson(k, n, 0.95)
            # the continued fraction's own limit where one side of the count is small against the
            # other: a bound with fewer than 100 responders (or non-responders) among millions is
            # good to 9 digits, under 1,000 to 10, and every other to 11
            fewer = min(k, n - k)
            tolerance = 3e-9 if fewer < 100 else 1e-10 if fewer < 1000 else 1e-11
            for x, a, b, tail in ((low, k, n - k + 1, 0.025), (high, k + 1, n - k, 0.975)):
                if 0.0 < x < 1.0:
                    error = abs(scipy_betainc(a, b, x) - tail) / (beta.pdf(x, a, b) * x)
                    assert error <= tolerance, (k, n, x, error)
        for p in (0.2, 0.3, 0.4):
            k = int(n * p) - int(rng.integers(0, 3))
            assert abs(binom_cdf(k, n, p) - binom.cdf(k, n, p)) <= 1e-11 * binom.cdf(k, n, p), (k, n, p)


def test_exact_interval_matches_scipy_binomtest() -> None:
    # the call a trial statistician makes; the same beta quantiles as above, so every k of a
    # few small n, and every fifth of two larger ones, is enough here (it takes a millisecond a call)
    for n in [1, 2, 3, 5, 8, 13, 21, 40, 106, 163]:
        for k in range(0, n + 1, 1 if n <= 40 else 5):
            ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
            low, high = clopper_pearson(k, n, 0.95)
            assert abs(low - ref.low) < 1e-6 and abs(high - ref.high) < 1e-6, (k, n)


@pytest.mark.parametrize("n", [250, 300, 400])
def test_exact_interval_larger_n_and_other_levels(n: int) -> None:
    k = np.arange(0, n + 1, 7)
    for level in (0.9, 0.99):
        alpha = 1 - level
        with np.errstate(all="ignore"):
            ref_low = np.where(k == 0, 0.0, beta.ppf(alpha / 2, k, n - k + 1))
            ref_high = np.where(k == n, 1.0, beta.ppf(1 - alpha / 2, k + 1, n - k))
        for i, ki in enumerate(k.tolist()):
            low, high = clopper_pearson(ki, n, level)
            assert abs(low - ref_low[i]) < 1e-6 and abs(high - ref_high[i]) < 1e-6, (ki, n, level)


def test_wilson_matches_statsmodels() -> None:
    # statsmodels' formula, vectorised over k (scipy's binomtest gives the same, a call at a time)
    from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]

    for n in [*range(1, 61), 163, 250]:
        k = np.arange(n + 1)
        ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="wilson")
        for i in range(n + 1):
            low, high = wilson(i, n, 0.95)
            assert abs(low - ref_low[i]) < 1e-9 and abs(high - ref_high[i]) < 1e-9, (i, n)


def test_wilson_matches_scipy_binomtest() -> None:
    for n in [1, 2, 3, 5, 8, 13, 21, 40, 163]:
        for k in sorted({0, 1, 2, n // 3, n // 2, n - 1, n} & set(range(n + 1))):
            ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
            low, high = wilson(k, n, 0.95)
            assert abs(low - ref.low) < 1e-9 and abs(high - ref.high) < 1e-9, (k, n)


def test_r1507_interval_prints_as_the_published_report() -> None:
    # Pappo et al., Cancer 2014: ORR 2.5% (95% CI 0.7%-6.2%) for 4 of 163.
    low, high = clopper_pearson(4, 163)
    assert (format_percent(low), format_percent(high)) == ("0.7%", "6.2%")


def test_binomial_cdf_matches_scipy() -> None:
    for n in (1, 10, 17, 35, 163, 400):
        for p in (0.2, 0.3, 0.4):
            for k in range(n + 1):
                assert abs(binom_cdf(k, n, p) - binom.cdf(k, n, p)) < 1e-9, (k, n, p)


def test_r1507_pfs_test_against_30_percent() -> None:
    # 17% of 163 is 28 patients; P(X <= 28 | n=163, p=0.3) by scipy
    assert math.isclose(binom_cdf(28, 163, 0.3), binom.cdf(28, 163, 0.3), rel_tol=1e-9)
    assert binom_cdf(28, 163, 0.3) < 0.001


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_contains_estimate_and_lies_in_unit_range(kn: tuple[int, int]) -> None:
    k, n = kn
    for low, high in (clopper_pearson(k, n), wilson(k, n)):
        assert 0.0 <= low <= k / n <= high <= 1.0


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.integers(0, 3))
def test_a_rate_printed_from_k_over_n_is_always_consistent(kn: tuple[int, int], decimals: int) -> None:
    k, n = kn
    rate = parse_rate(format_percent(k / n, decimals))
    assert matches(rate, k, n)
    assert k in achievable(rate, n)


@pytest.mark.parametrize(
    ("text", "value", "half_unit"),
    [
        ("14.2%", 0.142, 0.0005),
        ("6%", 0.06, 0.005),
        ("0.2%", 0.002, 0.0005),
        ("100%", 1.0, 0.005),
        (" 17 % ", 0.17, 0.005),
        ("2.50%", 0.025, 0.00005),
    ],
)
def test_parse_percentage(text: str, value: float, half_unit: float) -> None:
    rate = parse_rate(text)
    assert math.isclose(rate.value, value) and math.isclose(rate.half_unit, half_unit)


def test_parse_fraction_keeps_printed_precision() -> None:
    rate = parse_rate(0.1, "0.10")
    assert rate.value == 0.1 and math.isclose(rate.half_unit, 0.005)
    assert parse_rate(1, "1").half_unit == 0.0


@pytest.mark.parametrize(
    ("value", "text", "expected"),
    [
        (14.2, "14.2", "write 14.2% for a percentage, or 0.142 for a fraction"),
        ("140%", None, "outside 0-100%"),
        (-0.1, "-0.1", "negative"),
        (-0.0, "-0.0", "negative"),  # a sign no rate has, even on zero
        ("-0%", None, "outside 0-100%"),
        (float("nan"), ".nan", "not a rate"),
        (True, None, "true is not a rate"),
        ("14.2", None, "a number written as text; write 14.2%"),
        ("high", None, "is not a rate"),
        ("1e3%", None, "is not a percentage"),
    ],
)
def test_bad_rates_say_how_to_write_them(value: object, text: str | None, expected: str) -> None:
    with pytest.raises(RateError, match=expected.replace("(", r"\(").replace("%", "%")):
        parse_rate(value, text)


def test_grim_editorial_figures() -> None:
    # 14.2% of 107 is impossible; 15/106 prints as 14.2%
    r = parse_rate("14.2%")
    assert not achievable(r, 107)
    assert neighbours(r, 107) == (15, 16)  # 14.0% and 15.0%
    assert nearest_denominator(r, 107) == (15, 106)
    # 6% of 38 is impossible (2/38 = 5.3%, 3/38 = 7.9%); 2/35 = 5.7% prints as 6%
    six = parse_rate("6%")
    assert not achievable(six, 38) and matches(six, 2, 35)
    # 0.2% of 113 is impossible: 0/113 = 0%, 1/113 = 0.9%
    assert not achievable(parse_rate("0.2%"), 113)


def test_rates_are_checked_exactly_at_any_precision_and_count() -> None:
    # 15005/30001 = 50.0149995...%: 50.015000% to six decimals, not 50.014999% (which a float
    # comparison with a tolerance let pass)
    assert not matches(parse_rate("50.014999%"), 15005, 30001)
    assert matches(parse_rate("50.015000%"), 15005, 30001) and matches(parse_rate("50.0150%"), 15005, 30001)
    # 28 decimals (30 digits, the most a figure may have), and a count of a hundred million
    assert matches(parse_rate("13.1578947368421052631578947368%"), 5, 38)
    assert not matches(parse_rate("13.1578947368421052631578947369%"), 5, 38)
    with pytest.raises(RateError, match="has 31 digits; no figure has more than 30"):
        parse_rate("13.15789473684210526315789473684%")
    assert matches(parse_rate(0.131578947, "0.131578947"), 5, 38)
    assert matches(parse_rate("33.333333%"), 33_333_333, 100_000_000)
    assert not matches(parse_rate("33.333334%"), 33_333_333, 100_000_000)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**8), st.data())
def test_matches_is_the_exact_comparison_with_the_printed_digit(n: int, data: st.DataObject) -> None:
    # the reference in fractions: k/n prints as the rate when it lies within half its last digit
    from fractions import Fraction

    k = data.draw(st.integers(0, n))
    decimals = data.draw(st.integers(0, 12))
    percent = data.draw(st.booleans())
    exact = Fraction(k, n) * (100 if percent else 1)
    nudge = data.draw(st.integers(-2, 2))  # the printed digit, or one or two off it
    units = int(exact * 10**decimals + Fraction(1, 2)) + nudge
    if units < 0 or units > (100 if percent else 1) * 10**decimals:
        return
    text = f"{units // 10**decimals}" + (f".{units % 10**decimals:0{decimals}d}" if decimals else "")
    # as YAML hands them over: 14.2% as text, 0.142 as a float, 0 and 1 as whole numbers
    rate = parse_rate(f"{text}%") if percent else parse_rate(float(text) if decimals else int(text), text)
    printed = Fraction(units, 10**decimals)
    within = (
        abs(exact - printed) <= Fraction(1, 2 * 10**decimals) if (percent or decimals) else exact == printed
    )
    assert matches(rate, k, n) is within


def test_a_negative_number_written_as_text_is_not_offered_as_a_rate() -> None:
    for text in ("-0.0", "-5", "-0.5"):
        with pytest.raises(RateError) as refused:
            parse_rate(text)
        assert (
            str(refused.value)
            == f"'{text}' is a negative number written as text; a rate lies between 0% and 100%"
        )


def test_rate_value_object() -> None:
    assert Rate(0.142, "14.2%", 0.0005).is_percentage
    assert not Rate(0.142, "0.142", 0.0005).is_percentage


def _half_up_percent(k: int, n: int, decimals: int) -> str:
    """k/n as a percentage rounded half up, in integer arithmetic only (an independent reference)."""
    scale = 10**decimals
    units = (2 * 100 * scale * k + n) // (2 * n)  # floor(100 * scale * k / n + 1/2)
    whole, part = divmod(units, scale)
    return f"{whole}.{part:0{decimals}d}%" if decimals else f"{whole}%"


@pytest.mark.parametrize("decimals", [3, 17, 28, 29, 40])
def test_percentages_to_any_number_of_decimals(decimals: int) -> None:
    # format_percent takes any number of decimals, past the 28 digits of decimal's default
    # context: a float's percentage is its shortest decimal form rounded, halves up (worked out
    # here in fractions, with no decimal context)
    from fractions import Fraction

    for x in (5 / 38, 0.2875, 1.0, 1e-9, 123.456):
        shortest = Fraction(repr(x)) * 100 * 10**decimals
        units = (shortest * 2 + 1) // 2  # halves up
        whole, part = divmod(int(units), 10**decimals)
        assert format_percent(x, decimals) == f"{whole}.{part:0{decimals}d}%"


@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_percentages_round_halves_up_for_every_k_over_n(decimals: int) -> None:
    # 23/80 is 28.75% exactly, but 0.2875 * 100 is 28.749999999999996 in binary: it must still print 28.8%
    wrong = [
        (k, n, format_percent(k / n, decimals))
        for n in range(1, 401)
        for k in range(n + 1)
        if format_percent(k / n, decimals) != _half_up_percent(k, n, decimals)
    ]
    assert wrong == []
    assert [format_percent(k / n) for k, n in ((23, 80), (41, 80), (57, 400), (29, 400))] == [
        "28.8%",
        "51.3%",
        "14.3%",
        "7.3%",
    ]


def test_an_agreeing_fraction_says_when_only_a_half_rounded_down_gives_the_rate() -> None:
    from igfcli.records.checks import _fraction

    # 1/400 = 0.25% lies exactly half a unit above 0.2%: printed half up it is 0.3%
    assert (
        _fraction(1, 400, parse_rate("0.2%"), agrees=True) == "1/400 = 0.25%, 0.2% with the half rounded down"
    )
    # half a unit below 0.3%: rounding the half up gives 0.3% as usual
    assert _fraction(1, 400, parse_rate("0.3%"), agrees=True) == "1/400 = 0.3%"
    # above the rate but inside the unit (14.23%): it prints as 14.2% however halves are rounded
    assert _fraction(1423, 10000, parse_rate("14.2%"), agrees=True) == "1423/10000 = 14.2%"
    assert _fraction(15, 106, parse_rate("14.2%"), agrees=True) == "15/106 = 14.2%"
    # a rate written with a leading zero is the same rate: no note either
    assert _fraction(5, 100, parse_rate("05%"), agrees=True) == "5/100 = 5%"


@pytest.mark.parametrize("n", [10**8, 10**12, 10**15])
def test_consistency_checks_take_the_same_few_steps_whatever_the_count(n: int) -> None:
    # a record's count can be large; the checks must not walk through every possible k
    import time

    started = time.perf_counter()
    for text in ("14.2%", "13%", "0.5%", "100%", "0%"):
        rate = parse_rate(text)
        ks = achievable(rate, n)
        below, above = neighbours(rate, n)
        ends = (ks[0], ks[-1]) if ks else ()
        assert all(matches(rate, k, n) for k in ends)
        assert below is None or (below / n < rate.value and not matches(rate, below, n))
        assert above is None or (above / n > rate.value and not matches(rate, above, n))
        nearest_denominator(rate, n + 1)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("hr", "low", "high", "level"),
    [
        ("1.00", "0.82", "1.21", 0.95),  # Fuchs 2015, OS at 12 mg/kg
        ("0.97", "0.76", "1.23", 0.95),
        ("1.18", "0.99", "1.40", 0.95),  # Langer 2014
        ("1.18", "0.81", "1.72", 0.80),  # Rugo 2017, an 80% interval
        ("0.55", "0.40", "0.76", 0.95),  # a clearly significant one
        ("2.1", "1.2", "3.7", 0.95),  # one decimal
    ],
)
def test_wald_p_range_is_the_range_over_every_printable_value(
    hr: str, low: str, high: str, level: float
) -> None:
    # brute force with scipy: every hazard ratio and limit that rounds to what was printed
    from scipy.stats import norm

    def values(text: str) -> np.ndarray:
        half = 0.5 * 10.0 ** -len(text.split(".")[1])
        grid = np.linspace(float(text) - half, float(text) + half, 41)
        return np.append(grid, 1.0) if grid[0] <= 1.0 <= grid[-1] else grid

    h, lo, hi = np.meshgrid(values(hr), values(low), values(high), indexing="ij")
    se = (np.log(hi) - np.log(lo)) / (2 * norm.ppf(1 - (1 - level) / 2))
    p = 2 * norm.sf(np.abs(np.log(h)) / se)
    got = wald_p_range((float(hr), hr), (float(low), low), (float(high), high), level)
    assert got == pytest.approx((p.min(), p.max()), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("hr", "low", "high"),
    [("1.00", "0.82", "1.21"), ("0.80", "0.70", "1.16"), ("1.33", "0.98", "1.83"), ("0.5", "0.3", "0.9")],
)
def test_hr_in_middle_is_whether_any_printable_values_make_hr_the_geometric_middle(
    hr: str, low: str, high: str
) -> None:
    # brute force: does some hr, low and high that round to the printed figures give hr^2 = low x high?
    def values(text: str) -> np.ndarray:
        half = 0.5 * 10.0 ** -len(text.split(".")[1])
        return np.linspace(float(text) - half, float(text) + half, 101)

    products = np.outer(values(low), values(high)).ravel()
    gap = np.abs(values(hr)[:, None] ** 2 - products[None, :]).min()
    brute = bool(gap < 2e-4)  # within a grid step of equality
    assert hr_in_middle((float(hr), hr), (float(low), low), (float(high), high)) is brute


def test_normal_quantile_is_statistics_own_to_the_last_bit() -> None:
    # the same function NormalDist().inv_cdf calls, so every interval that used it is unchanged;
    # and scipy agrees to 1e-15 relative
    from statistics import NormalDist

    from scipy.stats import norm

    grid = [i / 10_000 for i in range(1, 10_000)] + [1e-300, 1e-12, 0.5, 1 - 1e-12]
    reference = norm.ppf(np.array(grid))
    for p, ref in zip(grid, reference, strict=True):
        assert normal_quantile(p) == NormalDist().inv_cdf(p), p
        assert normal_quantile(p) == pytest.approx(float(ref), rel=1e-14, abs=1e-15), p
    for bad in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="0 < p < 1"):
            normal_quantile(bad)


def test_a_percentage_is_the_nearest_double_to_its_decimal_value() -> None:
    # Python reads "0.7e-2" as the double nearest 0.007 (correctly rounded); dividing float(0.7)
    # by 100 would give 0.006999999999999999, which prints, and can fall outside a range by a hair
    for i in range(10_001):
        text = f"{i / 100:.2f}"
        assert parse_rate(f"{text}%").value == float(f"{text}e-2"), text
    for text in ("0.7", "99.9", "14.2", "1.4", "33.333"):
        assert parse_rate(f"{text}%").value == float(f"{text}e-2"), text
