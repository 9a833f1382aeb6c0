"""The data folder on a real file system: what cannot be read, links to folders, upper-case names and
ids that are one trial's. Nothing in the folder is dropped without a message naming it."""

from __future__ import annotations

import errno
import os
import pathlib
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import VALID, assert_refused, summary
from tests.helpers import data_folder, igf

HEAD = 'id: {id}\ntitle: Alphamab in Ewing sarcoma\nregimen: [alphamab]\nphase: "2"\n'
SOURCES = "sources:\n  - citation: Doe J. Made-up Journal. 2010;1:1-2\n"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def record(folder: Path, name: str, trial_id: str | None = None, suffix: str = ".yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}{suffix}"
    path.write_text(HEAD.format(id=trial_id or name) + SOURCES, encoding="utf-8")
    return path


# --- what cannot be read ----------------------------------------------------------------------------


def shut(folder: Path, mode: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give `folder` the permissions `mode` (0o111: entered, not listed; 0o000: not even entered).

    Root reads every folder whatever its mode (CI runs as root), so there the refusals the
    kernel would give are raised at the calls that would meet them.
    """
    if os.geteuid() != 0:  # pragma: no cover - CI runs as root
        folder.chmod(mode)  # pytest's clean-up of tmp_path restores what it needs to remove it
        return
    shut_off = os.path.abspath(folder)

    def below(path: object) -> bool:
        text = os.path.abspath(os.fsdecode(path))  # type: ignore[arg-type]
        return text.startswith(shut_off + os.sep)

    def refuse(path: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))  # type: ignore[arg-type]

    real = {name: getattr(os, name) for name in ("scandir", "stat", "lstat")}
    real_open = pathlib.Path.open

    def scandir(path: Any = ".") -> Any:
        if os.path.abspath(path) == shut_off or below(path):
            refuse(path)
        return real["scandir"](path)

    def checked(name: str) -> Any:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if mode == 0o000 and isinstance(path, (str, bytes, os.PathLike)) and below(path):
                refuse(path)
            return real[name](path, *args, **kwargs)

        return call

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if mode == 0o000 and below(self):
            refuse(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", checked("stat"))
    monkeypatch.setattr(os, "lstat", checked("lstat"))
    monkeypatch.setattr(pathlib.Path, "open", open_)


@pytest.mark.parametrize("mode", [0o111, 0o000], ids=["mode-111", "mode-000"])
def test_a_data_folder_that_cannot_be_read_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    data = data_folder(tmp_path, VALID)
    shut(data, mode, monkeypatch)
    for run in (igf("validate", env={"IGF_DATA": "data"}), igf("validate", "--data", "data", "--no-cache")):
        assert "Traceback" not in run.stderr
        assert run.exit_code == 1
        assert "data: cannot be read: Permission denied" in run.stderr, run.stderr
    ranked = igf("rank", "--data", "data")
    assert (ranked.exit_code, ranked.stdout) == (2, "")
    assert "Traceback" not in ranked.stderr


@pytest.mark.parametrize("mode", [0o111, 0o000], ids=["mode-111", "mode-000"])
def test_a_subfolder_that_cannot_be_read_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    data = data_folder(tmp_path, VALID)
    record(data / "more", "doe-2011")
    shut(data / "more", mode, monkeypatch)
    assert_refused(
        "data", ["data/more: cannot be read: Permission denied; its records were not loaded"], trials=1
    )


# --- links to folders ------------------------------------------------------------------------------


def test_a_linked_subfolder_is_followed(tmp_path: Path) -> None:
    data = data_folder(tmp_path, VALID)
    record(tmp_path / "elsewhere" / "2011", "doe-2011")
    (data / "shared").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    checked = igf("validate", "--data", "data")
    assert (checked.exit_code, checked.stderr) == (0, summary(0, 0, 2, 3))
    listed = igf("trials", "--data", "data", "-f", "csv")
    assert "doe-2011" in listed.stdout


def test_a_link_that_would_loop_is_named_and_not_followed(tmp_path: Path) -> None:
    # a link to the folder that holds the data folder would read it again, and again
    data = data_folder(tmp_path, VALID)
    (data / "up").symlink_to(tmp_path, target_is_directory=True)
    outside = tmp_path / "elsewhere"
    record(outside, "doe-2011")
    (outside / "again").symlink_to(outside, target_is_directory=True)  # a loop of its own
    (data / "shared").symlink_to(outside, target_is_directory=True)
    warning = "data/up: warning: is a link to a folder that holds the data folder; not followed"
    checked = igf("validate", "--data", "data")
    assert (checked.exit_code, checked.stderr) == (0, f"{warning}\n" + summary(0, 1, 2, 3))


def test_a_link_to_a_folder_already_read_adds_nothing(tmp_path: Path) -> None:
    data = data_folder(tmp_path, VALID)
    record(data / "2011", "doe-2011")
    (data / "latest").symlink_to(data / "2011", target_is_directory=True)
    checked = igf("validate", "--data", "data")
    assert (checked.exit_code, checked.stderr) == (0, summary(0, 0, 2, 3))


# --- names -----------------------------------------------------------------------------------------


def test_upper_case_yaml_names_are_records(tmp_path: Path) -> None:
    data = data_folder(tmp_path, VALID)
    record(data, "doe-2011", suffix=".YAML")
    record(data / "sub", "roe-2012", suffix=".Yml")
    checked = igf("validate", "--data", "data")
    assert (checked.exit_code, checked.stderr) == (0, summary(0, 0, 3, 3))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("doe-2011", "Doe-2011"),
        (unicodedata.normalize("NFC", "müller-2011"), unicodedata.normalize("NFD", "müller-2011")),
        ("doe-2011", "ｄｏｅ-2011"),
    ],
    ids=["case", "normal-form", "fullwidth"],
)
def test_ids_that_differ_only_in_case_or_normal_form_are_one_trial(
    tmp_path: Path, first: str, second: str
) -> None:
    data = data_folder(tmp_path)
    record(data / "a", first)
    record(data / "b", second)
    assert_refused(
        "data",
        [
            f"data/b/{second}.yaml:1:5: id: '{second}' differs only in case or Unicode form from "
            f"'{first}', the id of data/a/{first}.yaml; they name one trial: rename one",
        ],
        trials=1,
    )


@pytest.mark.parametrize(
    ("second", "named"),
    [("doe\u034f-2011", "U+034F"), ("Doe-2011\ufe0f", "U+FE0F"), ("doe-\u115f2011", "U+115F")],
    ids=["grapheme-joiner", "variation-selector-and-case", "hangul-filler"],
)
def test_an_id_that_differs_by_a_character_shown_as_nothing_says_which(
    tmp_path: Path, second: str, named: str
) -> None:
    # not "case or Unicode form": the difference is a character no reader can see, so it is named
    data = data_folder(tmp_path)
    record(data / "a", "doe-2011")
    record(data / "b", second)
    assert_refused(
        "data",
        [
            f"data/b/{second}.yaml:1:5: id: '{second}' differs only in case, Unicode form or characters "
            f"shown as nothing ({named}) from 'doe-2011', the id of data/a/doe-2011.yaml; they name one "
            "trial: rename one",
        ],
        trials=1,
    )
    # igf new takes ASCII ids only, but the record already there may have any
    (data / "a" / "doe-2011.yaml").unlink()
    made = igf(
        "new", "doe-2011", "--data", data, "--regimen", "AM-1", "--phase", "2", "--title", "T", "--citation", "C",
    )  # fmt: skip
    assert made.exit_code == 2
    assert made.stderr.endswith(
        f"(ids that differ only in case, Unicode form or characters shown as nothing ({named}) name one trial)\n"
    )


@pytest.mark.parametrize("elsewhere", [False, True], ids=["a-subfolder", "another-data-folder"])
def test_new_refuses_an_id_that_differs_only_in_case(tmp_path: Path, elsewhere: bool) -> None:
    # held in a subfolder of the data, or in another --data folder: the folders are read as one
    data = data_folder(tmp_path, name="a")
    holder = data_folder(tmp_path, name="b") if elsewhere else data / "2011"
    record(holder, "doe-2011-alphamab")
    folders = ["--data", data, *(["--data", holder] if elsewhere else [])]
    made = igf(
        "new", "Doe-2011-Alphamab", *folders, "--regimen", "AM-1", "--phase", "2", "--title", "T", "--citation", "C",
    )  # fmt: skip
    assert made.exit_code == 2
    assert made.stderr == (
        f"igf: error: 'Doe-2011-Alphamab' is already the id of {holder / 'doe-2011-alphamab.yaml'} "
        "(ids that differ only in case or Unicode form name one trial)\n"
    )
    assert not (data / "Doe-2011-Alphamab.yaml").exists()
