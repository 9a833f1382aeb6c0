"""The binomial-normal model's likelihood and its maximum: what `--pool glmm` fits.

Study i contributes L_i = integral of exp(h_i(mu + tau z)) phi(z) dz, with
h(eta) = k eta - n log(1 + e^eta); each integral by adaptive Gauss-Hermite quadrature
centred on the integrand's mode, maximised by Newton's method over mu and log tau.
Standard library only; docs/methods.md says how it was checked.
"""

from __future__ import annotations

import math
from functools import lru_cache

from igfcli.special import gauss_hermite

# Nodes of the adaptive Gauss-Hermite rule each study's integral starts with; they are doubled,
# up to MAX_NODES, until the maximum no longer moves (see fit).
NODES = 12
MAX_NODES = 128
_MAX_ITERATIONS = 30  # Newton steps with one rule; a rule that needs more is replaced by a finer one
_TAU_LIMIT = 25.0  # a standard deviation of 25 on the logit scale: the likelihood has no finite maximum
_LOG_SQRT_PI = 0.5 * math.log(math.pi)
_LOG_FROM = 0.05  # Newton's steps are in log tau above this tau, in tau below it
# A Newton step this small (in mu, and in tau) ends a rule's search: the step is taken, and the
# finer rule's check (a step below 1e-6) takes one more, so the fit is not less accurate for it.
_SETTLED = 1e-4
# The first steps, from the DerSimonian-Laird start (often 0.1 or more from the maximum in mu and
# tau), are taken with a rule of this many nodes, until a step is below _APPROACHED: a third of
# the cost of each, and the full rule then starts within about a step or two of its maximum.
_APPROACH_NODES = 4
_APPROACHED = 3e-2
_APPROACH_ITERATIONS = 10
# A Newton step is cut to at most this much in mu, in log tau, and in tau (near 0), its direction
# kept: far from the maximum an unbounded step can propose a tau of 1e80, where no rule integrates.
_MAX_STEP = {"mu": 5.0, "log tau": 2.0, "tau": 1.0}
_State = tuple[float, float, float, float, float, float]


def expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# --- the binomial-normal likelihood -----------------------------------------------------------------
#
# Study i contributes L_i = integral of exp(h_i(mu + tau z)) phi(z) dz, with h(eta) = k eta - n log(1 + e^eta)
# (the binomial log-likelihood without its coefficient, which does not depend on mu or tau). The
# rule is centred on the mode of the integrand in z and scaled by its curvature there. Derivatives
# in mu and tau are integrals of h' and h'' against the same rule, as expectations under the
# normalised integrand.


def _mode(k: int, n: int, mu: float, tau: float, z: float) -> tuple[float, float]:
    """The mode of h(mu + tau z) - z^2 / 2 in z, from the start z, and the curvature's scale there."""
    lo, hi = tau * (k - n), tau * k  # the mode lies between, since k - n <= h' <= k
    curvature = 1.0
    for _ in range(100):
        p = expit(mu + tau * z)
        slope = tau * (k * (1.0 - p) - (n - k) * p) - z
        curvature = 1.0 + tau * tau * n * p * (1.0 - p)
        if slope > 0:
            lo = z
        else:
            hi = z
        new = z + slope / curvature
        if not lo < new < hi:  # Newton would leave the bracket (or cycle on its ends): bisect
            new = (lo + hi) / 2.0
        # Newton's step this small, in units of the integrand's width, leaves z within about its
        # square of the mode: a centre that near changes no figure (in units of z alone, a large
        # tau would need far more digits, since eta moves by tau times z)
        if (new - z) * (new - z) * curvature <= 1e-12:
            return new, 1.0 / math.sqrt(curvature)
        z = new
    return z, 1.0 / math.sqrt(curvature)


@lru_cache(maxsize=16)
def _rule(nodes: int) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Gauss-Hermite nodes for the standard normal (sqrt(2) x) with log(weight) + x^2 beside each,
    in two halves each going out from the centre: x >= 0, then x < 0."""
    xs, log_ws = gauss_hermite(nodes)
    pairs = sorted(
        ((math.sqrt(2.0) * x, log_w + x * x) for x, log_w in zip(xs, log_ws, strict=True)),
        key=lambda pair: abs(pair[0]),
    )
    return tuple(p for p in pairs if p[0] >= 0.0), tuple(p for p in pairs if p[0] < 0.0)


def _study(k: int, n: int, mu: float, tau: float, centre: float, scale: float, nodes: int) -> _State:
    """log L_i, its gradient in (mu, tau) and its Hessian (mm, mt, tt) by the adaptive rule.

    Each half of the rule is summed from the mode outwards and left when its terms fall below
    1e-17 of the sum: the integrand is log-concave, so the rest are smaller still.
    """
    exp, log1p, m = math.exp, math.log1p, n - k
    eta = mu + tau * centre
    top = (k * eta if eta <= 0 else -m * eta) - n * log1p(exp(-abs(eta))) - 0.5 * centre * centre
    step = tau * scale  # eta moves by this for each unit of x
    total = g_m = g_t = s_mm = s_mt = s_tt = 0.0
    for half in _rule(nodes):
        for x, c in half:
            z = centre + scale * x
            eta_x = eta + step * x
            e = exp(-abs(eta_x))
            # h(eta) = k eta - n log(1 + e^eta), from whichever side does not overflow
            rest = c - n * log1p(e) - 0.5 * z * z - top
            small = e / (1.0 + e)  # the smaller of p and 1 - p
            n_small = n * small
            if eta_x > 0.0:
                w = exp(rest - m * eta_x)
                d1 = n_small - m  # h' = k - n p
            else:
                w = exp(rest + k * eta_x)
                d1 = k - n_small
            wd = w * d1
            second = wd * d1 - w * n_small * (1.0 - small)  # (h'' + h'^2) w
            second_z = second * z
            total, g_m, g_t = total + w, g_m + wd, g_t + wd * z
            s_mm, s_mt, s_tt = s_mm + second, s_mt + second_z, s_tt + second_z * z
            if w < 1e-17 * total:
                break
    g_m, g_t = g_m / total, g_t / total
    return (
        top + math.log(total * scale) - _LOG_SQRT_PI,
        g_m,
        g_t,
        s_mm / total - g_m * g_m,
        s_mt / total - g_m * g_t,
        s_tt / total - g_t * g_t,
    )


def _evaluate(
    studies: list[tuple[int, int]], mu: float, tau: float, nodes: int, modes: list[float]
) -> _State:
    """The log-likelihood, its gradient and Hessian; updates `modes`, each study's last mode."""
    ll = g_m = g_t = h_mm = h_mt = h_tt = 0.0
    for i, (k, n) in enumerate(studies):
        centre, scale = _mode(k, n, mu, tau, modes[i])
        modes[i] = centre
        terms = _study(k, n, mu, tau, centre, scale, nodes)
        ll += terms[0]
        g_m += terms[1]
        g_t += terms[2]
        h_mm += terms[3]
        h_mt += terms[4]
        h_tt += terms[5]
    return ll, g_m, g_t, h_mm, h_mt, h_tt


def fit(
    studies: list[tuple[int, int]], nodes: int, start: tuple[float, float]
) -> tuple[float, float, float] | str:
    """Maximise the likelihood over (mu, tau): (mu, its standard error, tau), or why it failed.

    Newton's method (see _newton) from `start` (mu, tau^2): its first steps with a rule of
    _APPROACH_NODES nodes, then with a rule of `nodes` nodes. The maximum found is checked with
    a rule of twice as many: when that rule's Newton step from it is below 1e-6 (relative to
    1 + |mu|), the step is taken and the fit ends; otherwise the fit goes on with the larger
    rule. A maximum that has not settled so by MAX_NODES nodes is not returned. The maximum at
    tau = 0, where there is one, is weighed against the one found (see below); docs/methods.md
    gives the whole procedure.
    """
    mu, tau2 = start
    tau = max(math.sqrt(tau2), 0.1)  # away from tau = 0, a stationary point of the likelihood in tau
    modes = _first_modes(studies, mu, tau)
    if nodes > _APPROACH_NODES:
        mu, tau = _approach(studies, mu, tau, modes)
    found = _search_safely(studies, mu, tau, nodes, modes)
    if isinstance(found, str):
        return found
    # tau = 0 is a stationary point whatever the data, and the likelihood can have a maximum both
    # there and inside: a search can end at either below the other. The boundary's likelihood is
    # exact; where it is the higher, or where the search ended there, the search is made again
    # from tau = 1 and 0.3 (and from just off the boundary, where the likelihood rises away from
    # it), and the highest maximum is kept. The boundary counts only where it is a maximum: where
    # the likelihood falls (or is flat to second order) as tau leaves 0.
    boundary, rises = _boundary(studies)
    candidates = [found]
    if found[2] == 0.0 or boundary[3] > found[3]:
        starts = [(start[0], 1.0), (start[0], 0.3)] + ([(boundary[0], 0.1)] if rises else [])
        for mu0, tau0 in starts:
            inside = _search_safely(studies, mu0, tau0, nodes, _first_modes(studies, mu0, tau0))
            if not isinstance(inside, str) and inside[2] > 0.0:
                candidates.append(inside)
    if not rises:
        candidates.append(boundary)
    candidates = [c for c in candidates if c[2] > 0.0 or not rises]
    if not candidates:
        return "the likelihood's maximum was not found: it rises from tau^2 = 0, and no search found its top"
    return max(candidates, key=lambda c: c[3])[:3]


def _boundary(studies: list[tuple[int, int]]) -> tuple[tuple[float, float, float, float], bool]:
    """The common-effect model (tau = 0): (mu, its standard error, 0, the log-likelihood), and
    whether the likelihood rises as tau leaves 0 (the sum of h'' + h'^2 at its rate above 0)."""
    responders, total = sum(k for k, _ in studies), sum(n for _, n in studies)
    p = responders / total
    eta = math.log(responders / (total - responders))
    ll = sum(k * eta - n * math.log1p(math.exp(eta)) for k, n in studies)
    curvature = sum((k - n * p) ** 2 - n * p * (1.0 - p) for k, n in studies)
    rises = curvature > 1e-9 * total * p * (1.0 - p)
    return (eta, 1.0 / math.sqrt(total * p * (1.0 - p)), 0.0, ll), rises


def _search_safely(
    studies: list[tuple[int, int]], mu: float, tau: float, nodes: int, modes: list[float]
) -> tuple[float, float, float, float] | str:
    try:
        return _search(studies, mu, tau, nodes, modes)
    except (ArithmeticError, ValueError):  # a likelihood no rule could evaluate where the search went
        return "the likelihood could not be evaluated where its maximum was sought (tau^2 too large)"


def _approach(
    studies: list[tuple[int, int]], mu: float, tau: float, modes: list[float]
) -> tuple[float, float]:
    """Where the full rule's search starts: the point a few steps of the coarse rule reach, when
    they settle (to _APPROACHED, with no step halved more than three times) at tau >= 0.1, the
    region the DerSimonian-Laird start is kept in; (mu, tau) as given, and `modes` reset, otherwise."""
    try:
        approach = _newton(
            studies, mu, tau, _APPROACH_NODES, modes, None, _APPROACHED, _APPROACH_ITERATIONS, min_step=0.125
        )
    except (ArithmeticError, ValueError):
        approach = "failed"
    if isinstance(approach, str) or approach[2] is None or approach[1] < 0.1:
        modes[:] = _first_modes(studies, mu, tau)
        return mu, tau
    return approach[0], approach[1]


def _search(
    studies: list[tuple[int, int]], mu: float, tau: float, nodes: int, modes: list[float]
) -> tuple[float, float, float, float] | str:
    """fit's search from (mu, tau) with the full rule, checked with twice its nodes: (mu, its
    standard error, tau, the log-likelihood there), or why it failed."""
    rule, state = nodes, None
    while True:
        result = _newton(studies, mu, tau, rule, modes, state)
        if isinstance(result, str):
            return result
        mu, tau, hessian = result
        if tau == 0.0:  # the boundary, where every rule integrates exactly: nothing to check
            break
        if hessian is None:
            # Newton's method stalled: a coarse rule's gradient and Hessian can disagree with its
            # likelihood and with each other. A finer rule takes over from where it stopped.
            if rule >= MAX_NODES:
                return "the likelihood's maximum was not found: Newton's method stalled"
            rule, state = min(2 * rule, MAX_NODES), None
            continue
        h_mm, h_mt, h_tt = hessian
        if rule >= MAX_NODES:
            return (
                f"the quadrature did not settle with {MAX_NODES} nodes (tau^2 is about {tau * tau:.2g}, "
                "too large for it with studies this lopsided)"
            )
        rule = min(2 * rule, MAX_NODES)
        state = _evaluate(studies, mu, tau, rule, modes)
        d_m, d_t, definite = _direction(*state[1:])
        if definite and max(abs(d_m), abs(d_t)) <= 1e-6 * (1.0 + abs(mu)):
            ll, _, _, h_mm, h_mt, h_tt = state
            mu, tau = mu + d_m, abs(tau + d_t)
            if tau >= 1e-5 and max(abs(d_m), abs(d_t) / tau) > 1e-7:
                # The standard error is from the information where the maximum is reported: the
                # Hessian moves with tau in proportion to the step over tau, so that near tau = 0
                # the point before this last step would be off by 1e-5.
                ll, _, _, h_mm, h_mt, h_tt = _evaluate(studies, mu, tau, rule, modes)
            break
    if tau < 1e-5:
        # at the boundary tau^2 = 0: the common-effect model, whose maximum is the pooled rate
        return _boundary(studies)[0]
    det = h_mm * h_tt - h_mt * h_mt
    if not (h_mm < 0 and det > 0):
        return "the information matrix at the maximum is singular: the standard error is undefined"
    return mu, math.sqrt(-h_tt / det), tau, ll


def _first_modes(studies: list[tuple[int, int]], mu: float, tau: float) -> list[float]:
    """Where each study's mode search starts: its logit's best linear predictor, in units of tau."""
    ys, vs = logits(studies)
    return [(y - mu) * tau / (tau * tau + v) for y, v in zip(ys, vs, strict=True)]


def logits(studies: list[tuple[int, int]]) -> tuple[list[float], list[float]]:
    """Each study's logit and its variance, with 0.5 added to both cells of a study with a zero cell."""
    ys, vs = [], []
    for k, n in studies:
        c = 0.5 if k in (0, n) else 0.0
        ys.append(math.log((k + c) / (n - k + c)))
        vs.append(1.0 / (k + c) + 1.0 / (n - k + c))
    return ys, vs


def _newton(
    studies: list[tuple[int, int]],
    mu: float,
    tau: float,
    nodes: int,
    modes: list[float],
    state: _State | None,
    settled: float = _SETTLED,
    iterations: int = _MAX_ITERATIONS,
    min_step: float = 1e-6,
) -> tuple[float, float, tuple[float, float, float] | None] | str:
    """Newton's method from (mu, tau) (where the likelihood is `state`, when known): the maximum
    and the Hessian there; the point reached and None if it stalled; or why it failed.

    A Hessian that is not negative definite has its eigenvalues made negative, and the step is
    then searched back along until the likelihood rises enough. Away from tau = 0 the steps are
    taken in log tau, where the likelihood is nearer a quadratic than in tau (from the
    DerSimonian-Laird start, which is low, it takes a step or two fewer); near 0, where log tau
    would take forever to reach the common-effect boundary, in tau itself. The likelihood is
    even in tau, so there tau moves over the whole line and is reported as |tau|.
    """
    if state is None:
        state = _evaluate(studies, mu, tau, nodes, modes)
    for _ in range(iterations):
        ll, g_m, g_t, h_mm, h_mt, h_tt = state
        in_log = tau > _LOG_FROM
        if in_log:  # the gradient and Hessian in (mu, s = log tau), by the chain rule
            g_x, h_mx, h_xx = g_t * tau, h_mt * tau, h_tt * tau * tau + g_t * tau
        else:
            g_x, h_mx, h_xx = g_t, h_mt, h_tt
        d_m, d_x, definite = _direction(g_m, g_x, h_mm, h_mx, h_xx)
        slope = g_m * d_m + g_x * d_x  # twice the rise the quadratic model predicts

        # A step this small is the last one needed here: taken, it leaves the point within about
        # its square of this rule's maximum, and the finer rule's check in fit takes one more.
        size = max(abs(d_m), abs(d_x) * (tau if in_log else 1.0))  # in mu and in tau, either way
        # Heading for tau = 0: where the likelihood is flat to second order in tau there (the sum
        # of h'' + h'^2 zero at the pooled rate), Newton's steps shrink tau by only a third each,
        # small enough to pass for settled long before they reach it. They go on to tau < 1e-4,
        # where the likelihood is flat to rounding and tau^2 (below 1e-8) is reported as 0; fit
        # then looks for a higher maximum inside.
        if not in_log and tau < 1e-4:
            return mu, 0.0, (h_mm, h_mt, h_tt)
        heading_to_0 = definite and not in_log and abs(tau + d_x) < 0.9 * tau
        if definite and not heading_to_0 and (slope < 1e-20 or size <= settled * (1.0 + abs(mu))):
            return mu + d_m, _moved(tau, d_x, 1.0, in_log), (h_mm, h_mt, h_tt)
        cut = max(abs(d_m) / _MAX_STEP["mu"], abs(d_x) / _MAX_STEP["log tau" if in_log else "tau"])
        if cut > 1.0:
            d_m, d_x, slope = d_m / cut, d_x / cut, slope / cut
        # Near the maximum the full step is taken: there the quadrature's error, which moves
        # with the nodes, can be larger than the rise left, and the gradient is the better guide.
        search = cut > 1.0 or not (definite and slope < 1e-4)
        step = 1.0
        while True:
            trial_modes = modes[:]
            try:
                trial_tau = _moved(tau, d_x, step, in_log)
                trial = _evaluate(studies, mu + step * d_m, trial_tau, nodes, trial_modes)
            except (ArithmeticError, ValueError):  # no rule integrates there: a step too far
                trial = None
            if trial is not None and (not search or trial[0] >= ll + 1e-4 * step * slope):
                break
            step /= 2.0
            if step < min_step:
                return mu, tau, None
        mu, tau, state, modes[:] = mu + step * d_m, _moved(tau, d_x, step, in_log), trial, trial_modes
        if tau > _TAU_LIMIT or abs(mu) > 50.0:
            return "the likelihood keeps rising as tau^2 grows: the binomial-normal model has no maximum"
    return mu, tau, None


def _moved(tau: float, d_x: float, step: float, in_log: bool) -> float:
    """tau after `step` of the Newton step d_x, taken in log tau or in tau."""
    return tau * math.exp(step * d_x) if in_log else abs(tau + step * d_x)


def _direction(g_m: float, g_t: float, h_mm: float, h_mt: float, h_tt: float) -> tuple[float, float, bool]:
    """The Newton step -H^-1 g, with H's eigenvalues made negative (at least 1e-8 in size) first,
    and whether H was negative definite as it was."""
    half_trace, det = (h_mm + h_tt) / 2.0, h_mm * h_tt - h_mt * h_mt
    root = math.sqrt(max(0.0, half_trace * half_trace - det))
    l1, l2 = half_trace + root, half_trace - root
    if l1 < -1e-8:
        return -(h_tt * g_m - h_mt * g_t) / det, -(h_mm * g_t - h_mt * g_m) / det, True
    if abs(h_mt) > 1e-300:  # the eigenvector of l1; the other is perpendicular
        v_m, v_t = l1 - h_tt, h_mt
    else:
        v_m, v_t = (1.0, 0.0) if h_mm >= h_tt else (0.0, 1.0)
    norm = math.hypot(v_m, v_t)
    d_m = d_t = 0.0
    for (c_m, c_t), lam in (((v_m / norm, v_t / norm), l1), ((-v_t / norm, v_m / norm), l2)):
        projection = (c_m * g_m + c_t * g_t) / max(abs(lam), 1e-8)
        d_m += projection * c_m
        d_t += projection * c_t
    return d_m, d_t, False
