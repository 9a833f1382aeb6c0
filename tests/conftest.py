"""Shared test set-up: a fixed terminal width, no colour, and paths to the fixture folders."""

from __future__ import annotations

from pathlib import Path

import pytest

# the shared helpers assert too; show their failures in full
pytest.register_assert_rewrite("tests.corpus", "tests.helpers")

TESTS = Path(__file__).parent
DATA = TESTS / "data"
REPO = TESTS.parent


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # rich reads these; pinning them makes table output the same on every machine
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "50")
    monkeypatch.delenv("IGF_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    # the parse cache of every run goes to a folder of the test session's, never the user's
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache-home"))
    monkeypatch.delenv("IGF_NO_CACHE", raising=False)
