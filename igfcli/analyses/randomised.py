"""Randomised comparisons: each hazard ratio of an experimental arm against its control, with a verdict."""

from __future__ import annotations

from igfcli.analyses.results import Column, Listing, Row, column, columns_of
from igfcli.analyses.selection import Selection
from igfcli.model import Comparison, Trial


class ComparisonRow(Row, frozen=True):
    """One comparison as the source printed it, and what its interval says."""

    trial: str = column("Trial", whole=True)
    endpoint: str = column("Endpoint")
    experimental: str = column("Experimental")
    control: str = column("Control")
    patients: int | None = column("Patients", "count", short="N")
    hr: float = column("HR", "number")
    ci_low: float = column("CI low", "number")
    ci_high: float = column("CI high", "number")
    p: float | None = column("p", "number")
    p_sided: int | None = column("p sides", "count")
    verdict: str = column("Verdict", whole=True)
    level: float = column("Level", "number")
    hr_text: str = column("HR as printed")
    ci_text: str = column("CI as printed")
    p_text: str | None = column("p as printed")
    median_experimental: float | None = column("Median, experimental", "number")
    median_control: float | None = column("Median, control", "number")
    median_unit: str | None = column("Median unit")
    regimen: str = column("Regimen")
    source: str = column("Source")

    @property
    def hr_ci(self) -> str:
        """The hazard ratio and its interval, as printed (with the level where it is not 95%)."""
        level = "" if self.level == 0.95 else f"{self.level * 100:g}% CI "
        return f"{self.hr_text} ({level}{self.ci_text})"


def _patients(trial: Trial, comparison: Comparison) -> int | None:
    """The two arms' patients; the trial's where it has only these two arms and gives no arm's."""
    arms = [trial.arm(comparison.experimental), trial.arm(comparison.control)]
    counts = [a.enrolled for a in arms if a is not None]
    if len(counts) == 2 and None not in counts:
        return sum(n for n in counts if n is not None)
    if len(trial.arms) == 2 and trial.enrolled is not None:
        return trial.enrolled
    return None


def _row(trial: Trial, c: Comparison) -> ComparisonRow:
    arm = trial.arm(c.experimental)
    return ComparisonRow(
        trial=trial.id,
        endpoint=c.endpoint,
        experimental=c.experimental,
        control=c.control,
        patients=_patients(trial, c),
        hr=c.hr.value,
        ci_low=c.ci_low.value,
        ci_high=c.ci_high.value,
        p=None if c.p is None or c.p.bound else c.p.value,
        p_sided=None if c.p is None else c.p_sided,
        verdict=c.verdict,
        level=c.level,
        hr_text=c.hr.text,
        ci_text=f"{c.ci_low.text}–{c.ci_high.text}",
        p_text=None if c.p is None else c.p.text + (" (one-sided)" if c.p_sided == 1 else ""),
        median_experimental=None if c.median_experimental is None else c.median_experimental.value,
        median_control=None if c.median_control is None else c.median_control.value,
        median_unit=c.median_unit,
        regimen=arm.regimen_name if arm is not None else trial.regimen_name,
        source=c.source,
    )


def randomised_rows(selection: Selection) -> list[ComparisonRow]:
    """Every comparison of the selected trials (a comparison is a whole trial's figure) whose
    experimental arm is selected (--agent names one arm's agent in a trial of two)."""
    return [
        _row(trial, c)
        for trial in selection.trials()
        if selection.whole_trial_matches(trial)
        for c in trial.comparisons
        if (arm := trial.arm(c.experimental)) is None or selection.arm_matches(trial, arm)
    ]


VERDICTS_NOTE = (
    "Verdict: benefit when the whole interval lies below 1 (fewer events on the experimental arm), "
    "harm when it lies above 1, no difference otherwise; figures as the source printed them."
)


def _left_out(selection: Selection, rows: list[ComparisonRow]) -> tuple[str, ...]:
    """The randomised trials of the selection that give no hazard ratio, named."""
    shown = {r.trial for r in rows}
    silent = [t.id for t in selection.trials() if t.arms and t.id not in shown]
    return (
        (f"Randomised, but no hazard ratio with its interval in the record: {', '.join(silent)}.",)
        if silent
        else ()
    )


def randomised_listing(selection: Selection) -> Listing:
    rows = randomised_rows(selection)
    shown = ("trial", "endpoint", "experimental", "control", "patients", "hr_ci", "p_text", "verdict")
    return Listing(
        columns_of(ComparisonRow, labels={"p_text": "p"}),
        tuple(rows),
        title="Randomised comparisons: hazard ratios, experimental against control",
        table_columns=shown,
        display_only=(Column("hr_ci", "HR (CI)", whole=True),),  # a ratio and its interval on one line
        footnotes=((VERDICTS_NOTE,) if rows else ()) + _left_out(selection, rows),
        # the experimental arm is never left out: two arms of one trial would read as one row
        drop_order=("control", "patients", "p_text"),
        stack=("endpoint", "experimental"),
        emphasis="verdict",
    )
