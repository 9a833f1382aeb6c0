"""The words the analyses share with their callers: the choices they take and the marks they set."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class GroupBy(StrEnum):
    """How halted programs are grouped."""

    sponsor = "sponsor"
    parent = "parent"


class CiMethod(StrEnum):
    exact = "exact"
    wilson = "wilson"


class RankBy(StrEnum):
    regimen = "regimen"
    trial = "trial"
    cohort = "cohort"
    histology = "histology"


class Pool(StrEnum):
    """How the trials of a row are pooled (docs/methods.md)."""

    counts = "counts"  # responders summed over evaluable summed: a common-effect estimate
    glmm = "glmm"  # random-intercept logistic regression, maximum likelihood
    dl = "dl"  # inverse-variance logits with the DerSimonian-Laird tau^2


# the benchmark presets by name, the choices of --preset; analyses/benchmark.py holds each one's
# numbers (it is imported only when a benchmark is asked for) and a test that the two agree
Preset = StrEnum("Preset", [("editorial", "editorial-2014"), ("eortc", "eortc-2002")])

CI_LABELS = {CiMethod.exact: "exact (Clopper-Pearson)", CiMethod.wilson: "Wilson score"}
CI_SHORT = {CiMethod.exact: "exact", CiMethod.wilson: "Wilson"}
# marks a count the record does not give, taken as the number enrolled, in tables for people
ASSUMED_MARK = "†"
ASSUMED_NOTE = (
    f"{ASSUMED_MARK} The record gives no evaluable count for this figure: the number enrolled is used."
)
# marks a row whose source printed a rate its own counts do not give
DISAGREES_MARK = "‡"
DISAGREES_NOTE = (
    f"{DISAGREES_MARK} The source's printed rate disagrees with its counts; the counts are used "
    "(igf validate names the figure)."
)
# marks a row whose counts add up cohorts that its trial's source reports only apart
SUMMED_MARK = "§"
SUMMED_NOTE = (
    f"{SUMMED_MARK} Adds up cohorts of a trial whose source reports them apart and prints no "
    "response figure for the whole trial."
)
# each mark's note and the yes/no field of a row that sets it, in the order tables print them
_MARK_NOTES = (
    (ASSUMED_NOTE, "evaluable_assumed"),
    (DISAGREES_NOTE, "reported_disagrees"),
    (SUMMED_NOTE, "cohorts_summed"),
)


def mark_notes(rows: Iterable[object]) -> tuple[str, ...]:
    """The notes of the marks that any of these rows sets (a row without a mark's field sets none)."""
    rows = tuple(rows)
    return tuple(note for note, flag in _MARK_NOTES if any(getattr(r, flag, False) for r in rows))
