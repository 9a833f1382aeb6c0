"""Shell completion of trial ids and agent names, read from the data folder being completed against."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def _folders(ctx: typer.Context) -> list[Path]:
    from igfcli.errors import BadValue
    from igfcli.records.combine import resolve_folders

    data: Any = ctx.params.get("data")
    try:
        return resolve_folders(data)
    except BadValue:  # IGF_DATA names no folder: nothing to complete from (the command will say why)
        return []


def complete_trial_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Trial ids (file names) that start with what has been typed."""
    from igfcli.records.folder import trial_files

    try:
        stems = sorted({path.stem for folder in _folders(ctx) for path in trial_files(folder)})
    except OSError:  # completion must never fail loudly in the middle of a command line
        return []
    return [stem for stem in stems if stem.startswith(incomplete)]


def complete_agents(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Agent names and codes that start with what has been typed (with the class or name as help)."""
    from igfcli.records import yamldoc
    from igfcli.records.folder import AGENTS_FILE

    entries: list[Any] = []
    for folder in _folders(ctx):
        path = folder / AGENTS_FILE
        try:
            doc, _ = yamldoc.parse(str(path), path.read_bytes())
        except OSError:
            continue
        listed = doc.data.get("agents") if doc is not None and isinstance(doc.data, dict) else None
        entries += listed if isinstance(listed, list) else []
    out: list[tuple[str, str]] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        name: str = entry["name"]
        codes = entry.get("codes")
        codes = codes if isinstance(codes, list) else []
        for label in (name, *(str(c) for c in codes)):
            if label.startswith(incomplete):  # Typer drops any other, as the shell would
                out.append((label, name if label != name else str(entry.get("class") or "")))
    return list(dict.fromkeys(out))
