"""Random-effects meta-analysis of single-arm proportions: the binomial-normal model and DerSimonian-Laird.

Pure functions on lists of (responders, evaluable) pairs, one a study; docs/methods.md
gives the formulas, their references and when to use which. Standard library only:
the GLMM's integrals are done by adaptive Gauss-Hermite quadrature here, and the
tests check every figure against an independent fit with scipy.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from igfcli.glmm import MAX_NODES, NODES, expit, fit, logits
from igfcli.special import chi2_sf, t_quantile
from igfcli.stats import two_sided_z

Method = Literal["glmm", "dl"]


@dataclass(frozen=True)
class Pooled:
    """A pooled rate with its heterogeneity; every number is None when the fit failed (see `note`).

    mu and se are on the logit scale; rate, the confidence interval (ci_*) and the
    prediction interval (pi_*, None for fewer than 3 studies) are proportions.
    """

    method: Method
    studies: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    tau2: float | None
    i2: float | None
    q: float | None
    q_p: float | None
    pi_low: float | None
    pi_high: float | None
    mu: float | None
    se: float | None
    note: str | None = None

    @property
    def converged(self) -> bool:
        return self.note is None


def pool(counts: Sequence[tuple[int, int]], method: Method, level: float = 0.95) -> Pooled:
    """Pool (responders, evaluable) pairs by `method`: "glmm" or "dl"."""
    if method == "glmm":
        return pool_glmm(counts, level)
    if method == "dl":
        return pool_dl(counts, level)
    raise ValueError(f"unknown pooling method {method!r}; use 'glmm' or 'dl'")


def pool_dl(counts: Sequence[tuple[int, int]], level: float = 0.95) -> Pooled:
    """Inverse-variance pooling of logits with the DerSimonian-Laird tau^2."""
    studies = _check(counts, level)
    mu, se, tau2 = _dersimonian_laird(*logits(studies))
    return _summary("dl", studies, mu, se, tau2, level)


def pool_glmm(counts: Sequence[tuple[int, int]], level: float = 0.95, nodes: int = NODES) -> Pooled:
    """Random-intercept logistic regression by maximum likelihood (metafor's rma.glmm, measure="PLO").

    logit(p_i) = mu + u_i with u_i ~ N(0, tau^2) and k_i ~ Binomial(n_i, p_i); each study's
    integral over u_i by adaptive Gauss-Hermite quadrature centred on its mode, starting
    with `nodes` nodes and doubling them until the maximum no longer moves, up to MAX_NODES.
    No continuity correction. A fit that does not exist, does not converge or whose
    quadrature does not settle returns None for every number, with a note saying why.
    """
    studies = _check(counts, level)
    if not 1 <= nodes <= MAX_NODES // 2:  # the fit is checked with twice as many
        raise ValueError(f"need 1 to {MAX_NODES // 2} quadrature nodes, got {nodes}")
    if all(k == 0 for k, _ in studies):
        return _failed(studies, "no study has a responder: the binomial-normal model has no finite estimate")
    if all(k == n for k, n in studies):
        return _failed(studies, "every patient responded: the binomial-normal model has no finite estimate")
    if all(n == 1 for _, n in studies):
        return _failed(studies, "every study has one patient: tau^2 cannot be told from the mean rate")
    mu, _, tau2 = _dersimonian_laird(*logits(studies))  # the start of the likelihood's maximisation
    fitted = fit(studies, nodes, (mu, tau2))
    if isinstance(fitted, str):
        return _failed(studies, fitted)
    mu, se, tau = fitted
    return _summary("glmm", studies, mu, se, tau * tau, level)


# --- shared summaries -----------------------------------------------------------------------------


def _check(counts: Sequence[tuple[int, int]], level: float) -> list[tuple[int, int]]:
    studies = [(operator.index(k), operator.index(n)) for k, n in counts]  # whole numbers only
    if len(studies) < 2:
        raise ValueError(f"pooling needs at least 2 studies, got {len(studies)}")
    for k, n in studies:
        if n <= 0 or not 0 <= k <= n:
            raise ValueError(f"need 0 <= responders <= evaluable and evaluable > 0, got {k} of {n}")
    if not 0 < level < 1:
        raise ValueError(f"confidence level must lie strictly between 0 and 1, got {level}")
    return studies


def _heterogeneity(ys: list[float], vs: list[float]) -> tuple[float, float]:
    """Cochran's Q of the common-effect model and the typical within-study variance s^2 of
    Higgins and Thompson (2002)."""
    w = [1.0 / v for v in vs]
    sw, sw2 = sum(w), sum(x * x for x in w)
    mean = sum(x * y for x, y in zip(w, ys, strict=True)) / sw
    q = sum(x * (y - mean) ** 2 for x, y in zip(w, ys, strict=True))
    return q, (len(ys) - 1) * sw / (sw * sw - sw2)


def _dersimonian_laird(ys: list[float], vs: list[float]) -> tuple[float, float, float]:
    """The random-effects mean, its standard error and the DerSimonian-Laird tau^2."""
    q, s2 = _heterogeneity(ys, vs)
    tau2 = max(0.0, (q - (len(ys) - 1)) * s2 / (len(ys) - 1))  # (Q - df) / (sum w - sum w^2 / sum w)
    w_star = [1.0 / (v + tau2) for v in vs]
    mu = sum(x * y for x, y in zip(w_star, ys, strict=True)) / sum(w_star)
    return mu, 1.0 / math.sqrt(sum(w_star)), tau2


def _summary(
    method: Method, studies: list[tuple[int, int]], mu: float, se: float, tau2: float, level: float
) -> Pooled:
    q, s2 = _heterogeneity(*logits(studies))
    upper = 1.0 - (1.0 - level) / 2.0
    z = two_sided_z(level)
    pi_low = pi_high = None
    if len(studies) >= 3:
        half = t_quantile(upper, len(studies) - 2) * math.sqrt(se * se + tau2)
        pi_low, pi_high = expit(mu - half), expit(mu + half)
    # the GLMM at tau^2 = 0 is the common-effect model, whose maximum is the pooled proportion itself
    exact = method == "glmm" and tau2 == 0.0
    return Pooled(
        method=method,
        studies=len(studies),
        rate=sum(k for k, _ in studies) / sum(n for _, n in studies) if exact else expit(mu),
        ci_low=expit(mu - z * se),
        ci_high=expit(mu + z * se),
        tau2=tau2,
        i2=tau2 / (tau2 + s2),
        q=q,
        q_p=chi2_sf(q, len(studies) - 1),
        pi_low=pi_low,
        pi_high=pi_high,
        mu=mu,
        se=se,
    )


def _failed(studies: list[tuple[int, int]], note: str) -> Pooled:
    return Pooled("glmm", len(studies), *(None,) * 11, note)  # every figure None
