"""Several data folders read as one evidence base (--data given more than once, or IGF_DATA=a:b).

Each folder is loaded on its own, with its own catalog and parse cache; then an agent defined
identically in two catalogs is one agent, an agent defined differently is an error naming both
places, and a trial id found in two folders is an error naming both files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from igfcli.errors import BadValue, Problem
from igfcli.model import Agent, Evidence, Trial
from igfcli.names import id_key, name_key
from igfcli.records.folder import AGENTS_FILE, DATA_ENV, Loaded, bundled_data, display_path, id_clash, load


def resolve_folders(data: Sequence[str | os.PathLike[str]] | None) -> list[Path]:
    """Every --data, else the folders of $IGF_DATA (separated by the system's path separator, ':'),
    else the bundled records."""
    if data:
        return _once([Path(d) for d in data])
    from_env = os.environ.get(DATA_ENV)
    if from_env:
        folders = _once([Path(part) for part in from_env.split(os.pathsep) if part])
        if not folders:  # ":", as "$A:" gives with $A unset: no data, which must not pass for none found
            raise BadValue(
                DATA_ENV,
                f"{from_env!r} names no folder; name one or more, separated by '{os.pathsep}', "
                "or unset it to read the bundled records",
            )
        return folders
    return [bundled_data()]


def _once(folders: list[Path]) -> list[Path]:
    """The folders without a repeat of one already named (`data` and `data/`, or a link to it):
    read twice, each of its trials would be a clash with itself."""
    seen: set[object] = set()
    out = []
    for folder in folders:
        try:  # one folder by its device and inode, whatever path reaches it (one stat each)
            info = os.stat(folder)
            key: object = (info.st_dev, info.st_ino)
        except (OSError, ValueError):  # missing, unreadable, a name too long: loading will say
            key = os.path.normpath(os.path.abspath(folder))
        if key not in seen:
            seen.add(key)
            out.append(folder)
    return out


def load_all(folders: Sequence[Path], *, use_cache: bool = True) -> Loaded:
    """Load each folder and combine them; with one folder, exactly `load`."""
    if len(folders) == 1:
        return load(folders[0], use_cache=use_cache)
    problems: list[Problem] = []
    # by name_key, as a catalog compares its names: in any case, Unicode form or spacing
    agents: dict[str, tuple[Agent, str]] = {}  # name -> (agent, catalog that defined it)
    labels: dict[str, tuple[str, str]] = {}  # name or code -> (agent's name, its catalog)
    trials: dict[str, Trial] = {}  # by id_key: ids that differ only in case are one trial's
    for folder in folders:
        loaded = load(folder, use_cache=use_cache)
        problems += loaded.problems
        if loaded.evidence is None:
            continue
        catalog = display_path(folder / AGENTS_FILE, folder)
        clashes: list[tuple[str, str]] = []  # (name or code, what is wrong with it), located below
        for agent in loaded.evidence.agents:
            seen = agents.get(name_key(agent.name))
            if seen is None:
                agents[name_key(agent.name)] = (agent, catalog)
            elif seen[0] != agent:
                message = (
                    f"agent '{agent.name}' is also defined in {seen[1]}, differently; "
                    "define it once, or identically in both catalogs"
                )
                clashes.append((agent.name, message))
            for label in (agent.name, *agent.codes):
                named, where = labels.setdefault(name_key(label), (agent.name, catalog))
                if name_key(named) != name_key(agent.name):  # one code, two agents: which is meant?
                    said = f"'{label}' names {agent.name} here and {named} in {where}; give it to one agent"
                    clashes.append((label, said))
        placed = {}
        if clashes:  # only then: the catalog is read again, and its reader loaded, for the message
            from igfcli.records.agents import label_positions

            placed = label_positions(folder / AGENTS_FILE)
        unplaced = (None, None, "agents")
        problems += [Problem(catalog, *placed.get(name_key(label), unplaced), m) for label, m in clashes]
        for trial in loaded.evidence.trials:
            other = trials.get(id_key(trial.id))
            if other is not None:
                problems.append(id_clash(trial, other))
                continue
            trials[id_key(trial.id)] = trial
    evidence = Evidence(
        os.pathsep.join(str(f) for f in folders),
        tuple(agent for agent, _ in agents.values()),
        tuple(trials.values()),
    )
    problems.sort(key=lambda p: p.sort_key)
    return Loaded(evidence, problems)
