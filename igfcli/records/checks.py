"""Evidence checks: figures that are valid one by one but do not agree with each other.

These are warnings, not errors: a misprinted percentage in a published paper
is part of the record, and the point is to make it visible.
"""

from __future__ import annotations

from collections.abc import Iterator

from igfcli.errors import Problem
from igfcli.hazards import hr_in_middle, wald_p_range
from igfcli.model import AlsoReported, Comparison, PfsPoint, Rate, Response, Trial
from igfcli.stats import achievable, half_above, matches, nearest_denominator, neighbours


def check_trial(trial: Trial) -> list[Problem]:
    """The warnings on one trial's figures; they depend on that record alone, so they are cached with it."""
    return list(_check_trial(trial))


def _warning(trial: Trial, field: str, message: str) -> Problem:
    line, column = trial.location(field)
    return Problem(trial.path, line, column, field, message, "warning")


def _fraction(k: int, n: int, rate: Rate, *, agrees: bool = False) -> str:
    """k/n at the rate's printed precision; for a fraction said to agree, with one more decimal
    where rounding a half could go either way (1/400 = 0.25% is "0.2%" or "0.3%")."""
    decimals = _decimals(rate)
    shown = _percent(k, n, decimals)
    if agrees and half_above(rate, k, n):
        # exactly half a unit above the printed rate (the check allows either rounding of a
        # half): only rounding the half down, as some software prints it, gives that rate
        return f"{k}/{n} = {_percent(k, n, decimals + 1)}, {rate.text} with the half rounded down"
    return f"{k}/{n} = {shown}"


def _percent(k: int, n: int, decimals: int) -> str:
    """k/n as a percentage, halves rounded up, in whole numbers: exact to as many decimals as a
    rate was printed with (a float of k/n holds about 17 digits; a rate may be printed to 30)."""
    scale = 10**decimals
    units = (200 * scale * k + n) // (2 * n)  # the nearest number of 1/scale percents, halves up
    whole, part = divmod(units, scale)
    return f"{whole}.{part:0{decimals}d}%" if decimals else f"{whole}%"


def _decimals(rate: Rate) -> int:
    if not rate.is_percentage:
        # a fraction printed to d decimals is a percentage to d - 2
        digits = rate.text.split(".")[1] if "." in rate.text else ""
        return max(0, len(digits) - 2)
    body = rate.text[:-1]
    return len(body.split(".")[1]) if "." in body else 0


def _check_trial(trial: Trial) -> Iterator[Problem]:
    yield from _check_response(trial, "response", trial.response)
    yield from _check_also_reported(trial, "", trial.also_reported, trial.response)
    for cohort in trial.cohorts:
        yield from _check_response(trial, f"cohorts[{cohort.index}].response", cohort.response)
    for arm in trial.arms:
        yield from _check_response(trial, f"arms[{arm.index}].response", arm.response)
    for comparison in trial.comparisons:
        yield from _check_comparison(trial, comparison)
    yield from _check_pfs_counts(trial, "", trial.pfs, trial.enrolled, "trial")
    for cohort in trial.cohorts:
        yield from _check_pfs_counts(
            trial, f"cohorts[{cohort.index}].", cohort.pfs, cohort.enrolled, "cohort"
        )
    for arm in trial.arms:
        yield from _check_pfs_counts(trial, f"arms[{arm.index}].", arm.pfs, arm.enrolled, "arm")
    yield from _check_cohort_sums(trial)


def _check_cohort_sums(trial: Trial) -> Iterator[Problem]:
    """Cohorts are parts of their trial: together they cannot enrol more patients, or count more
    evaluable patients or responders, than the trial does. Only counts the record gives are
    compared (not an evaluable taken as the number enrolled, nor responders estimated from a rate)."""
    whole = trial.response
    parts = [c.response for c in trial.cohorts if c.response is not None]
    enrolled = sum(c.enrolled for c in trial.cohorts if c.enrolled is not None)
    # (what the cohorts add up to, their sum, the trial's own figure, what the trial's is)
    sums: list[tuple[str, int, int | None, str]] = [
        ("enrol {} patients", enrolled, trial.enrolled, "enrolled")
    ]
    if whole is not None and parts:
        evaluable = sum(r.evaluable for r in parts if not r.evaluable_defaulted)
        responders = sum(r.responders for r in parts if r.responders is not None)
        given = None if whole.evaluable_defaulted else whole.evaluable
        sums += [
            ("count {} evaluable patients", evaluable, given, "response"),
            ("count {} responders", responders, whole.responders, "response"),
        ]
    for said, total, bound, of in sums:
        if bound is not None and total > bound:
            yield _warning(
                trial, "cohorts", f"cohorts {said.format(total)} in all, more than the trial's {of} ({bound})"
            )


def _check_pfs_counts(
    trial: Trial, prefix: str, points: tuple[PfsPoint, ...], enrolled: int | None, part: str
) -> Iterator[Problem]:
    """A progression-free rate with no count of patients under it cannot be tested: say so."""
    if enrolled is not None:
        return
    for i, point in enumerate(points):
        if point.evaluable is None:
            yield _warning(
                trial,
                f"{prefix}pfs[{i}].rate",
                f"no patients under this rate: no evaluable here and no enrolled for the {part}, "
                "so no benchmark can test it",
            )


def _check_response(trial: Trial, field: str, response: Response | None) -> Iterator[Problem]:
    if response is None:
        return
    n = response.evaluable
    rate = response.reported_rate
    if rate is not None and response.responders is not None:
        k = response.responders
        if not matches(rate, k, n):
            yield _warning(
                trial,
                f"{field}.reported_rate",
                f"{rate.text} disagrees with responders / evaluable ({_fraction(k, n, rate)})",
            )
    elif rate is not None:
        yield from _impossible(trial, f"{field}.reported_rate", rate, n, "evaluable")
    yield from _check_also_reported(trial, field, response.also_reported, response)


def _check_also_reported(
    trial: Trial, field: str, reports: tuple[AlsoReported, ...], response: Response | None
) -> Iterator[Problem]:
    """Rates other sources printed: possible at all, and in agreement with the record's own figures."""
    prefix = f"{field}." if field else ""
    for i, also in enumerate(reports):
        at = f"{prefix}also_reported[{i}].rate"
        if also.of is not None and not achievable(also.rate, also.of):
            yield from _impossible(trial, at, also.rate, also.of, "as that source states", response)
        elif (
            response is not None
            and response.responders is not None
            and also.of in (None, response.evaluable)
            and not matches(also.rate, response.responders, response.evaluable)
        ):
            yield _warning(
                trial,
                at,
                f"{also.rate.text} in {also.source} disagrees with this record's "
                f"{_fraction(response.responders, response.evaluable, also.rate)}",
            )


def _impossible(
    trial: Trial, field: str, rate: Rate, n: int, what: str, response: Response | None = None
) -> Iterator[Problem]:
    """A GRIM-style check: is the printed rate any k/n at its printed precision?"""
    if achievable(rate, n):
        return
    below, above = neighbours(rate, n)
    nearest = ", ".join(_fraction(k, n, rate) for k in (below, above) if k is not None)
    message = f"{rate.text} of {n} ({what}) is impossible: no k/{n} rounds to it (nearest: {nearest})"
    if (
        response is not None
        and response.responders is not None
        and matches(rate, response.responders, response.evaluable)
    ):
        message += (
            f"; it is {_fraction(response.responders, response.evaluable, rate)}, "
            f"this record's evaluable patients"
        )
    else:
        found = nearest_denominator(rate, n)
        if found is not None:
            k, m = found
            message += (
                f"; the nearest denominator that gives it is {m} ({_fraction(k, m, rate, agrees=True)})"
            )
    yield _warning(trial, field, message)


# A log-rank or score p-value is not the Wald p of the printed interval, but close to it: a
# printed p this far outside the range the interval allows is a misprint or a one-sided value.
P_SLACK = 1.5


def _check_comparison(trial: Trial, c: Comparison) -> Iterator[Problem]:
    """A hazard ratio against its interval, and the p-value against both."""
    field = f"comparisons[{c.index}]"
    hr, low, high = ((x.value, x.text) for x in (c.hr, c.ci_low, c.ci_high))
    if not hr_in_middle(hr, low, high):
        middle = (c.ci_low.value * c.ci_high.value) ** 0.5
        yield _warning(
            trial,
            f"{field}.hr",
            f"{c.hr.text} is not the middle of its interval {c.ci_low.text}-{c.ci_high.text} on the log "
            f"scale, where a Cox model's interval puts it (the middle is {middle:.3f}): check the figures",
        )
        return
    if c.p is None:
        return
    lowest, highest = wald_p_range(hr, low, high, c.level)
    expected = (lowest / 2, highest / 2) if c.p_sided == 1 else (lowest, highest)
    # a one-sided p tests one direction: the one the hazard ratio leans to (half the two-sided
    # p), or the other (one minus that), as a test for benefit gives for a ratio above 1
    tails = (c.p.value, 1.0 - c.p.value) if c.p_sided == 1 and not c.p.bound else (c.p.value,)
    # a bound "<0.001" says only that p is below it: it disagrees where even the smallest p the
    # figures allow is not
    if any(expected[0] / P_SLACK <= p <= min(1.0, expected[1] * P_SLACK) for p in tails) or (
        c.p.bound and expected[0] / P_SLACK < c.p.value
    ):
        return
    sides = "one-sided" if c.p_sided == 1 else "two-sided"
    other = f" ({_p_span(1 - expected[1], 1 - expected[0])} in the other direction)" if c.p_sided == 1 else ""
    message = (
        f"{c.p.text} ({sides}) disagrees with the hazard ratio and its interval, which give a "
        f"{sides} p of {_p_span(*expected)}{other}"
    )
    if c.p_sided == 2 and lowest / 2 / P_SLACK <= c.p.value <= highest / 2 * P_SLACK:
        message += f"; it is the one-sided value ({_p_span(lowest / 2, highest / 2)}): say p_sided: one-sided"
    yield _warning(trial, f"{field}.p", message)


def _p_span(low: float, high: float) -> str:
    return f"{low:.3g}" if f"{low:.3g}" == f"{high:.3g}" else f"{low:.3g} to {high:.3g}"
