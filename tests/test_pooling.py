"""Random-effects pooling and its special functions, checked against scipy, statsmodels and a published example.

The binomial-normal model is checked against a reference fitted here independently:
each study's marginal likelihood integrated over u (not over the standardised z the
module uses) by the trapezoid rule on a sinh-spaced grid around the study's mode, all
studies at once in numpy, maximised with scipy.optimize.minimize (L-BFGS-B, tau bounded
at 0, rather than Newton on the whole line), its standard error from the observed
information on the same grid. The grid itself is checked against scipy.integrate.quad,
one study at a time, which is exact enough but too slow to fit 39 data sets with.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from igfcli.glmm import _evaluate
from igfcli.pooling import Method, Pooled, pool, pool_dl, pool_glmm
from igfcli.special import chi2_sf, gammaincc, gauss_hermite, t_cdf, t_quantile

METHODS_DOC = Path(__file__).resolve().parent.parent / "docs" / "methods.md"

# --- the special functions -------------------------------------------------------------------


def test_chi_square_tail_matches_scipy_over_a_grid() -> None:
    for df in [*range(1, 61), 75, 100, 150, 250]:
        for x in (0.0, 1e-3, 0.1, 0.5, 1, 2, 3.84, 5, 10, 20, 30, 50, 80, 120, 200, 400, 800, 1500):
            expected = stats.chi2.sf(x, df)
            assert chi2_sf(x, df) == pytest.approx(expected, rel=1e-11, abs=1e-300), (x, df)


def test_upper_incomplete_gamma_matches_scipy_for_any_shape() -> None:
    for a in (0.1, 0.37, 1.0, 2.5, 7.3, 19.0, 44.4, 130.0):
        for x in (1e-4, 0.05, 0.9, 1.0, 3.0, 7.0, 20.0, 60.0, 150.0, 400.0):
            assert gammaincc(a, x) == pytest.approx(special.gammaincc(a, x), rel=1e-11, abs=1e-300), (a, x)


def test_t_quantile_matches_scipy_over_a_grid() -> None:
    levels = (0.5001, 0.55, 0.6, 0.75, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9995, 1 - 1e-6)
    for df in [*range(1, 41), 50, 60, 100, 250, 1000, 0.5, 1.5, 2.5, 7.25]:
        for p in levels:
            assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-10), (p, df)
            assert t_quantile(1 - p, df) == pytest.approx(stats.t.ppf(1 - p, df), rel=1e-10), (p, df)
    assert t_quantile(0.5, 7) == 0.0


def test_t_distribution_holds_its_digits_at_large_degrees_of_freedom() -> None:
    # above df = 2000 the incomplete beta function takes TOMS 708's log-beta (a = 0.5, b = df / 2)
    for df in (2500, 3000, 1e4, 1e5, 1e6):
        for t in (-8.0, -3.0, -1.0, -0.1, 0.5, 2.0, 5.0):
            assert t_cdf(t, df) == pytest.approx(stats.t.cdf(t, df), rel=1e-10), (t, df)


def test_t_distribution_function_matches_scipy_and_closed_forms() -> None:
    points = (-40.0, -6.0, -2.0, -0.3, 0.0, 1e-6, 0.3, 1.0, 2.0, 4.5, 12.0, 80.0)
    for df in (1, 2, 3, 5, 10, 30, 100, 0.7):
        for t in points:
            # scipy's own figure is off by 1e-11 at t = 1e-6 for df = 1 (the closed form below)
            assert t_cdf(t, df) == pytest.approx(stats.t.cdf(t, df), rel=1e-10), (t, df)
    for t in points:
        assert t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, rel=1e-14)
        assert t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), rel=1e-14)


def test_gauss_hermite_rules_match_numpy() -> None:
    for n in (1, 2, 3, 7, 8, 16, 32, 64, 128):
        nodes, log_weights = gauss_hermite(n)
        ref_nodes, ref_weights = np.polynomial.hermite.hermgauss(n)
        assert np.allclose(sorted(nodes), ref_nodes, rtol=0, atol=1e-13)
        order = np.argsort(nodes)
        assert np.allclose(np.exp(np.array(log_weights)[order]), ref_weights, rtol=1e-11, atol=0)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (gammaincc, (0.0, 1.0)),
        (gammaincc, (1.0, -1.0)),
        (chi2_sf, (1.0, 0)),
        (t_quantile, (1.0, 3)),
        (t_quantile, (0.9, 0)),
        (t_cdf, (1.0, -2)),
        (gauss_hermite, (0,)),
    ],
)
def test_special_functions_refuse_arguments_outside_their_domain(
    call: object, args: tuple[float, ...]
) -> None:
    assert callable(call)
    with pytest.raises(ValueError):
        call(*args)


# --- the reference: the binomial-normal model fitted with scipy -------------------------------


def _h(k: int, n: int, eta: float) -> float:
    """The binomial log-likelihood without its coefficient."""
    return k * eta - n * (max(eta, 0.0) + math.log1p(math.exp(-abs(eta))))


def _expit(x: float) -> float:
    return float(special.expit(x))


def _ref_study(k: int, n: int, mu: float, tau: float, hessian: bool = False) -> tuple[float, ...]:
    """log L_i with its gradient in (mu, tau) (and Hessian, when asked), each integral over u by quad.

    L_i = integral of exp(h(mu + u)) N(u; 0, tau^2) du; derivatives are taken under the integral,
    of h in mu and of the normal density in tau. The integrand is scaled by its value at the mode,
    and the line is cut at the mode plus or minus ten of its local widths, so quad sees the peak.
    """
    if tau == 0.0:  # L = f(mu) + f''(mu) tau^2 / 2 + ..., so d2 log L / d tau2 = h'' + h'^2 there
        p = _expit(mu)
        first, second = k - n * p, -n * p * (1 - p)
        return (_h(k, n, mu), first, 0.0) + ((second, 0.0, second + first * first) if hessian else ())

    def log_g(u: float) -> float:
        return _h(k, n, mu + u) - 0.5 * (u / tau) ** 2 - math.log(tau) - 0.5 * math.log(2 * math.pi)

    mode = optimize.brentq(
        lambda u: k - n * _expit(mu + u) - u / tau**2,
        tau**2 * (k - n) - 1,
        tau**2 * k + 1,
        xtol=1e-14,
        rtol=1e-14,
    )
    top = log_g(mode)
    p = _expit(mu + mode)
    width = 1.0 / math.sqrt(n * p * (1 - p) + 1 / tau**2)
    cuts = (-math.inf, mode - 10 * width, mode + 10 * width, math.inf)

    def integral(f: Callable[[float], float]) -> float:
        return sum(
            float(
                integrate.quad(
                    lambda u: f(u) * math.exp(log_g(u) - top), lo, hi, epsabs=0, epsrel=1e-8, limit=400
                )[0]
            )
            for lo, hi in itertools.pairwise(cuts)
        )

    def h1(u: float) -> float:  # the binomial score h'(mu + u)
        return k - n * _expit(mu + u)

    def a(u: float) -> float:  # d log N(u; 0, tau^2) / d tau
        return u * u / tau**3 - 1 / tau

    total = integral(lambda u: 1.0)
    g_mu = integral(h1) / total
    g_tau = integral(a) / total
    out: tuple[float, ...] = (top + math.log(total), g_mu, g_tau)
    if not hessian:
        return out
    h_mm = integral(lambda u: h1(u) ** 2 - n * _expit(mu + u) * (1 - _expit(mu + u))) / total - g_mu**2
    h_mt = integral(lambda u: h1(u) * a(u)) / total - g_mu * g_tau
    h_tt = integral(lambda u: a(u) ** 2 - 3 * u * u / tau**4 + 1 / tau**2) / total - g_tau**2
    return (*out, h_mm, h_mt, h_tt)


# The grid: u = mode + width * sinh(s), s evenly spaced. Near the mode the nodes are a fiftieth of a
# local width apart; far out they spread to hundreds of widths, so a one-sided tail (a
# zero-responder study under a large tau, whose left side falls off as the normal of sd tau,
# not at the mode's curvature) is still covered. The integrand is analytic and negligible at
# both ends, where the trapezoid rule converges geometrically.
_S = np.linspace(-7.0, 7.0, 701)
_STEP = float(_S[1] - _S[0])
_SINH, _COSH = np.sinh(_S), np.cosh(_S)


def _ref_modes(k: np.ndarray, n: np.ndarray, mu: float, tau: float) -> np.ndarray:
    """Each study's mode of h(mu + u) - u^2 / (2 tau^2): the root of a decreasing score, by Newton
    kept inside a bisection bracket, all studies at once."""
    lo, hi = tau**2 * (k - n) - 1.0, tau**2 * k + 1.0
    u = np.clip(np.zeros_like(k), lo, hi)
    for _ in range(200):
        p = special.expit(mu + u)
        score = k - n * p - u / tau**2
        lo, hi = np.where(score > 0, u, lo), np.where(score > 0, hi, u)
        step = score / (n * p * (1 - p) + 1 / tau**2)
        nxt = u + step
        nxt = np.where((nxt > lo) & (nxt < hi), nxt, (lo + hi) / 2)
        if np.all(np.abs(nxt - u) <= 1e-12 * (1 + np.abs(u))):
            return np.asarray(nxt)
        u = nxt
    raise AssertionError("the reference's modes did not settle")


def _ref_loglik(
    counts: Sequence[tuple[int, int]], mu: float, tau: float, hessian: bool = False
) -> np.ndarray:
    """Sum over studies of log L_i, its gradient in (mu, tau) and (when asked) its Hessian: each
    integral over u by the trapezoid rule on the sinh grid around the study's mode, vectorised."""
    k, n = (np.array(column, dtype=float)[:, None] for column in zip(*counts, strict=True))
    if tau == 0.0:
        at_zero: np.ndarray = np.array([_ref_study(int(a), int(b), mu, 0.0, hessian) for a, b in counts])
        return np.asarray(at_zero.sum(axis=0))
    mode = _ref_modes(k, n, mu, tau)
    p = special.expit(mu + mode)
    width = 1.0 / np.sqrt(n * p * (1 - p) + 1 / tau**2)
    u = mode + width * _SINH
    eta = mu + u
    log_g = (
        k * eta
        - n * np.logaddexp(0.0, eta)
        - 0.5 * (u / tau) ** 2
        - math.log(tau)
        - 0.5 * math.log(2 * math.pi)
    )
    top = log_g.max(axis=1, keepdims=True)
    f = np.exp(log_g - top) * width * _COSH
    total = f.sum(axis=1, keepdims=True) * _STEP
    weight = f * _STEP / total

    def mean(x: np.ndarray) -> np.ndarray:
        return np.asarray((weight * x).sum(axis=1))

    q = special.expit(eta)
    h1 = k - n * q
    a = u * u / tau**3 - 1 / tau
    g_mu, g_tau = mean(h1), mean(a)
    out = [float(np.sum(top[:, 0] + np.log(total[:, 0]))), float(g_mu.sum()), float(g_tau.sum())]
    if hessian:
        out += [
            float((mean(h1 * h1 - n * q * (1 - q)) - g_mu**2).sum()),
            float((mean(h1 * a) - g_mu * g_tau).sum()),
            float((mean(a * a - 3 * u * u / tau**4 + 1 / tau**2) - g_tau**2).sum()),
        ]
    return np.array(out)


def _ref_fit(counts: list[tuple[int, int]]) -> tuple[float, float, float]:
    return _ref_fit_of(tuple(counts))


@functools.cache  # several tests check one data set (at other levels, say): fitted once
def _ref_fit_of(counts: tuple[tuple[int, int], ...]) -> tuple[float, float, float]:
    """mu, tau and the standard error of mu at the maximum likelihood, by scipy.

    L-BFGS-B over (mu, tau^2) with tau^2 >= 0: in tau^2 the gradient at 0 is informative
    (half the sum of h'' + h'^2), where in tau it vanishes by symmetry.
    """

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        mu, v = float(theta[0]), float(theta[1])
        tau = math.sqrt(v)
        if tau < 1e-4:  # d log L / d tau^2 = sum (h'' + h'^2) / 2 + O(tau^2)
            values = _ref_loglik(counts, mu, 0.0, hessian=True)
            return -values[0], -np.array([values[1], values[5] / 2])
        values = _ref_loglik(counts, mu, tau)
        return -values[0], -np.array([values[1], values[2] / (2 * tau)])

    ys = [math.log((k + 0.5) / (n - k + 0.5)) for k, n in counts]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        result = optimize.minimize(
            objective,
            np.array([np.mean(ys), 0.25]),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-30, 30), (0, 900)],
            options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 5000},
        )
        mu, tau = float(result.x[0]), math.sqrt(float(result.x[1]))
        assert tau < 29, "the reference found no finite maximum"
        _, _, _, h_mm, h_mt, h_tt = _ref_loglik(counts, mu, tau, hessian=True)
    if tau == 0.0:
        return mu, 0.0, math.sqrt(-1 / h_mm)
    information = -np.array([[h_mm, h_mt], [h_mt, h_tt]])
    return mu, tau, math.sqrt(np.linalg.inv(information)[0, 0])


def _ref_logits(counts: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    k, n = np.array(counts, dtype=float).T
    c = np.where((k == 0) | (k == n), 0.5, 0.0)
    return np.log((k + c) / (n - k + c)), 1 / (k + c) + 1 / (n - k + c)


def _ref_summary(
    counts: list[tuple[int, int]], mu: float, se: float, tau2: float, level: float
) -> dict[str, float | None]:
    """Everything else from mu, its SE and tau^2, with scipy's distributions."""
    y, v = _ref_logits(counts)
    w = 1 / v
    q = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))
    k = len(counts)
    s2 = (k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2))
    z = stats.norm.ppf(1 - (1 - level) / 2)
    out: dict[str, float | None] = {
        "mu": mu,
        "se": se,
        "tau2": tau2,
        "rate": _expit(mu),
        "ci_low": _expit(mu - z * se),
        "ci_high": _expit(mu + z * se),
        "q": q,
        "q_p": float(stats.chi2.sf(q, k - 1)),
        "i2": float(tau2 / (tau2 + s2)),
        "pi_low": None,
        "pi_high": None,
    }
    if k >= 3:
        half = stats.t.ppf(1 - (1 - level) / 2, k - 2) * math.sqrt(se**2 + tau2)
        out["pi_low"], out["pi_high"] = _expit(mu - half), _expit(mu + half)
    return out


def _assert_close(
    result: Pooled, expected: dict[str, float | None], rel: float = 1e-5, abs_: float = 1e-7
) -> None:
    for field, value in expected.items():
        got = getattr(result, field)
        if value is None:
            assert got is None, field
        else:
            assert got == pytest.approx(value, rel=rel, abs=abs_), (field, got, value)


def _data_sets() -> list[list[tuple[int, int]]]:
    """39 data sets, 36 of them seeded random: k from 2 to 20, n from 5 to 2000 (log-uniform), rates from 0.7% to 95%,
    heterogeneity from none to large; a zero-responder study planted in low-rate sets and an
    all-responder study in high-rate ones, every third and every fourth."""
    rng = np.random.default_rng(20240617)
    sizes = [2] * 7 + [20] * 7 + [3, 3, 4, 4, 5, 5, 6, 6, 7, 8, 8, 9, 10, 10, 12, 12, 15, 15, 17, 18, 19, 3]
    sets = []
    for i, k in enumerate(sizes):
        while True:
            mu = rng.uniform(-5.0, 3.0)
            tau = float(rng.choice([0.0, 0.0, 0.2, 0.5, 0.9, 1.4]))
            n = np.round(np.exp(rng.uniform(math.log(5), math.log(2000), k))).astype(int)
            x = rng.binomial(n, special.expit(mu + tau * rng.standard_normal(k)))
            if i % 3 == 0 and mu < -1:
                x[0] = 0
            if i % 4 == 1 and mu > 1:
                x[-1] = n[-1]
            if np.any((x > 0) & (x < n)):  # the maximum likelihood exists
                break
        sets.append([(int(a), int(b)) for a, b in zip(x, n, strict=True)])
    # two studies are seldom heterogeneous enough for tau^2 > 0 at the maximum; three that are
    return [*sets, [(2, 40), (15, 45)], [(0, 25), (9, 30)], [(1, 2000), (40, 60)]]


DATA_SETS = _data_sets()


def test_the_data_sets_cover_what_the_comparison_needs() -> None:
    assert len(DATA_SETS) >= 30
    ks = [len(c) for c in DATA_SETS]
    assert min(ks) == 2 and max(ks) == 20
    assert sum(any(x == 0 for x, _ in c) for c in DATA_SETS) >= 10
    assert sum(any(x == n for x, n in c) for c in DATA_SETS) >= 8
    sizes = [n for c in DATA_SETS for _, n in c]
    assert min(sizes) <= 6 and max(sizes) >= 1500


@pytest.mark.parametrize("index", range(len(DATA_SETS)))
def test_glmm_matches_the_scipy_reference(index: int) -> None:
    counts = DATA_SETS[index]
    mu, tau, se = _ref_fit(counts)
    result = pool_glmm(counts)
    assert result.converged and result.method == "glmm" and result.studies == len(counts)
    # The reference stops at tau = 0 only on the bound; a boundary fit there is tau^2 < 1e-10 in either.
    _assert_close(result, _ref_summary(counts, mu, se, tau * tau, 0.95))


def _statsmodels_dl(counts: list[tuple[int, int]]) -> Any:
    # imported here: statsmodels brings pandas, most of a second that only these tests need
    from statsmodels.stats.meta_analysis import combine_effects  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # its square root of a negative tau^2, below
        return combine_effects(*_ref_logits(counts), method_re="dl")


def _statsmodels_estimates(ref: Any) -> tuple[float, float, float]:
    """mu, its SE and tau^2 from statsmodels' DerSimonian-Laird, whose tau^2 is not truncated at 0:
    where it is negative, tau^2 = 0 and the random-effects model is the common-effect one."""
    if ref.tau2 < 0:
        return float(ref.mean_effect_fe), float(ref.sd_eff_w_fe), 0.0
    return float(ref.mean_effect_re), float(ref.sd_eff_w_re), float(ref.tau2)


@pytest.mark.parametrize("index", range(len(DATA_SETS)))
def test_dersimonian_laird_matches_statsmodels(index: int) -> None:
    counts = DATA_SETS[index]
    result = pool_dl(counts)
    ref = _statsmodels_dl(counts)
    _assert_close(result, _ref_summary(counts, *_statsmodels_estimates(ref), 0.95), rel=1e-9, abs_=1e-12)
    # statsmodels' own heterogeneity figures: Q, its p-value, and I^2 = (Q - df) / Q, which is
    # the same as tau^2 / (tau^2 + s^2) under DerSimonian-Laird
    assert result.q == pytest.approx(ref.q, rel=1e-9)
    assert result.q_p == pytest.approx(ref.test_homogeneity().pvalue, rel=1e-9)
    assert result.i2 == pytest.approx(max(0.0, ref.i2), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("level", [0.8, 0.9, 0.99])
def test_other_levels_match_the_reference(level: float) -> None:
    counts = DATA_SETS[15]
    mu, tau, se = _ref_fit(counts)
    _assert_close(pool_glmm(counts, level), _ref_summary(counts, mu, se, tau * tau, level))
    _assert_close(
        pool_dl(counts, level), _ref_summary(counts, *_statsmodels_estimates(_statsmodels_dl(counts)), level)
    )


def test_glmm_log_likelihood_and_derivatives_match_quad() -> None:
    # the module's quadrature itself, before any fitting: sparse and lopsided studies, large tau
    for k, n in [(0, 116), (1, 44), (5, 10), (1998, 2000), (0, 5), (5, 5), (1000, 2000)]:
        for mu, tau in [(-3.0, 0.5), (-2.0, 2.0), (0.0, 0.01), (1.0, 0.0), (2.0, 3.0), (-5.0, 1.0)]:
            got = _evaluate([(k, n)], mu, tau, 128, [0.0])
            assert got == pytest.approx(_quad_study(k, n, mu, tau), rel=1e-8, abs=1e-8), (k, n, mu, tau)


def test_the_references_fast_integration_matches_quad() -> None:
    # Every fit of the reference integrates on its sinh grid; here that grid against quad, out to
    # the taus (5, 12) and zero-responder studies where a one-sided tail is widest.
    for k, n in [(0, 116), (1, 44), (5, 10), (1998, 2000), (0, 5), (5, 5), (1000, 2000), (0, 2000)]:
        for mu, tau in [
            (-3.0, 0.5),
            (-2.0, 2.0),
            (0.0, 0.01),
            (2.0, 3.0),
            (-5.0, 1.0),
            (0.0, 5.0),
            (-4.0, 12.0),
        ]:
            grid = _ref_loglik([(k, n)], mu, tau, hessian=True)
            assert grid == pytest.approx(_quad_study(k, n, mu, tau), rel=1e-9, abs=1e-9), (k, n, mu, tau)


def _quad_study(k: int, n: int, mu: float, tau: float) -> tuple[float, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return _ref_study(k, n, mu, tau, hessian=True)


# --- fits that do not exist -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "why"),
    [
        ([(0, 5), (0, 40), (0, 2000)], "no study has a responder"),
        ([(12, 12), (3, 3)], "every patient responded"),
        ([(1, 1), (0, 1), (1, 1)], "one patient"),
        ([(0, 5), (5, 5)], "keeps rising"),
        ([(0, 10), (10, 10), (0, 20)], "keeps rising"),
    ],
)
def test_a_glmm_that_cannot_be_fitted_says_why_and_gives_no_numbers(
    counts: list[tuple[int, int]], why: str
) -> None:
    result = pool_glmm(counts)
    assert not result.converged and result.note is not None and why in result.note
    numbers = ("rate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "mu", "se")
    assert all(getattr(result, name) is None for name in numbers)
    assert result.studies == len(counts)
    # DerSimonian-Laird, with its continuity correction, still gives a figure to fall back on
    assert pool_dl(counts).rate is not None


@pytest.mark.parametrize(
    "counts",
    [
        [(0, 166), (187, 482)],
        [
            (2, 292),
            (0, 22),
            (0, 19),
            (0, 5),
            (21, 1697),
            (36, 1851),
            (0, 7),
            (0, 12),
            (0, 7),
            (0, 33),
            (1, 28),
            (249, 249),
        ],
    ],
)
def test_a_quadrature_that_does_not_settle_is_declined(counts: list[tuple[int, int]]) -> None:
    # Zero-responder studies under a tau of 4 or more (logits spread over +-8 or more): the
    # integrand is a normal tail cut off sharply on one side, which 128 Gauss-Hermite nodes do not
    # integrate to 1e-6, so the fit is declined rather than given to 4 or 5 digits. The reference
    # confirms that the maximum exists and lies out there.
    result = pool_glmm(counts)
    assert result.note is not None and "did not settle with 128 nodes" in result.note and result.rate is None
    _, tau, _ = _ref_fit(counts)
    assert tau**2 > 15


# Sets on which an earlier version of the fit raised ZeroDivisionError or OverflowError (a Newton
# step proposing tau of 1e11 and more, evaluated before the line search could halve it), stopped
# at tau = 0 below the maximum inside (the fifth and sixth), or gave a standard error 1.9e-5 off
# from the Hessian before its last step (the last, at tau = 0.028). Found by a search over 12,000
# seeded data sets.
def _pairs(text: str) -> list[tuple[int, int]]:
    return [(int(k), int(n)) for k, n in (pair.split("/") for pair in text.split())]


HARD_SETS = [
    [(848, 926), (67, 70), (66, 70), (19, 24), (15, 15), (11, 17), (22, 22), (2, 2), (15, 17), (1383, 1476)],
    [(2, 5), (1, 4), (4, 4), (1, 3), (0, 2), (2, 4), (2, 3), (1, 1), (4, 4), (1, 4), (4, 5)],
    _pairs("3/3 4/4 0/1 5/5 1/4 4/5 4/4 3/5 3/3 2/3 0/1 2/4 4/5 3/5"),
    [(1, 2)] * 9 + [(365, 1536)] + [(1, 2)] * 24,
    _pairs(
        "1/9 0/10 0/9 0/1 0/9 0/8 0/7 0/8 0/2 0/2 1/10 0/10 0/5 1/6 0/10 0/10 0/7 0/3 0/10 0/5 0/10 "
        "0/3 0/9 0/1 0/6 0/1 0/5 0/4 0/2 0/6 0/3 0/1 1/7 0/8 1/7 0/9 0/7 0/4 0/5 20/4156 1/9 0/7 "
        "0/4 0/4 0/7 0/4 0/9 0/3"
    ),
    _pairs("0/6 2/6 3/7 1/5 1/6 3/10 2/3 3/5 1/2 3/10 1/6 2/4 2/3 4/9 4/10 2225/4439"),
    _pairs(
        "100/110 289/319 19/23 82/90 513/568 283/327 3913/4302 2/2 4/4 5/6 340/372 53/57 810/901 "
        "221/241 722/812 1/1 618/680 7/8 224/249 137/153 7/8"
    ),
]


@pytest.mark.parametrize("index", range(len(HARD_SETS)))
def test_sets_that_once_broke_the_fit_match_the_reference(index: int) -> None:
    counts = HARD_SETS[index]
    mu, tau, se = _ref_fit(counts)
    result = pool_glmm(counts)
    assert result.converged, result.note
    _assert_close(result, _ref_summary(counts, mu, se, tau * tau, 0.95))


@pytest.mark.parametrize(
    "counts",
    [
        [(7, 8), (686, 1410), (2, 3)],
        [(1, 6), (2482, 4102), (4, 4)],
        [(2, 3), (291, 2650)],
        [(6, 1339), (0, 8), (1, 6), (0, 1)],
    ],
)
def test_of_two_maxima_the_higher_is_reported(counts: list[tuple[int, int]]) -> None:
    # The likelihood has a maximum inside and a higher one at tau^2 = 0, where the search can
    # stop short (it did, and the scipy reference does for the first): the boundary's likelihood,
    # exact, is compared with the one found. Judged by the reference's own integration.
    result = pool_glmm(counts)
    assert result.converged and result.mu is not None and result.tau2 is not None, result.note
    found = _ref_loglik(tuple(counts), result.mu, math.sqrt(result.tau2))[0]
    mu, tau, _ = _ref_fit(counts)
    assert found >= _ref_loglik(tuple(counts), mu, tau)[0] - 1e-9
    assert result.tau2 == 0.0 and result.rate == pytest.approx(
        sum(k for k, _ in counts) / sum(n for _, n in counts), rel=1e-12
    )


@pytest.mark.parametrize("counts", [[(3, 6), (0, 3)], [(0, 3), (3, 6)], [(1, 3), (0, 6)]])
def test_a_maximum_at_tau_0_flat_to_second_order_is_found(counts: list[tuple[int, int]]) -> None:
    # The sum of h'' + h'^2 over the trials is 0 at the pooled rate (1/3 here: 1 + 1 - 2), so the
    # likelihood falls from tau = 0 only as tau^4, and Newton's steps shrink tau by a third each:
    # the fit was declined as a quadrature that "did not settle". It is the common-effect model.
    responders, total = sum(k for k, _ in counts), sum(n for _, n in counts)
    result = pool_glmm(counts)
    assert result.converged, result.note
    assert result.tau2 == 0.0
    assert result.rate == pytest.approx(responders / total, rel=1e-12)
    mu, tau, _ = _ref_fit(counts)
    assert tau**2 < 1e-7 and mu == pytest.approx(math.log(responders / (total - responders)), rel=1e-6)


def test_with_only_empty_and_full_studies_the_reference_likelihood_rises_with_tau_too() -> None:
    counts = [(0, 10), (10, 10), (0, 20)]

    def profile(tau: float) -> float:
        result = optimize.minimize_scalar(
            lambda mu: -_ref_loglik(counts, mu, tau)[0],
            bounds=(-60, 60),
            method="bounded",
            options={"xatol": 1e-10},
        )
        return -float(result.fun)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        values = [profile(tau) for tau in (1.0, 3.0, 9.0, 27.0)]
    assert values == sorted(values) and values[-1] > values[0]


@pytest.mark.parametrize("counts", [[], [(3, 10)]])
def test_pooling_needs_two_studies(counts: list[tuple[int, int]]) -> None:
    methods: tuple[Method, ...] = ("glmm", "dl")
    for method in methods:
        with pytest.raises(ValueError, match="at least 2 studies"):
            pool(counts, method)


@pytest.mark.parametrize("counts", [[(3, 10), (11, 10)], [(3, 10), (-1, 10)], [(3, 10), (0, 0)]])
def test_impossible_counts_are_refused(counts: list[tuple[int, int]]) -> None:
    methods: tuple[Method, ...] = ("glmm", "dl")
    for method in methods:
        with pytest.raises(ValueError, match="responders"):
            pool(counts, method)


def test_counts_must_be_whole_numbers_and_the_level_a_proportion() -> None:
    with pytest.raises(TypeError):
        pool_dl([(2.5, 10), (3, 10)])  # type: ignore[list-item]
    for level in (0.0, 1.0, 95):
        with pytest.raises(ValueError, match="level"):
            pool_glmm([(2, 10), (3, 10)], level)
    with pytest.raises(ValueError, match="unknown pooling method"):
        pool([(2, 10), (3, 10)], "reml")  # type: ignore[arg-type]


def test_prediction_interval_needs_three_studies() -> None:
    two = pool_glmm([(2, 10), (8, 10)])
    assert two.pi_low is None and two.pi_high is None and two.rate is not None
    three = pool_glmm([(2, 10), (8, 10), (5, 10)])
    assert three.pi_low is not None and three.pi_high is not None
    assert three.pi_low <= three.ci_low and three.ci_high <= three.pi_high  # type: ignore[operator]


def test_no_heterogeneity_gives_the_common_effect_rate() -> None:
    # identical studies: tau^2 = 0 on the boundary and the pooled rate is sum k / sum n
    result = pool_glmm([(3, 10), (3, 10), (3, 10)])
    assert result.tau2 == 0.0 and result.i2 == 0.0
    assert result.rate == 0.3  # sum k / sum n, exactly
    assert pool_glmm([(1, 10), (2, 20)]).rate == 0.1  # where expit(logit(0.1)) is 0.09999999999999998
    assert result.se == pytest.approx(1 / math.sqrt(30 * 0.3 * 0.7), rel=1e-12)


def test_the_result_is_frozen() -> None:
    result = pool_dl([(2, 10), (8, 10)])
    with pytest.raises(FrozenInstanceError):
        result.rate = 0.5  # type: ignore[misc]
    assert pool([(2, 10), (8, 10)], "dl") == result


# --- a published example --------------------------------------------------------------------

# Niel-Weise, Stijnen and van den Broek (Intensive Care Med 2007;33:2058-68): catheter-related
# bloodstream infections in 18 trials of anti-infective against standard central venous catheters,
# as distributed in R's metadat package (dat.nielweise2007: ai of n1i anti-infective, ci of n2i standard).
NIELWEISE_STANDARD = [
    (3, 117),
    (3, 35),
    (9, 195),
    (7, 136),
    (6, 157),
    (4, 139),
    (3, 177),
    (2, 39),
    (19, 103),
    (2, 122),
    (7, 64),
    (1, 58),
    (5, 175),
    (11, 180),
    (0, 105),
    (1, 262),
    (3, 362),
    (1, 69),
]
NIELWEISE_TREATED = [
    (0, 116),
    (1, 44),
    (2, 208),
    (0, 130),
    (5, 151),
    (1, 98),
    (1, 174),
    (1, 74),
    (1, 97),
    (1, 113),
    (0, 66),
    (0, 70),
    (3, 188),
    (6, 187),
    (0, 118),
    (0, 252),
    (1, 345),
    (4, 64),
]

# Stijnen, Hamza and Ozdemir, Stat Med 2010;29:3046-67, Table II (p. 3050): the binomial-normal
# model of each arm's infection rate, at four decimals as metafor's test of this example gives and
# checks them against that table (metafor tests/testthat/test_analysis_example_stijnen2010.r;
# rma.glmm(measure="PLO"), which fits by lme4 with 7-point adaptive quadrature).
STIJNEN_STANDARD = {
    "mu": "-3.4964",
    "se": "0.2570",
    "tau2": "0.8124",
    "rate": "0.0294",
    "ci_low": "0.0180",
    "ci_high": "0.0478",
}
STIJNEN_TREATED = {
    "mu": "-4.8121",
    "se": "0.3555",
    "tau2": "0.8265",
    "rate": "0.0081",
    "ci_low": "0.0040",
    "ci_high": "0.0161",
}


def _fixed_rule_fit(counts: list[tuple[int, int]], nodes: int) -> dict[str, float]:
    """The maximum of the likelihood as a fixed `nodes`-point adaptive rule computes it, found as
    lme4 finds its own (derivative-free, here Nelder-Mead), its SE from a finite-difference Hessian."""

    def minus_loglik(theta: np.ndarray) -> float:
        return -_evaluate(counts, float(theta[0]), abs(float(theta[1])), nodes, [0.0] * len(counts))[0]

    start = pool_glmm(counts)
    assert start.mu is not None and start.tau2 is not None
    result = optimize.minimize(
        minus_loglik,
        np.array([start.mu, math.sqrt(start.tau2)]),
        method="Nelder-Mead",
        options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 20_000},
    )
    theta, h, steps = result.x, 1e-4, np.eye(2) * 1e-4
    information = np.array(
        [
            [
                (
                    minus_loglik(theta + steps[i] + steps[j])
                    - minus_loglik(theta + steps[i] - steps[j])
                    - minus_loglik(theta - steps[i] + steps[j])
                    + minus_loglik(theta - steps[i] - steps[j])
                )
                / (4 * h * h)
                for j in range(2)
            ]
            for i in range(2)
        ]
    )
    mu, se = float(theta[0]), math.sqrt(np.linalg.inv(information)[0, 0])
    z = stats.norm.ppf(0.975)
    return {
        "mu": mu,
        "se": se,
        "tau2": float(theta[1]) ** 2,
        "rate": _expit(mu),
        "ci_low": _expit(mu - z * se),
        "ci_high": _expit(mu + z * se),
    }


def _four_decimals(figures: dict[str, float] | Pooled) -> dict[str, str]:
    get = figures.get if isinstance(figures, dict) else lambda name: getattr(figures, name)
    return {name: f"{get(name):.4f}" for name in ("mu", "se", "tau2", "rate", "ci_low", "ci_high")}


def test_stijnen_2010_binomial_normal_model_of_the_standard_catheter_arm() -> None:
    # A 7-point rule, maximised as lme4 does, gives every published figure to the last decimal.
    assert _four_decimals(_fixed_rule_fit(NIELWEISE_STANDARD, 7)) == STIJNEN_STANDARD
    # The accurate fit gives all of them but tau^2, which is 0.8122: the 7-point rule's error.
    result = pool_glmm(NIELWEISE_STANDARD)
    assert _four_decimals(result) == {**STIJNEN_STANDARD, "tau2": "0.8122"}
    mu, tau, se = _ref_fit(NIELWEISE_STANDARD)
    _assert_close(result, _ref_summary(NIELWEISE_STANDARD, mu, se, tau * tau, 0.95))


def test_stijnen_2010_binomial_normal_model_of_the_anti_infective_arm() -> None:
    # Six of the 18 trials had no infection. The 7-point rule again gives every published figure;
    # the accurate fit agrees on the rate and its interval, and differs by 3e-4 in the logit and its
    # SE and by 1.2e-3 in tau^2.
    assert _four_decimals(_fixed_rule_fit(NIELWEISE_TREATED, 7)) == STIJNEN_TREATED
    result = pool_glmm(NIELWEISE_TREATED)
    assert _four_decimals(result) == {**STIJNEN_TREATED, "mu": "-4.8118", "se": "0.3552", "tau2": "0.8253"}
    mu, tau, se = _ref_fit(NIELWEISE_TREATED)
    _assert_close(result, _ref_summary(NIELWEISE_TREATED, mu, se, tau * tau, 0.95))


def test_the_quadrature_figures_in_the_methods_document_are_what_the_code_gives() -> None:
    text = METHODS_DOC.read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| (standard|anti-infective) +\| (accurate|7 nodes) +\| (-?[\d.]+) +\| ([\d.]+) +\| ([\d.]+) +\|",
        text,
        flags=re.MULTILINE,
    )
    assert len(rows) == 4
    for arm, rule, mu, se, tau2 in rows:
        counts = NIELWEISE_STANDARD if arm == "standard" else NIELWEISE_TREATED
        if rule == "accurate":
            result = pool_glmm(counts)
            figures: dict[str, float | None] = {"mu": result.mu, "se": result.se, "tau2": result.tau2}
        else:
            figures = {**_fixed_rule_fit(counts, 7)}
        assert (f"{figures['mu']:.5f}", f"{figures['se']:.5f}", f"{figures['tau2']:.5f}") == (mu, se, tau2), (
            arm,
            rule,
        )
