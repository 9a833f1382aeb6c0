"""One markdown document with the three answers, the evidence checks, methods and references."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from igfcli import __version__
from igfcli.benchmark import EDITORIAL, benchmark_listing
from igfcli.errors import Problem
from igfcli.halted import halted_listing
from igfcli.model import Column, Listing, Source, Trial
from igfcli.ranking import CI_LABELS, CiMethod, RankBy, rank_listing
from igfcli.render import display_cell, format_p, markdown_escape, to_markdown
from igfcli.selection import Selection
from igfcli.stats import format_percent

# "2014;120:2384" in a citation: year, volume and first page name one paper
_SIGNATURE = re.compile(r"\b(\d{4});\s*(\d+)(?:\(\d+\))?:\s*(\d+)")


def _paper(entry: str) -> str:
    """What identifies the cited paper: first author's surname, year, volume and first page.

    The same paper is often cited in different words (a trial's source, a program
    status, the benchmark); one paper should get one number.
    """
    found = _SIGNATURE.search(entry)
    if not found:
        return entry
    surname = entry.split()[0].strip(",.").casefold()
    return f"{surname} {found.group(1)};{found.group(2)}:{found.group(3)}"


class References:
    """Numbers sources in the order they are first cited, one number a paper."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._entries: list[str] = []

    def cite(self, entry: str) -> int:
        entry = entry.strip()
        entry = entry if entry.endswith(".") else entry + "."
        paper = _paper(entry)
        if paper not in self._numbers:
            self._entries.append(entry)
            self._numbers[paper] = len(self._entries)
        return self._numbers[paper]

    def cite_trial(self, trial: Trial) -> str:
        return ", ".join(f"[{self.cite(_reference(s))}]" for s in trial.sources)

    def listing(self) -> str:
        return "".join(f"{i}. {markdown_escape(entry)}\n" for i, entry in enumerate(self._entries, 1))


def _reference(source: Source) -> str:
    ids = [
        f"{label}{value}"
        for label, value in (
            ("doi:", source.doi),
            ("PMID: ", source.pmid),
            ("", source.nct),
            ("EudraCT ", source.eudract),
            ("", source.url),
        )
        if value
    ]
    citation = source.citation.strip().rstrip(".")
    return citation + "." + ("" if not ids else " " + "; ".join(ids))


def _cells(columns: Iterable[tuple[str, str, str]], rows: list[dict[str, Any]]) -> Listing:
    """A listing of already formatted text, for a report table (key, label, kind)."""
    cols = tuple(Column(key, label, kind) for key, label, kind in columns)  # type: ignore[arg-type]
    return Listing(cols, tuple(rows))


def _ranking_section(selection: Selection, refs: References, method: CiMethod, level: float) -> str:
    by_id = {t.id: t for t in selection.evidence.trials}
    percent = f"{level * 100:g}%"
    out = []
    for by, heading in ((RankBy.regimen, "By regimen"), (RankBy.trial, "By trial")):
        listing = rank_listing(selection, by, method, level)
        rows = []
        for row in listing.rows:
            cite = ", ".join(refs.cite_trial(by_id[t]) for t in row["trial_ids"])
            rows.append(
                {
                    "rank": str(row["rank"]),
                    "name": row["regimen"] if by is RankBy.regimen else row["trial"],
                    "regimen": row["regimen"],
                    "trials": str(row["trials"]),
                    "responders": f"{row['responders']}/{row['evaluable']}"
                    + (" (est.)" if row["estimated"] else ""),
                    "rate": format_percent(row["rate"]),
                    "ci": f"{format_percent(row['ci_low'])}–{format_percent(row['ci_high'])}",
                    "sources": cite,
                }
            )
        columns = [
            ("rank", "Rank", "count"),
            ("name", "Regimen" if by is RankBy.regimen else "Trial", "text"),
        ]
        if by is RankBy.regimen:
            columns.append(("trials", "Trials", "count"))
        else:
            columns.append(("regimen", "Regimen", "text"))
        columns += [
            ("responders", "Responders/evaluable", "count"),
            ("rate", "ORR", "count"),
            ("ci", f"{percent} CI", "count"),
            ("sources", "Sources", "text"),
        ]
        out.append(
            f"### {heading}\n\n" + (to_markdown(_cells(columns, rows)) if rows else "No response data.\n")
        )
    return "\n".join(out)


def _halted_section(selection: Selection, refs: References) -> str:
    listing = halted_listing(selection)
    if not listing.rows:
        return "No halted programs in the selection.\n"
    rows = []
    for row in listing.rows:
        source = f"[{refs.cite(row['status_source'])}]" if row["status_source"] else ""
        rows.append(
            {
                "sponsor": row["sponsor"] or "",
                "agent": row["agent"],
                "codes": ", ".join(row["codes"]),
                "class": row["class"] or "",
                "as_of": "" if row["status_as_of"] is None else str(row["status_as_of"]),
                "trials": str(row["trials"]),
                "patients": str(row["patients"]),
                "reason": row["reason"] or "",
                "source": source,
            }
        )
    columns = [
        ("sponsor", "Sponsor", "text"),
        ("agent", "Agent", "text"),
        ("codes", "Codes", "text"),
        ("class", "Class", "text"),
        ("as_of", "Halted by", "count"),
        ("trials", "Trials", "count"),
        ("patients", "Patients", "count"),
        ("reason", "Reason", "text"),
        ("source", "Source", "text"),
    ]
    return to_markdown(_cells(columns, rows))


def _benchmark_section(selection: Selection, refs: References) -> str:
    by_id = {t.id: t for t in selection.evidence.trials}
    listing = benchmark_listing(selection, EDITORIAL)
    with_data = [r for r in listing.rows if r["verdict"] != "no-data"]
    if not with_data:
        return "No trial in the selection reports a progression-free rate near 12 weeks.\n"
    columns_by_key = {c.key: c for c in listing.columns}
    rows = []
    for row in with_data:
        rows.append(
            {
                "trial": row["trial"],
                "cohort": row["cohort"] or "(whole trial)",
                "regimen": row["regimen"],
                "weeks": display_cell(row["weeks"], columns_by_key["weeks"]),
                "pfs": row["reported_rate"]
                if str(row["reported_rate"]).endswith("%")
                else format_percent(row["pfs_rate"]),
                "evaluable": "" if row["evaluable"] is None else str(row["evaluable"]),
                "verdict": row["verdict"],
                "p": "" if row["p_value"] is None else format_p(row["p_value"]),
                "source": refs.cite_trial(by_id[row["trial"]]),
            }
        )
    columns = [
        ("trial", "Trial", "text"),
        ("cohort", "Cohort", "text"),
        ("regimen", "Regimen", "text"),
        ("weeks", "Weeks", "count"),
        ("pfs", "PFS rate", "count"),
        ("evaluable", "Evaluable", "count"),
        ("verdict", "Verdict", "text"),
        ("p", "p (vs 30%)", "count"),
        ("source", "Source", "text"),
    ]
    below = sum(1 for r in with_data if r["verdict"] == "below")
    summary = (
        f"{below} of {len(with_data)} trials and cohorts with a progression-free rate near 12 weeks "
        f"fall below the benchmark of {format_percent(EDITORIAL.threshold, 0)} "
        f"[{refs.cite(EDITORIAL.source)}].\n\n"
    )
    return summary + to_markdown(_cells(columns, rows))


def _checks_section(warnings: list[Problem]) -> str:
    if not warnings:
        return "The evidence checks found nothing to report.\n"
    lines = "".join(
        f"- `{p.path}`: {markdown_escape(p.field + ': ' if p.field else '')}{markdown_escape(p.message)}\n"
        for p in warnings
    )
    return (
        "Figures that are valid one by one but disagree with each other or cannot be what the source "
        "printed (from `igf validate`):\n\n" + lines
    )


def _methods(method: CiMethod, level: float, refs: References) -> str:
    percent = f"{level * 100:g}%"
    return (
        "Objective response rate is responders (complete and partial responses) over evaluable "
        "patients. Trials of the same regimen (the same agents, in any order) are pooled by summing "
        "responders and evaluable patients. Where a record gives only a reported rate, responders are "
        "the nearest whole number to rate x evaluable and marked (est.). Intervals are two-sided "
        f"{percent} {CI_LABELS[method]} intervals. Progression-free rates are compared with a "
        f"benchmark {EDITORIAL.describe()} [{refs.cite(EDITORIAL.source)}]; a rate reported in "
        "months converts at 52/12 weeks a month, and a time point within 1 week of 12 weeks is used. "
        "The p-value is an exact one-sided binomial test of the rate against the benchmark, "
        "P(X <= k) for X ~ Binomial(evaluable, 0.30) with k the nearest whole number to rate x "
        "evaluable; it treats a Kaplan-Meier estimate as a simple proportion, which holds only "
        "without censoring before the time point.\n"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def build_report(
    selection: Selection,
    warnings: list[Problem],
    method: CiMethod = CiMethod.exact,
    level: float = 0.95,
    data_label: str | None = None,
) -> str:
    evidence = selection.evidence
    trials = selection.trials()
    agents = sorted({name for t in trials for name in t.regimen})
    patients = sum(selection.patients(t) for t in trials)
    refs = References()
    described = selection.filters.describe()
    header = (
        "# IGF-1R inhibitor trials: evidence summary\n\n"
        f"Data: {markdown_escape(data_label or evidence.folder)}: "
        f"{_count(len(trials), 'trial')} of {_count(len(agents), 'agent')}, "
        f"{patients} patients enrolled"
        + (f" (selected: {markdown_escape(described)})" if described else "")
        + f". Produced by igf {__version__}.\n"
    )
    sections = [
        header,
        "## Response rates\n\n" + _ranking_section(selection, refs, method, level),
        "## Halted programs by sponsor\n\n" + _halted_section(selection, refs),
        "## Progression-free rate against the sarcoma benchmark\n\n" + _benchmark_section(selection, refs),
        "## Evidence checks\n\n" + _checks_section(warnings),
        "## Methods\n\n" + _methods(method, level, refs),
        "## References\n\n" + (refs.listing() or "None.\n"),
    ]
    return "\n".join(sections)
