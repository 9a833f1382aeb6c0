"""Special functions for pooling: the chi-square tail, the t quantile and Gauss-Hermite rules.

Pure Python, like the incomplete beta function in `igfcli.beta`, on which the t
distribution here is built; the tests check each against scipy and numpy.
"""

from __future__ import annotations

import math
from functools import lru_cache

from igfcli.beta import betainc

_TINY = 1e-300


def gammaincc(a: float, x: float) -> float:
    """Regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), for a > 0, x >= 0."""
    if a <= 0:
        raise ValueError(f"need a > 0, got {a}")
    if x < 0:
        raise ValueError(f"need x >= 0, got {x}")
    if x == 0:
        return 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        # the series for P(a, x); Q = 1 - P is not small here (it exceeds about 0.3)
        term = total = 1.0 / a
        denominator = a
        for _ in range(100_000):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    # the continued fraction for Q(a, x) (modified Lentz), accurate in relative terms far in the tail
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = d if abs(d) > _TINY else _TINY
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.exp(log_front) * h


def chi2_sf(x: float, df: float) -> float:
    """Upper tail P(X > x) of the chi-square distribution on df degrees of freedom."""
    if df <= 0:
        raise ValueError(f"need df > 0, got {df}")
    return 1.0 if x <= 0 else gammaincc(df / 2.0, x / 2.0)


def _t_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0."""
    square = t * t
    # Near the centre from the small argument t^2 / (df + t^2), whose complement df / (df + t^2)
    # would lose digits there; in the tail (below 0.1) from the complement, without cancellation.
    centre = betainc(0.5, df / 2.0, square / (df + square))
    if centre < 0.8:
        return 0.5 - 0.5 * centre
    return 0.5 * betainc(df / 2.0, 0.5, df / (df + square))


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t distribution on df > 0 degrees of freedom."""
    if df <= 0:
        raise ValueError(f"need df > 0, got {df}")
    tail = _t_tail(abs(t), df)
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p, for 0 < p < 1 and df > 0 degrees of freedom.

    Newton steps on the logarithm of the upper tail against the logarithm of t, where the
    tail is nearly a straight line, kept inside a bracket and falling back to bisection.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"need 0 < p < 1, got {p}")
    if df <= 0:
        raise ValueError(f"need df > 0, got {df}")
    if p == 0.5:
        return 0.0
    tail = 1.0 - p if p > 0.5 else p
    target = math.log(tail)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    lo, hi = -745.0, 709.0  # log t, within the range of exp()
    u = math.log(max(1e-300, -math.log(2.0 * tail))) / 2.0 + 0.5  # a rough start, about a normal quantile
    for _ in range(300):
        t = math.exp(u)
        t_tail = _t_tail(t, df)
        if t_tail <= 0.0:  # beyond the floating-point range of the tail
            hi = u
            u = (lo + hi) / 2
            continue
        f = math.log(t_tail) - target
        if f == 0.0:
            break
        if f > 0:
            lo = u  # the tail is still too heavy: t must grow
        else:
            hi = u
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        slope = -density * t / t_tail  # d log(tail) / d log(t)
        new = u - f / slope if slope < 0 else (lo + hi) / 2
        if abs(new - u) <= 1e-15 * max(1.0, abs(u)):
            u = new
            break
        u = new if lo < new < hi else (lo + hi) / 2
        if hi - lo < 1e-15:
            break
    t = math.exp(u)
    return t if p > 0.5 else -t


@lru_cache(maxsize=16)
def gauss_hermite(n: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Nodes and the logarithms of the weights of the n-point Gauss-Hermite rule for exp(-x^2).

    Newton's method on the orthonormal Hermite polynomials from the usual asymptotic starting
    points (Numerical Recipes, section 4.6). Those starting points hold up to about 150 nodes
    (beyond, a root can be missed), so no more are made; the tests compare every size used
    here with numpy's hermgauss.
    """
    if not 1 <= n <= 150:
        raise ValueError(f"need 1 to 150 nodes, got {n}")
    nodes = [0.0] * n
    log_weights = [0.0] * n
    pim4 = math.pi**-0.25
    z = 0.0
    for i in range((n + 1) // 2):
        if i == 0:
            z = math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** (-1 / 6)
        elif i == 1:
            z -= 1.14 * n**0.426 / z
        elif i == 2:
            z = 1.86 * z - 0.86 * nodes[0]
        elif i == 3:
            z = 1.91 * z - 0.91 * nodes[1]
        else:
            z = 2.0 * z - nodes[i - 2]
        derivative = 1.0
        for _ in range(100):
            p1, p2 = pim4, 0.0
            for j in range(1, n + 1):
                p1, p2 = z * math.sqrt(2.0 / j) * p1 - math.sqrt((j - 1) / j) * p2, p1
            derivative = math.sqrt(2.0 * n) * p2
            step = p1 / derivative
            z -= step
            if abs(step) <= 1e-15 * max(1.0, abs(z)):
                break
        nodes[i], nodes[n - 1 - i] = z, -z
        log_weights[i] = log_weights[n - 1 - i] = math.log(2.0) - 2.0 * math.log(abs(derivative))
    return tuple(nodes), tuple(log_weights)
