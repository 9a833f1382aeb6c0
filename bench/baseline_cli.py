"""Baseline (a): the smallest program with igf's CLI framework that prints the same output.

It reads the text igf printed (saved by the benchmark) and prints it again, as
CSV, or as a rich table built from the CSV rows, so the difference to igf is
igf's own work: finding, parsing and checking the records, and the statistics.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False)


@app.command()
def main(
    source: Annotated[Path, typer.Argument()],
    table: Annotated[bool, typer.Option("--table")] = False,
) -> None:
    text = source.read_text(encoding="utf-8")
    if not table:
        sys.stdout.write(text)
        return
    from rich.console import Console
    from rich.table import Table

    rows = list(csv.reader(text.splitlines()))
    out = Table()
    for name in rows[0]:
        out.add_column(name)
    for row in rows[1:]:
        out.add_row(*row)
    Console().print(out)


if __name__ == "__main__":
    app()
