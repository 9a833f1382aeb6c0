"""Starting a data folder of one's own, and reading several folders as one evidence base."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA, REPO
from tests.helpers import data_folder, igf

SMALL = DATA / "small"


def test_init_starts_a_folder_that_validates(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    run = igf("init", folder)
    assert (run.exit_code, run.stdout) == (0, f"wrote {folder}: agents.yaml, README.md\n")
    assert (folder / "agents.yaml").read_text() == (REPO / "trials" / "agents.yaml").read_text()
    assert "igf validate --data" in (folder / "README.md").read_text()
    checked = igf("validate", "--data", folder)
    assert (checked.exit_code, checked.stderr.splitlines()[-1]) == (
        0,
        f"{folder}: 0 errors, 0 warnings (0 trial records and 12 agents loaded)",
    )
    # never over what is there without --force
    again = igf("init", folder)
    assert (again.exit_code, again.stderr) == (
        2,
        f"igf: error: {folder}: already holds README.md, agents.yaml; use --force to overwrite, "
        "or name a new folder\n",
    )
    assert igf("init", folder, "--force").exit_code == 0


def test_init_with_the_bundled_records_copies_them(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    assert igf("init", folder, "--with-bundled").exit_code == 0
    assert sorted(p.name for p in folder.glob("*.yaml")) == sorted(
        p.name for p in (REPO / "trials").glob("*.yaml")
    )
    assert igf("rank", "--data", folder, "-f", "csv").stdout == igf("rank", "-f", "csv").stdout


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_init_never_writes_a_second_record_of_one_trial(tmp_path: Path, force: list[str]) -> None:
    # a folder already holding the juergens record under another case of its id: even --force,
    # which replaces files of the same names, must not add juergens-... beside Juergens-...
    folder = tmp_path / "mine"
    folder.mkdir()
    text = (REPO / "trials" / "juergens-2011-figitumumab-ewing.yaml").read_text()
    mine = folder / "Juergens-2011-figitumumab-ewing.yaml"
    mine.write_text(text.replace("id: juergens", "id: Juergens"))
    run = igf("init", folder, "--with-bundled", *force)
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        f"igf: error: 'juergens-2011-figitumumab-ewing' is already the id of {mine} (ids that differ only "
        "in case or Unicode form name one trial); nothing was written\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == [mine.name]


def _second_folder(tmp_path: Path) -> Path:
    """A folder with the small catalog, identical, and one trial of its own."""
    text = (SMALL / "trial-a.yaml").read_text().replace("id: trial-a", "id: trial-c")
    return data_folder(tmp_path, name="second", texts={"trial-c.yaml": text})


def test_two_folders_read_as_one(tmp_path: Path) -> None:
    second = _second_folder(tmp_path)
    rows = json.loads(igf("trials", "--data", SMALL, "--data", second, "-f", "json").stdout)
    assert [r["id"] for r in rows] == ["trial-a", "trial-b", "trial-c"]
    # an agent defined identically in both catalogs is one agent
    agents = json.loads(igf("agents", "--data", SMALL, "--data", second, "-f", "json").stdout)
    assert {a["name"]: a["trials"] for a in agents}["alphamab"] == 3
    # IGF_DATA lists folders as PATH does
    env = {"IGF_DATA": f"{SMALL}{os.pathsep}{second}"}
    assert (
        igf("trials", "-f", "json", env=env).stdout
        == igf("trials", "--data", SMALL, "--data", second, "-f", "json").stdout
    )


def test_a_folder_named_twice_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(SMALL)
    once = igf("trials", "--data", SMALL, "-f", "json")
    for again in (f"{SMALL}/", "link", f"{SMALL}/../small"):
        assert igf("trials", "--data", SMALL, "--data", again, "-f", "json").stdout == once.stdout, again
        run = igf("trials", "-f", "json", env={"IGF_DATA": f"{SMALL}{os.pathsep}{again}"})
        assert (run.exit_code, run.stdout) == (0, once.stdout), again


@pytest.mark.parametrize("value", [os.pathsep, os.pathsep * 3])
@pytest.mark.parametrize(
    "args",
    [
        ["rank"],
        ["benchmark", "--check"],
        ["validate"],
        [
            "new",
            "doe-2010-alphamab",
            "--regimen",
            "alphamab",
            "--phase",
            "2",
            "--title",
            "T",
            "--citation",
            "C",
        ],
    ],
)
def test_an_igf_data_of_empty_entries_is_refused(value: str, args: list[str]) -> None:
    # "$A:" with $A unset: reading no folder (or the bundled ones) would pass for a result
    run = igf(*args, env={"IGF_DATA": value})
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        f"igf: error: IGF_DATA: {value!r} names no folder; name one or more, separated by "
        f"'{os.pathsep}', or unset it to read the bundled records\n"
    )


def test_a_trial_id_in_two_folders_is_an_error_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path, name="first", texts={"trial-a.yaml": (SMALL / "trial-a.yaml").read_text()})
    data_folder(tmp_path, SMALL / "trial-a.yaml", name="second")
    run = igf("validate", "--data", "first", "--data", "second")
    assert (run.exit_code, run.stderr) == (
        1,
        "second/trial-a.yaml:1:5: id: 'trial-a' is also the id of first/trial-a.yaml\n"
        "first, second: 1 error, 0 warnings (1 trial record and 3 agents loaded)\n",
    )


def test_an_agent_defined_differently_is_an_error_naming_both_catalogs(tmp_path: Path) -> None:
    second = _second_folder(tmp_path)
    catalog = second / "agents.yaml"
    catalog.write_text(catalog.read_text().replace("sponsor: Acme", "sponsor: Other", 1))
    run = igf("trials", "--data", SMALL, "--data", second)
    assert run.exit_code == 2
    # where in the second catalog, as every problem with a record says: path:line:col: field
    assert f"{second}/agents.yaml:2:11: agents[0].name: agent 'alphamab' is also defined in" in run.stderr
    assert "differently; define it once, or identically in both catalogs" in run.stderr
    shutil.rmtree(second)


@pytest.mark.parametrize("spelling", ["alpha\ufe0fmab", "alphamab\u00a0", "ALPHAMAB"])
def test_an_agent_spelled_as_it_looks_in_another_catalog_is_that_agent(tmp_path: Path, spelling: str) -> None:
    # a variation selector, a no-break space, another case: the same name, so defining it
    # otherwise in a second catalog is an error, not a second agent ranked beside the first
    second = _second_folder(tmp_path)
    catalog = second / "agents.yaml"
    catalog.write_text(catalog.read_text().replace("name: alphamab", f'name: "{spelling}"', 1))
    run = igf("trials", "--data", SMALL, "--data", second)
    assert run.exit_code == 2, run.stderr
    assert f"agents.yaml:2:11: agents[0].name: agent '{spelling}' is also defined in" in run.stderr
    shutil.rmtree(second)


def test_ids_that_differ_only_in_case_across_folders_are_one_trial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (SMALL / "trial-a.yaml").read_text().replace("id: trial-a", "id: Trial-A")
    data_folder(tmp_path, name="other", texts={"Trial-A.yaml": text})
    run = igf("validate", "--data", SMALL, "--data", "other")
    assert run.exit_code == 1
    assert run.stderr.startswith(
        "other/Trial-A.yaml:1:5: id: 'Trial-A' differs only in case or Unicode form from 'trial-a', the id of "
    )
    assert "they name one trial: rename one\n" in run.stderr
    # and nothing is counted twice: the analyses refuse the folders
    assert igf("rank", "--data", SMALL, "--data", "other").exit_code == 2


def test_a_code_that_two_catalogs_give_to_two_agents_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AM-1 is alphamab's code in the small catalog; another folder's catalog gives it to zetamab,
    # and a trial there names it: which agent that trial tested cannot be told
    monkeypatch.chdir(tmp_path)
    catalog = "agents:\n  - name: zetamab\n    codes: [AM-1]\n"
    text = (SMALL / "trial-a.yaml").read_text().replace("id: trial-a", "id: trial-z")
    text = text.replace("regimen: [alphamab]", "regimen: [AM-1]")
    assert "regimen: [AM-1]" in text
    data_folder(tmp_path, name="other", catalog=catalog, texts={"trial-z.yaml": text})
    run = igf("validate", "--data", SMALL, "--data", "other")
    assert run.exit_code == 1
    assert (
        "other/agents.yaml:3:13: agents[0].codes[0]: 'AM-1' names zetamab here and alphamab in " in run.stderr
    )
    assert igf("trials", "--data", SMALL, "--data", "other", "--agent", "AM-1").exit_code == 2
