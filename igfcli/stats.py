"""Rates and their statistics: parsing printed rates, binomial intervals and tests, consistency checks.

Pure functions on plain numbers. The exact (Clopper-Pearson) interval and the
binomial tail come from the regularized incomplete beta function (beta.py);
the tests check these against scipy.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from igfcli.beta import beta_quantile, betainc
from igfcli.model import Rate

if TYPE_CHECKING:
    from decimal import Decimal
    from fractions import Fraction


class RateError(ValueError):
    """A rate that cannot be read; the message says how to write it."""


def parse_rate(value: object, text: str | None = None) -> Rate:
    """Read a rate written as a percentage string ("14.2%") or a fraction (0.142); `text` is the
    number as written in the file, so that 0.10 keeps its two decimals."""
    if isinstance(value, bool) or value is None:
        raise RateError(f"{_show(value)} is not a rate; write a percentage such as 14.2%")
    if isinstance(value, str):
        return _parse_percentage(value)
    if isinstance(value, (int, float)):
        return _parse_fraction(value, text if text is not None else repr(value))
    raise RateError(f"{_show(value)} is not a rate; write a percentage such as 14.2%")


def _show(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return repr(value) if isinstance(value, str) else str(value)


# No figure of a record has more digits (a count of patients, a rate to its last printed digit).
MAX_DIGITS = 30
# A number as people print one: ASCII digits, a sign, at most one point. Not 1_0 (Python and YAML
# 1.1 read it as 10), 1e-3, 0x1A, or digits of other scripts (int() reads fullwidth and
# Arabic-Indic digits), which no source prints and which would read as something else elsewhere.
PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _decimal(text: str) -> Decimal | None:
    """A plain number's exact value, or None for any other text."""
    from decimal import Decimal  # only where a rate is read from a file

    return Decimal(text) if PLAIN_NUMBER.fullmatch(text) else None


def plain_number(text: str) -> float | None:
    """A plain number written as text (a command-line value), or None for any other text."""
    text = text.strip()
    return float(text) if PLAIN_NUMBER.fullmatch(text) else None


def _parse_percentage(raw: str) -> Rate:
    text = raw.strip()
    if not text.endswith("%"):
        number = _decimal(text)
        if number is not None and text.startswith("-"):  # no suggestion of a rate no one may write
            raise RateError(f"'{raw}' is a negative number written as text; a rate lies between 0% and 100%")
        if number is not None:
            raise RateError(
                f"'{raw}' is a number written as text; write {text}% for a percentage"
                + (f" or {text} for a fraction" if 0 <= number <= 1 else "")
            )
        raise RateError(
            f"'{raw}' is not a rate; write a percentage such as 14.2% or a fraction such as 0.142"
        )
    body = text[:-1].strip()
    digits = sum(c.isdigit() for c in body)
    if digits > MAX_DIGITS:  # quoted, so the YAML reader's own limit on numbers did not see it
        raise RateError(f"'{raw[:40]}...' has {digits:,} digits; no figure has more than {MAX_DIGITS}")
    number = _decimal(body)
    if number is None or "e" in body.lower():
        raise RateError(f"'{raw}' is not a percentage; write it as digits and a point, such as 14.2%")
    if number < 0 or number > 100 or body.startswith("-"):  # "-0%" too: a sign no rate has
        raise RateError(f"'{raw}' is outside 0-100%")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    decimals = max(0, -exponent)
    # divided as decimals, then rounded once: 0.7% is 0.007, not float(0.7) / 100 = 0.006999999999999999
    return Rate(float(number / 100), f"{body}%", 0.5 * 10.0 ** (-decimals) / 100)


def _parse_fraction(value: float, text: str) -> Rate:
    if isinstance(value, float) and not math.isfinite(value):
        raise RateError(f"{text} is not a rate; write a percentage such as 14.2%")
    if value < 0 or text.strip().startswith("-"):  # -0.0 too
        raise RateError(f"{text} is negative; a rate lies between 0 and 1 (or 0% and 100%)")
    if value > 100:
        raise RateError(f"{text} is more than 1 (and than 100%); a rate lies between 0 and 1, or 0% and 100%")
    if value > 1:
        raise RateError(
            f"{text} is more than 1; write {text}% for a percentage, or {value / 100:g} for a fraction"
        )
    number = _decimal(text.strip())
    if number is None or isinstance(value, int):
        # 0 and 1 written as whole numbers are exact
        return Rate(float(value), text, 0.0)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return Rate(float(value), text, 0.5 * 10.0**exponent)


# --- intervals and tests --------------------------------------------------------------------


def _check(k: int, n: int, level: float) -> None:
    if n <= 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    if not 0 < level < 1:
        raise ValueError(f"confidence level must lie strictly between 0 and 1, got {level}")


@lru_cache(maxsize=65536)  # pure; a large folder asks again for the same counts
def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval for a binomial proportion (Clopper-Pearson, 1934)."""
    _check(k, n, level)
    alpha = 1 - level
    low = 0.0 if k == 0 else beta_quantile(alpha / 2, k, n - k + 1)
    high = 1.0 if k == n else beta_quantile(1 - alpha / 2, k + 1, n - k)
    return low, high


def normal_quantile(p: float) -> float:
    """The standard normal quantile, as statistics.NormalDist().inv_cdf computes it (Wichura's
    AS241): by the same function, taken from the C module behind it where there is one, since
    importing statistics (and random and fractions with it) costs more than an analysis."""
    try:
        from _statistics import _normal_dist_inv_cdf  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - CPython has it; another Python goes the long way
        from statistics import NormalDist

        return NormalDist().inv_cdf(p)
    if not 0.0 < p < 1.0:
        raise ValueError(f"a quantile needs 0 < p < 1, got {p}")
    return float(_normal_dist_inv_cdf(p, 0.0, 1.0))


def two_sided_z(level: float) -> float:
    """The normal quantile of a two-sided interval at `level` (1.96 at 0.95), for every interval."""
    upper = 1 - (1 - level) / 2
    # within 1e-16 of 1 the upper tail rounds to 1.0 itself: from the lower tail there
    return normal_quantile(upper) if upper < 1.0 else -normal_quantile((1 - level) / 2)


@lru_cache(maxsize=65536)  # pure; a large folder asks again for the same counts
def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (without continuity correction)."""
    _check(k, n, level)
    z = two_sided_z(level)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # at k = 0 (or n) the bound is 0 (or 1) exactly; rounding would leave a trace of 1e-17
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


@lru_cache(maxsize=65536)  # pure; a large folder asks again for the same counts
def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return betainc(n - k, k + 1, 1 - p)


# --- consistency of printed rates -----------------------------------------------------------


def matches(rate: Rate, k: int, n: int) -> bool:
    """Whether k/n prints as `rate` at its printed precision (either rounding of a half).

    In whole numbers, exactly, at any number of decimals and any count: the rate is A / S as
    printed (14.2% is 142 / 1000) and half its last digit 1 / 2S, so k/n prints as it when
    |2kS - 2An| <= n. (In floating point, 15005/30001 = 50.0149995...% passed for 50.014999%.)
    """
    if n <= 0:
        return False
    printed = _printed(rate.text)
    if printed is None:  # a rate made in code, not read from a text: its value, to a float's precision
        return abs(k / n - rate.value) <= rate.half_unit + 1e-12
    a, s = printed
    if rate.half_unit == 0:  # 0 and 1 written as whole numbers: exact
        return k * s == a * n
    return abs(2 * k * s - 2 * a * n) <= n


def half_above(rate: Rate, k: int, n: int) -> bool:
    """Whether k/n lies exactly half a printed digit above `rate`: only rounding the half down prints it."""
    printed = _printed(rate.text)
    if printed is None or rate.half_unit == 0 or n <= 0:  # a whole number has no half to round
        return False
    a, s = printed
    return 2 * k * s - 2 * a * n == n


@lru_cache(maxsize=4096)
def _printed(text: str) -> tuple[int, int] | None:
    """A printed rate as whole numbers (A, S), its value A / S: "14.2%" (142, 1000), "0.10" (10, 100)."""
    body = text.strip()
    percent = body.endswith("%")
    number = _decimal(body[:-1].strip() if percent else body)
    if number is None:
        return None
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or sign or exponent > 0:
        return None
    return int("".join(map(str, digits))), 10**-exponent * (100 if percent else 1)


def exact_value(rate: Rate) -> Fraction:
    """A rate's value exactly as printed (14.2% is 142/1000); one made in code, its float's."""
    from fractions import Fraction  # only the benchmark asks, not every command's start-up

    printed = _printed(rate.text)
    return Fraction(rate.value) if printed is None else Fraction(*printed)


def count_at(rate: Rate, n: int) -> int:
    """The whole number of n patients a printed rate stands for: rate x n to the nearest, halves up
    as a reader rounds by hand, worked out in whole numbers from the rate as printed (in floating
    point, 4.99999999999% of 10 came to 1, and 14.5% of 200 could fall just short of 29)."""
    printed = _printed(rate.text)
    if printed is None:  # a rate made in code, not read from a text: its value, to a float's precision
        return math.floor(rate.value * n + 0.5 + 1e-9)
    a, s = printed
    return (2 * a * n + s) // (2 * s)


def achievable(rate: Rate, n: int) -> range:
    """Every k for which k/n prints as `rate`, found in the same few steps whatever n is.

    Those k are one run of whole numbers around rate x n (matches() asks for k/n within a
    distance of the rate), so only its ends are searched for, from their estimates; the
    estimates are off by a step at most, so time does not grow with n.
    """
    if n <= 0:
        return range(0)
    nearest = min(max(round(rate.value * n), 0), n)
    near = (nearest, nearest - 1, nearest + 1)
    found = next((k for k in near if 0 <= k <= n and matches(rate, k, n)), None)
    if found is None:
        return range(0)
    low = min(found, max(0, math.ceil((rate.value - rate.half_unit) * n)))
    while low > 0 and matches(rate, low - 1, n):
        low -= 1
    while not matches(rate, low, n):
        low += 1
    high = max(found, min(n, math.floor((rate.value + rate.half_unit) * n)))
    while high < n and matches(rate, high + 1, n):
        high += 1
    while not matches(rate, high, n):
        high -= 1
    return range(low, high + 1)


def neighbours(rate: Rate, n: int) -> tuple[int | None, int | None]:
    """The k/n just below and just above `rate` (by k), for saying what could have been printed.

    Outside the rate exactly where matches() says so: a strict comparison of its own would
    call 35/400 = 8.75% a miss of 8.8% while matches() (rightly) accepts it.
    """
    if n <= 0:
        return None, None
    ks = achievable(rate, n)
    if ks:
        below, above = ks.start - 1, ks.stop
    else:  # the k whose k/n lies closest on each side of the rate
        below = min(max(math.ceil(rate.value * n) - 1, -1), n)
        while below + 1 <= n and (below + 1) / n < rate.value:
            below += 1
        while below >= 0 and below / n >= rate.value:
            below -= 1
        above = below + 1
        while above <= n and above / n <= rate.value:
            above += 1
    return (below if below >= 0 else None, above if above <= n else None)


def nearest_denominator(rate: Rate, n: int, search: int = 1000) -> tuple[int, int] | None:
    """The denominator closest to n (the smaller one on a tie) at which `rate` is possible.

    Returns (k, m). A trial usually has fewer evaluable patients than enrolled,
    so a shortfall is the likelier explanation; ties go to it.
    """
    for distance in range(1, search + 1):
        for m in (n - distance, n + distance):
            if m > 0:
                ks = achievable(rate, m)
                if ks:
                    return ks[0], m
    return None
