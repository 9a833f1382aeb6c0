"""Every record the readers build keeps the promises tests/invariants.py writes out: the bundled
evidence base and every folder of test data (the property tests check generated records too)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from igfcli.model import Catalog
from igfcli.records.folder import bundled_data, load
from tests.conftest import DATA
from tests.invariants import sound_catalog, sound_result, sound_trial

FOLDERS = [bundled_data(), *sorted(p for p in DATA.iterdir() if (p / "agents.yaml").exists())]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_record_the_readers_build_is_sound(folder: Path) -> None:
    loaded = load(folder, use_cache=False)
    assert loaded.evidence is not None
    catalog_problems = [p for p in loaded.problems if p.path.endswith("agents.yaml")]
    sound_catalog(list(loaded.evidence.agents), catalog_problems)
    catalog = Catalog(loaded.evidence.agents)
    for trial in loaded.evidence.trials:
        stem = os.path.splitext(os.path.basename(trial.path))[0]
        sound_trial(trial, catalog, stem)
        warnings = [p for p in loaded.warnings if p.path == trial.path]
        sound_result(trial, [], warnings, catalog, stem)
    assert loaded.evidence.trials, "a folder of no records checks nothing"
