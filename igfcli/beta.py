"""The regularized incomplete beta function and its inverse: the exact binomial interval and tail.

Computed here rather than with scipy, whose import alone costs most of a second on every call;
the tests check both against scipy. The continued fraction (modified Lentz) is the textbook one.
Its front factor, x^a (1 - x)^b / B(a, b), is worked out from log-gamma functions while a + b is
at most LARGE; above, where the logarithms of a and b's gamma functions grow to the size that
their differences lose digits (at a + b = 10^8 a relative error of 10^-8), it is worked out as
Didonato and Morris's TOMS 708 does (the algorithm behind R's pbeta): in differences that stay
small (brcomp, bcorr, algdiv, rlog1).
"""

from __future__ import annotations

import math

# Up to this the log-gamma front factor is kept, its error at most about 2 x 10^-12 relative
# (at a + b = 1000): every published trial is smaller, and its figures keep the bits they have
# always had. Above, TOMS 708's, about 2 x 10^-14 there.
LARGE = 1000.0
_ROOT_2PI = 0.398942280401433  # 1 / sqrt(2 pi), as TOMS 708 writes it
# the Stirling series of del(x) = log Gamma(x) - ((x - 0.5) log x - x + log sqrt(2 pi)), TOMS 708's
_DEL = (
    0.0833333333333333,
    -0.00277777777760991,
    7.9365066682539e-4,
    -5.9520293135187e-4,
    8.37308034031215e-4,
    -0.00165322962780713,
)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2)."""
    # `v if v > tiny or v < -tiny else tiny` is `v if abs(v) > tiny else tiny` without a call
    # (NaN too becomes tiny): the loop runs about 20 times for each of the 6 or so incomplete beta
    # functions an interval bound takes, and these are its only calls
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if d > tiny or d < -tiny else tiny)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if d > tiny or d < -tiny else tiny)
        c = 1.0 + aa / c
        c = c if c > tiny or c < -tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if d > tiny or d < -tiny else tiny)
        c = 1.0 + aa / c
        c = c if c > tiny or c < -tiny else tiny
        delta = d * c
        h *= delta
        if -1e-15 < delta - 1.0 < 1e-15:
            break
    return h


def _log_beta_norm(a: float, b: float) -> float:
    """log(1 / B(a, b)), the incomplete beta function's constant part."""
    if a + b > LARGE and max(a, b) >= 8.0:
        small, big = min(a, b), max(a, b)
        if small >= 8.0:
            return -_log_beta_large(small, big)
        return -(math.lgamma(small) + _log_gamma_ratio(small, big))
    return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    return _betainc(a, b, x, _log_beta_norm(a, b))


def _betainc(a: float, b: float, x: float, log_norm: float) -> float:
    """betainc with its constant part worked out once by the caller (the same sum, so the same bits)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = _front(a, b, x, log_norm)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = q: Newton steps, kept inside a shrinking bracket so it cannot diverge."""
    lo, hi = 0.0, 1.0
    # Start from the normal approximation to the beta distribution: a few Newton steps from
    # there instead of a dozen from the mean, each step one incomplete beta function.
    mean = a / (a + b)
    x = mean + _normal_quantile(q) * math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    if not 0.0 < x < 1.0:
        x = mean
    log_norm = _log_beta_norm(a, b)
    for _ in range(200):
        f = _betainc(a, b, x, log_norm) - q
        if f == 0.0:
            return x
        if f < 0:
            lo = x
        else:
            hi = x
        density = math.exp(log_norm + (a - 1) * math.log(x) + (b - 1) * math.log1p(-x))
        step = x - f / density if density > 0 else -1.0
        # Newton converges quadratically: once a step is this small the next would be below the
        # rounding noise of betainc itself. Tested before the bracket: a converged step can land
        # on the bracket's edge, and bisecting from there would start the search over.
        if density > 0 and abs(step - x) <= 1e-13 * x:
            return step
        # fall back to bisection whenever Newton would leave the bracket
        new = step if lo < step < hi else (lo + hi) / 2
        if hi - lo < 1e-15:
            return new
        x = new
    return x


def _normal_quantile(p: float) -> float:
    """An approximate standard normal quantile (Abramowitz and Stegun 26.2.23, error < 4.5e-4):
    only a starting point for the exact search above, never a result."""
    tail = p if p < 0.5 else 1.0 - p
    t = math.sqrt(-2.0 * math.log(tail))
    z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (
        1.0 + t * (1.432788 + t * (0.189269 + 0.001308 * t))
    )
    return -z if p < 0.5 else z


def _front(a: float, b: float, x: float, log_norm: float) -> float:
    """x^a (1 - x)^b / B(a, b)."""
    if a + b > LARGE and min(a, b) >= 8.0:
        return _front_large(a, b, x, 1.0 - x)
    return math.exp(log_norm + a * math.log(x) + b * math.log1p(-x))


def _front_large(a: float, b: float, x: float, y: float) -> float:
    """x^a y^b / B(a, b) for a, b >= 8, as TOMS 708's brcomp: from how far x is from a / (a + b),
    in logarithms of ratios near 1 (rlog1), with Stirling's corrections in one small sum (bcorr)."""
    if a > b:
        h = b / a
        x0, y0 = 1.0 / (h + 1.0), h / (h + 1.0)
        lam = (a + b) * y - b
    else:
        h = a / b
        x0, y0 = h / (h + 1.0), 1.0 / (h + 1.0)
        lam = a - (a + b) * x
    e = -lam / a
    u = e - math.log(x / x0) if abs(e) > 0.6 else _rlog1(e)
    e = lam / b
    v = e - math.log(y / y0) if abs(e) > 0.6 else _rlog1(e)
    z = math.exp(-(a * u + b * v))
    return _ROOT_2PI * math.sqrt(b * x0) * z * math.exp(-_bcorr(a, b))


def _rlog1(x: float) -> float:
    """x - log(1 + x), without the cancellation of computing it so (TOMS 708)."""
    if x < -0.39 or x > 0.57:
        return x - math.log(x + 1.0)
    if x < -0.18:
        h = (x + 0.3) / 0.7
        w1 = 0.0566749439387324 - h * 0.3
    elif x > 0.18:
        h = x * 0.75 - 0.25
        w1 = 0.0456512608815524 + h / 3.0
    else:
        h, w1 = x, 0.0
    r = h / (h + 2.0)
    t = r * r
    w = ((0.00620886815375787 * t - 0.224696413112536) * t + 0.333333333333333) / (
        (0.354508718369557 * t - 1.27408923933623) * t + 1.0
    )
    return t * 2.0 * (1.0 / (1.0 - r) - r * w) + w1


def _del_series(t: float, s: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)) -> float:
    """The Stirling series in t = 1 / x^2, each term i weighted by s[i]."""
    c0, c1, c2, c3, c4, c5 = _DEL
    return ((((c5 * s[5] * t + c4 * s[4]) * t + c3 * s[3]) * t + c2 * s[2]) * t + c1 * s[1]) * t + c0


def _del_b_minus_del_a_plus_b(a: float, b: float) -> float:
    """del(b) - del(a + b), for b >= 8 (TOMS 708's w of bcorr and algdiv)."""
    h = a / b if a <= b else b / a
    c, x = (h / (h + 1.0), 1.0 / (h + 1.0)) if a <= b else (1.0 / (h + 1.0), h / (h + 1.0))
    x2 = x * x
    s3 = x + x2 + 1.0
    s5 = x + x2 * s3 + 1.0
    s7 = x + x2 * s5 + 1.0
    s9 = x + x2 * s7 + 1.0
    s11 = x + x2 * s9 + 1.0
    return _del_series(1.0 / (b * b), (1.0, s3, s5, s7, s9, s11)) * c / b


def _bcorr(a: float, b: float) -> float:
    """del(a) + del(b) - del(a + b), for a, b >= 8."""
    small, big = min(a, b), max(a, b)
    return _del_series(1.0 / (small * small)) / small + _del_b_minus_del_a_plus_b(small, big)


def _log_gamma_ratio(a: float, b: float) -> float:
    """log(Gamma(b) / Gamma(a + b)) for b >= 8 (TOMS 708's algdiv)."""
    d = b + (a - 0.5) if a <= b else a + (b - 0.5)
    w = _del_b_minus_del_a_plus_b(a, b)
    u = d * math.log1p(a / b)
    v = a * (math.log(b) - 1.0)
    return w - v - u if u > v else w - u - v


def _log_beta_large(a: float, b: float) -> float:
    """log B(a, b) for 8 <= a <= b (TOMS 708's betaln)."""
    w = _bcorr(a, b)
    h = a / b
    c = h / (h + 1.0)
    u = -(a - 0.5) * math.log(c)
    v = b * math.log1p(h)
    base = math.log(b) * -0.5 + 0.918938533204673 + w  # 0.9189... = log sqrt(2 pi)
    return base - v - u if u > v else base - u - v  # the smaller taken first, as TOMS 708 does
