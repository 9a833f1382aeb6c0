"""Special functions for pooling: the chi-square tail, the t distribution and Gauss-Hermite rules,
checked against scipy and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from igfcli.special import chi2_sf, gammaincc, gauss_hermite, t_cdf, t_quantile


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
    [(gammaincc, (0.0, 1.0)), (gammaincc, (1.0, -1.0)), (chi2_sf, (1.0, 0)), (t_quantile, (1.0, 3)),
     (t_quantile, (0.9, 0)), (t_cdf, (1.0, -2)), (gauss_hermite, (0,))],
)
def test_special_functions_refuse_arguments_outside_their_domain(call: object, args: tuple[float, ...]) -> None:
    assert callable(call)
    with pytest.raises(ValueError):
        call(*args)
