"""Numbered references: each cited paper once, in the order first cited."""

from __future__ import annotations

import re

from igfcli.model import Source, Trial
from igfcli.output.text import markdown_escape

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
        self._cited: dict[tuple[Source, ...], str] = {}  # a trial's sources, once numbered

    def cite(self, entry: str) -> int:
        entry = entry.strip()
        entry = entry if entry.endswith(".") else entry + "."
        paper = _paper(entry)
        if paper not in self._numbers:
            self._entries.append(entry)
            self._numbers[paper] = len(self._entries)
        return self._numbers[paper]

    def cite_trial(self, trial: Trial) -> str:
        cited = self._cited.get(trial.sources)
        if cited is None:
            cited = ", ".join(f"[{self.cite(reference(s))}]" for s in trial.sources)
            self._cited[trial.sources] = cited
        return cited

    def listing(self) -> str:
        return "".join(f"{i}. {markdown_escape(entry)}\n" for i, entry in enumerate(self._entries, 1))


def reference(source: Source) -> str:
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
