"""The curators' tools: the record schema, a new record, records from the registry."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from igfcli.commands.completion import complete_agents
from igfcli.commands.options import DATA, DataSource, takes
from igfcli.commands.plumbing import bad_value, emit, fail, print_problems
from igfcli.curation.schema import SchemaKind
from igfcli.errors import BadValue, IgfError, shown_path
from igfcli.model import Catalog, Phase
from igfcli.output.text import safe_text


def _catalog(source: DataSource) -> Catalog:
    """The folder's agent catalog; stop (exit 2) when agents.yaml is missing or has errors."""
    from igfcli.records.folder import AGENTS_FILE, display_path, load

    folder = source.folder
    loaded = load(folder, use_cache=source.use_cache)
    catalog_file = display_path(folder / AGENTS_FILE, folder)
    shown = display_path(folder, folder)
    problems = [p for p in loaded.errors if p.path in (catalog_file, shown)]
    if problems or loaded.evidence is None:
        print_problems(problems or loaded.errors)
        fail(f"{shown_path(folder)}: the agent catalog ({AGENTS_FILE}) could not be read; fix it first")
    return Catalog(loaded.evidence.agents)


def _writable(folder: Path) -> None:
    """Stop (exit 2) before writing records into the evidence base installed with igf."""
    from igfcli.records.folder import installed_data

    installed = installed_data()
    if installed is not None and folder.resolve() == installed:
        fail(
            f"{folder} is the evidence base installed with igf, which an upgrade replaces; "
            "write records into a folder of your own with --data (or IGF_DATA)"
        )


def _ids_taken(source: DataSource) -> dict[str, Path]:
    """The records' files by the key of their ids, in every --data folder: the folders are read as
    one, so an id another of them holds is taken too (the first folder's files first)."""
    taken: dict[str, Path] = {}
    for folder in reversed(source.folders):
        taken.update(_record_ids(folder))
    return taken


def _record_ids(folder: Path) -> dict[str, Path]:
    """The records' files by the key of their ids (model.id_key); stop (exit 2) when part of the
    folder cannot be read, since an id taken there could not be seen."""
    from igfcli.errors import Problem
    from igfcli.names import id_key
    from igfcli.records.folder import trial_files

    problems: list[Problem] = []
    files = trial_files(folder, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        print_problems(errors)
        fail(f"{shown_path(folder)}: the ids already taken cannot all be seen; nothing was written")
    return {id_key(path.stem): path for path in files}


def _taken(trial_id: str, by: Path) -> str:
    """Why an id is refused: another record has it (or an id that is one with it)."""
    from igfcli.names import how_alike

    same = by.stem == trial_id
    return f"'{trial_id}' is already the id of {by}" + (
        "" if same else f" (ids that differ {how_alike(trial_id, by.stem)} name one trial)"
    )


INIT_README = """\
# Trial records for igf

One YAML file per trial, and `agents.yaml`, the agent catalog (a copy of the one
bundled with igf: add an agent there before a record names it). Start a record
with `igf new ID --data {folder} ...` or `igf import ctgov FILE --data {folder}`,
check the folder with `igf validate --data {folder}`, and read it with any
command: `igf rank --data {folder}`. Give `--data` twice (or IGF_DATA=a:b) to
read this folder together with another, the bundled one say.

The record format is described in docs/format.md of igf's source; `igf schema
trial` prints its JSON Schema for editors.
"""


def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The new data folder.")],
    with_bundled: Annotated[
        bool, typer.Option("--with-bundled", help="Copy the bundled trial records too.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files of the same names in DIR.")] = False,
) -> None:
    """Start a data folder of your own, ready for igf new and igf validate.

    It holds the bundled agent catalog and a short README (and with --with-bundled, the
    bundled trial records).

    Example: igf init my-trials
    """
    from igfcli.names import id_key
    from igfcli.output.files import write_all
    from igfcli.records.folder import AGENTS_FILE, bundled_data, trial_files

    bundled = bundled_data()
    files = {AGENTS_FILE: (bundled / AGENTS_FILE).read_text(encoding="utf-8")}
    files["README.md"] = INIT_README.format(folder=folder)
    if with_bundled:
        files.update({p.name: p.read_text(encoding="utf-8") for p in trial_files(bundled)})
    if folder.exists() and not folder.is_dir():
        fail(f"{folder}: is not a folder")
    taken = [name for name in files if (folder / name).exists()]
    if taken and not force:
        fail(
            f"{folder}: already holds {', '.join(sorted(taken)[:3])}{' ...' if len(taken) > 3 else ''}; "
            "use --force to overwrite, or name a new folder"
        )
    if with_bundled and folder.is_dir():
        # a record of another name with one of these ids (Juergens-... for juergens-...): --force
        # replaces files, it does not make two records of one trial
        ids = _record_ids(folder)
        for name in files:
            other = (
                ids.get(id_key(Path(name).stem)) if name.endswith(".yaml") and name != AGENTS_FILE else None
            )
            if other is not None and other != folder / name:
                fail(_taken(Path(name).stem, other) + "; nothing was written")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # every file or none: a failure half way leaves the folder as it was
        write_all([(folder / name, text) for name, text in files.items()], force=force)
    except IgfError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{folder}: cannot be created: {exc.strerror or exc}")
    records = len(files) - 2
    emit(
        f"wrote {folder}: {AGENTS_FILE}, README.md"
        + (f" and {records} trial records" if records else "")
        + "\n"
    )


def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(
            metavar="KIND", help="Which file kind: trial (a trial record) or agents (agents.yaml)."
        ),
    ] = SchemaKind.trial,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a trial record or of agents.yaml, for editors.

    Save it beside the records and name it in a comment on a record's first line,
    `# yaml-language-server: $schema=trial.schema.json`, for completion and checking
    while typing. The schema checks shape and types; igf validate checks the rest.

    Example: igf schema trial > trial.schema.json
    """
    from igfcli.curation.schema import schema_text

    emit(schema_text(kind.value))


@takes(DATA)
def new_trial(
    trial_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The new record's id and file name: author-year-agent-topic, in ASCII letters and digits.",
        ),
    ],
    regimen: Annotated[
        list[str],
        typer.Option(
            "--regimen",
            help="The agents, by name or code from the catalog: the option repeated, or comma-separated "
            "(a code that holds a comma, CP-751,871, is one agent).",
            autocompletion=complete_agents,
        ),
    ],
    phase: Annotated[Phase, typer.Option("--phase", help="The trial's phase.")],
    title: Annotated[str, typer.Option("--title", help="The trial's title, as published.")],
    citation: Annotated[
        str, typer.Option("--citation", help="The first source: a citation of the publication.")
    ],
    condition: Annotated[str | None, typer.Option("--condition", help="The disease, e.g. sarcoma.")] = None,
    histology: Annotated[
        list[str] | None, typer.Option("--histology", help="A histology, e.g. 'Ewing sarcoma'; repeatable.")
    ] = None,
    enrolled: Annotated[int | None, typer.Option("--enrolled", min=0, help="Patients enrolled.")] = None,
    nct: Annotated[str | None, typer.Option("--nct", help="The source's ClinicalTrials.gov id.")] = None,
    pmid: Annotated[str | None, typer.Option("--pmid", help="The source's PubMed id.")] = None,
    doi: Annotated[str | None, typer.Option("--doi", help="The source's DOI.")] = None,
    *,
    source: DataSource,
) -> None:
    """Write a new trial record into the data folder, with every optional field as a commented hint.

    The record is valid as written; each hint holds TODO, which igf validate refuses
    until it is filled in. An id that is already taken, an agent the catalog does not
    know, or a value igf validate would refuse (an empty title, a malformed NCT id) is
    refused, and nothing is written.

    Example: igf new doe-2012-figi --data my-trials --regimen CP-751871 --phase 2 --title t --citation c
    """
    from igfcli.curation.scaffold import (
        NewTrial,
        check_id,
        new_record,
        record_errors,
        regimen_labels,
        resolve_regimen,
    )
    from igfcli.output.files import write_atomic

    try:
        check_id(trial_id)
    except BadValue as exc:
        fail(str(exc))
    folder = source.folder
    _writable(folder)
    try:
        catalog = _catalog(source)  # loads the folder: once, for the regimen and the record's check
        names = resolve_regimen(regimen_labels(regimen, catalog), catalog)
    except BadValue as exc:
        bad_value(exc)
    from igfcli.names import id_key

    taken = _ids_taken(source).get(id_key(trial_id))
    if taken is not None:
        fail(_taken(trial_id, taken))
    identifiers = {key: value for key, value in (("doi", doi), ("pmid", pmid), ("nct", nct)) if value}
    text = new_record(
        NewTrial(
            id=trial_id,
            title=title,
            regimen=names,
            phase=phase.value,
            citation=citation,
            condition=condition,
            histologies=tuple(histology or ()),
            enrolled=enrolled,
            identifiers=identifiers,
        )
    )
    target = folder / f"{trial_id}.yaml"
    said = []
    for problem in record_errors(text, target.name, catalog):  # each named by the option that gave it
        option = re.sub(r"\[\d+\]", "", problem.field).rsplit(".", 1)[-1]
        option = {"id": "ID", "histologies": "--histology"}.get(option, f"--{option}")
        said.append(f"{option}: {problem.message}")
    if said:  # a line for each, the last saying that nothing was written
        sys.stderr.write("".join(f"igf: error: {safe_text(line)}\n" for line in said[:-1]))
        fail(f"{said[-1]}; nothing was written")
    try:
        write_atomic(target, text)
    except IgfError as exc:
        fail(str(exc))
    emit(f"wrote {safe_text(str(target))}\n")


@takes(DATA)
def import_ctgov(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help='ClinicalTrials.gov API v2 JSON: one study, or a page {"studies": [...]}; - reads stdin.',
        ),
    ],
    *,
    source: DataSource,
    force: Annotated[bool, typer.Option("--force", help="Overwrite records that already exist.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the records instead of writing them.")
    ] = False,
    every_study: Annotated[
        bool,
        typer.Option("--all", help="Also write studies none of whose interventions is in the agent catalog."),
    ] = False,
) -> None:
    """Write a trial record skeleton for each ClinicalTrials.gov study into the data folder.

    Each skeleton has the registry's title, phase, conditions, identifiers, lead sponsor,
    status (and why it stopped), enrolment if ACTUAL, and the interventions mapped to the
    agent catalog by name, code or other name. What needs a curator is marked TODO and
    listed; such a record fails igf validate until it is finished. A study none of whose
    interventions the catalog knows is named and left out (--all writes it). Every record
    is written or none: nothing is written when any file cannot be read (or is over
    128 MiB), a record exists (without --force), or any write fails.

    Example: igf import ctgov --dry-run --data my-trials study.json
    """
    from igfcli.curation.ctgov import clashes, skeletons
    from igfcli.curation.registry import RegistryError, read_source, read_studies
    from igfcli.output.files import write_all

    if "" in files:  # an unset $FILE in a script: as --data and every other path, refused
        fail("FILE: an empty path names no file ('-' is standard input)")
    studies, messages = [], []
    stdin = getattr(sys.stdin, "buffer", None)  # None when started with standard input closed
    for name in files:
        shown = "<stdin>" if name == "-" else shown_path(name)
        try:
            found = read_studies(read_source(name, stdin), shown)
        except RegistryError as exc:
            messages.extend(exc.messages)
            continue
        if not found:  # a page of none ({"studies": []}, []): a search that found nothing, say so
            messages.append(f"{shown}: no study in it")
        studies.extend(found)
    folder = source.folder
    catalog = _catalog(source)
    try:
        drafts = skeletons(studies, catalog) if not messages else []
    except RegistryError as exc:
        messages.extend(exc.messages)
    if messages:
        sys.stderr.write("".join(f"{safe_text(m)}\n" for m in messages))
        fail("nothing was imported")
    if not every_study:
        from igfcli.curation.ctgov import map_regimen

        kept = []
        for draft in drafts:
            if map_regimen(draft.study, catalog)[0]:
                kept.append(draft)
            else:
                sys.stderr.write(
                    f"igf: {draft.study.nct_id}: none of its interventions is in the agent catalog, "
                    "so no record was written (--all writes one)\n"
                )
        drafts = kept
    if dry_run:
        emit("---\n".join(f"# {safe_text(str(folder / (d.id + '.yaml')))}\n{d.text}" for d in drafts))
        return
    _writable(folder)
    refused = clashes(drafts, folder, _ids_taken(source), force)
    if refused:
        sys.stderr.write("".join(f"{safe_text(c)}\n" for c in refused))
        fail("nothing was imported" + ("" if force else "; use --force to overwrite"))
    try:  # every record or none
        write_all([(folder / f"{d.id}.yaml", d.text) for d in drafts], force=force)
    except IgfError as exc:
        sys.stderr.write(f"{safe_text(str(exc))}\n")
        fail("nothing was imported")
    for draft in drafts:
        emit(f"wrote {safe_text(str(folder / f'{draft.id}.yaml'))} ({draft.study.nct_id})\n")
        for item in draft.to_finish:
            emit(f"  TODO {safe_text(item)}\n")
