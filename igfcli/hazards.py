"""Hazard ratios as trial reports print them: whether a ratio and its interval agree, and which
two-sided p-values they allow.

Each printed figure stands for every value that rounds to it, so the checks work on ranges.
"""

from __future__ import annotations

import math

from igfcli.stats import two_sided_z


def _printed_range(value: float, text: str) -> tuple[float, float]:
    """Every value that prints as `text` (to its decimals)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    half = 0.5 * 10.0**-decimals
    return max(value - half, 1e-12), value + half


def hr_in_middle(hr: tuple[float, str], low: tuple[float, str], high: tuple[float, str]) -> bool:
    """Whether a hazard ratio can be the geometric middle of its interval at the printed precision.

    A Wald interval on the log scale (what a Cox model prints) is symmetric there:
    hr^2 = low x high. Each figure may be anything that rounds to what was printed.
    """
    h0, h1 = _printed_range(*hr)
    l0, l1 = _printed_range(*low)
    u0, u1 = _printed_range(*high)
    return l0 * u0 <= h1 * h1 and h0 * h0 <= l1 * u1


def wald_p_range(
    hr: tuple[float, str], low: tuple[float, str], high: tuple[float, str], level: float
) -> tuple[float, float]:
    """The two-sided Wald p-values that a hazard ratio and its interval allow, as printed.

    se = (ln high - ln low) / (2 z), z = ln hr / se, p = 2 (1 - Phi(|z|)); each figure may be
    anything that rounds to what was printed, so the answer is a range.
    """
    z_level = two_sided_z(level)
    if not 0 < z_level < math.inf:  # a level so near 0 that no interval could be told apart
        return 0.0, 1.0
    h0, h1 = _printed_range(*hr)
    l0, l1 = _printed_range(*low)
    u0, u1 = _printed_range(*high)
    se_low = max((math.log(u0) - math.log(l1)) / (2 * z_level), 1e-12)
    se_high = max((math.log(u1) - math.log(l0)) / (2 * z_level), 1e-12)
    log_hr = (math.log(h0), math.log(h1))
    nearest = 0.0 if log_hr[0] <= 0 <= log_hr[1] else min(abs(x) for x in log_hr)
    farthest = max(abs(x) for x in log_hr)
    z_small, z_large = nearest / se_high, farthest / se_low
    return math.erfc(z_large / math.sqrt(2)), math.erfc(z_small / math.sqrt(2))
