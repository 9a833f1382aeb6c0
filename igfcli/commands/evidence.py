"""The evidence itself: validate, trials, show, agents."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from igfcli.analyses.selection import Filters
from igfcli.commands.completion import complete_trial_ids
from igfcli.commands.options import AGENT_FILTERS, DATA, FILTERS, OUTPUT, DataSource, Output, takes
from igfcli.commands.plumbing import (
    EXIT_CHECK_FAILED,
    count,
    emit,
    emit_listing,
    fail,
    load,
    load_checked,
    print_problems,
    select,
)
from igfcli.output.formats import Format


class ProblemFormat(StrEnum):
    text = "text"
    json = "json"


@takes(DATA)
def validate(
    source: DataSource,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
    fmt: Annotated[
        ProblemFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: one line a problem on stderr; json: a list of objects (path, line, column, "
            "field, message, severity) on stdout, for editors and CI.",
        ),
    ] = ProblemFormat.text,
) -> None:
    """Check every record in the data folder and list every problem, one per line, on stderr.

    Exit 0 when there are no errors (warnings are allowed unless --strict), 1 when
    there are.

    Example: igf validate --format json --data my-trials/
    """
    from igfcli.output.text import safe_text
    from igfcli.records.folder import display_path

    folders = source.folders
    loaded = load(source)
    if fmt is ProblemFormat.json:
        from msgspec.structs import asdict

        from igfcli.output.formats import json_text

        emit(json_text([asdict(p) for p in loaded.problems]))
    else:
        print_problems(loaded.problems)
    errors, warnings = len(loaded.errors), len(loaded.warnings)
    evidence = loaded.evidence
    files = (
        f"{count(len(evidence.trials), 'trial record')} and {count(len(evidence.agents), 'agent')}"
        if evidence
        else "nothing"
    )
    # named as the problems name their files: relative to here, so the line is the same in every checkout
    shown = ", ".join(safe_text(display_path(folder, folder)) for folder in folders)
    sys.stderr.write(f"{shown}: {count(errors, 'error')}, {count(warnings, 'warning')} ({files} loaded)\n")
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_CHECK_FAILED)


@takes(DATA, FILTERS, OUTPUT)
def trials(source: DataSource, *, filters: Filters, out: Output) -> None:
    """List the trials: regimen, phase, histologies, enrolment, responses and 12-week PFS.

    Example: igf trials --histology ewing --format csv
    """
    from igfcli.analyses.listings import trials_listing

    emit_listing(trials_listing(select(load_checked(source), filters)), out, filters)


@takes(DATA, OUTPUT)
def show(
    trial_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The trial's id (its file name without .yaml), in any case.",
            autocompletion=complete_trial_ids,
        ),
    ],
    source: DataSource,
    *,
    out: Output,
) -> None:
    """Everything about one trial: figures (saying which were derived), cohorts and sources.

    Example: igf show pappo-2014-r1507-sarcoma
    """
    from igfcli.analyses.detail import trial_detail
    from igfcli.names import id_key

    evidence = load_checked(source)
    # in any case or Unicode form, as ids are unique: the one trial whose id it names
    matches = [t for t in evidence.trials if id_key(t.id) == id_key(trial_id)]
    if not matches:
        import difflib

        close = difflib.get_close_matches(trial_id, [t.id for t in evidence.trials], n=1)
        fail(
            f"no trial with id '{trial_id}'"
            + (f"; did you mean {close[0]}?" if close else "; igf trials lists the ids")
        )
    detail = trial_detail(evidence, matches[0])
    if out.fmt is Format.json:
        from igfcli.output.formats import json_text, plain

        emit(json_text(plain(detail)))
        return
    from igfcli.output.show import show_listing

    emit_listing(show_listing(detail), out)


@takes(DATA, AGENT_FILTERS, OUTPUT)
def agents(source: DataSource, *, filters: Filters, out: Output) -> None:
    """The agent catalog: codes, class, sponsor, program status, and the trials the data holds.

    Example: igf agents --class "anti-IGF-1R antibody" --format markdown
    """
    from igfcli.analyses.listings import agents_listing

    emit_listing(agents_listing(select(load_checked(source), filters)), out, filters)
