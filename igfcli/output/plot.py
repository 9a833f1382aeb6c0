"""Forest plots as figures (svg, png, pdf), drawn with matplotlib: imported only when a plot is asked for.

A figure is drawn to bytes; the command writes it, with the files that go with it, or none of them.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib

from igfcli.analyses.results import Listing
from igfcli.errors import OutputError
from igfcli.output.text import format_percent, safe_text

matplotlib.use("Agg")  # no screen: files only

FORMATS = (".svg", ".png", ".pdf")


def _label(row: Any) -> str:
    return safe_text(str(row.name))


def forest_bytes(listing: Listing, path: Path, *, reference: float | None = None) -> bytes:
    """The listing's forest plot as the file `path` would hold it (its extension chooses the format).

    One row per listing row, top to bottom in its order: the estimate as a square, its interval
    as a line, a prediction interval (where the listing has one) as a thinner line behind it,
    and the trials and patients beside each; a dashed line at `reference` (a benchmark).
    """
    if path.suffix.lower() not in FORMATS:
        raise OutputError(f"{path}: a figure is written as {', '.join(FORMATS)}; name the file so")
    if listing.forest is None:
        raise OutputError(f"{path}: this listing has no intervals to plot")
    from matplotlib.figure import Figure

    rows = list(listing.rows)
    est_key, low_key, high_key = listing.forest
    figure = Figure(figsize=(8, 0.45 * max(len(rows), 1) + 1.4))
    axes = figure.subplots()
    for y, row in enumerate(reversed(rows)):
        if listing.forest_band:
            edges = [getattr(row, k) for k in listing.forest_band]
            if None not in edges:
                axes.plot(edges, [y, y], color="0.6", linewidth=1, linestyle=(0, (2, 2)), gid=f"pi-{y}")
        low, high = getattr(row, low_key), getattr(row, high_key)
        axes.plot([low, high], [y, y], color="black", linewidth=2, gid=f"ci-{y}")
        axes.plot([getattr(row, est_key)], [y], marker="s", color="black", markersize=6, gid=f"estimate-{y}")
        trials = getattr(row, "trials", None)
        patients = getattr(row, "evaluable", None)
        if trials is not None and patients is not None:
            axes.annotate(
                f"{trials} trial{'s' if trials != 1 else ''}, {patients} patients",
                xy=(1.0, y),
                xycoords=("axes fraction", "data"),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    if reference is not None:
        axes.axvline(reference, color="black", linestyle="--", linewidth=1, gid="benchmark")
    axes.set_yticks(range(len(rows)), [_label(r) for r in reversed(rows)], fontsize=8)
    axes.set_xlim(left=0)
    axes.xaxis.set_major_formatter(lambda x, _: format_percent(float(x), 0))
    axes.set_title(safe_text(listing.title), fontsize=9, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=path.suffix.lower().lstrip("."), metadata=_metadata(path))
    return buffer.getvalue()


def _metadata(path: Path) -> dict[str, Any]:
    # the same data gives the same file: no creation date in svg or pdf
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None}
    return {}
