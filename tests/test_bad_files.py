"""Bad inputs too big, too odd or too tied to the file system to commit: each made here, in tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml

from igfcli.records import yamldoc
from tests.corpus import RECORDS, VALID, assert_refused, data_folder, summary
from tests.helpers import igf

LOADERS = [pytest.param(yaml.SafeLoader, id="python")]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.insert(0, pytest.param(yaml.CSafeLoader, id="libyaml"))

HEAD = 'id: {id}\ntitle: Alphamab in Ewing sarcoma\nregimen: [alphamab]\nphase: "2"\n'
SOURCES = "sources:\n  - citation: Doe J. Made-up Journal. 2010;1:1-2\n"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # messages name files relative to the working folder: work in tmp_path so they read data/...
    monkeypatch.chdir(tmp_path)


def record(data: Path, name: str, body: str = "", *, id: str | None = None) -> Path:
    path = data / f"{name}.yaml"
    path.write_text(HEAD.format(id=id or name) + body + SOURCES, encoding="utf-8")
    return path


def assert_loads(data: Path | str, trials: int, agents: int = 3) -> None:
    checked = igf("validate", "--data", data)
    assert (checked.exit_code, checked.stderr) == (0, summary(0, 0, trials, agents, str(data)))
    listed = igf("trials", "--data", data, "--format", "csv")
    assert listed.exit_code == 0, listed.stderr


# --- the data folder ------------------------------------------------------------------------


def test_data_folder_missing() -> None:
    checked = igf("validate", "--data", "nowhere")
    assert (checked.exit_code, checked.stderr) == (
        1,
        "nowhere: data folder not found\n" + summary(1, 0, None, folder="nowhere"),
    )
    listed = igf("trials", "--data", "nowhere")
    assert (listed.exit_code, listed.stdout) == (2, "")
    assert listed.stderr.startswith("nowhere: data folder not found\nigf: error: 1 error in the data")


def test_data_path_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "trial.yaml").write_text("id: x\n")
    checked = igf("validate", "--data", "trial.yaml")
    assert (checked.exit_code, checked.stderr) == (
        1,
        "trial.yaml: not a folder; --data names a folder\n" + summary(1, 0, None, folder="trial.yaml"),
    )
    assert igf("trials", "--data", "trial.yaml").exit_code == 2


def test_missing_catalog(tmp_path: Path) -> None:
    data = data_folder(tmp_path, VALID, catalog=None)
    assert_refused(
        "data",
        [
            "data/agents.yaml: missing: a data folder needs agents.yaml, the agent catalog",
            # without a catalog a regimen cannot be checked, so the record itself is not blamed
        ],
        agents=0,
        trials=1,
    )
    assert data.is_dir()


def test_catalog_that_is_a_folder(tmp_path: Path) -> None:
    data = data_folder(tmp_path, catalog=None)
    (data / "agents.yaml").mkdir()
    assert_refused("data", ["data/agents.yaml: is a folder, not a record file"], agents=0)


# --- files that clash -----------------------------------------------------------------------


def test_ids_clash_across_subfolders(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    for sub in ("2010", "2011"):
        (data / sub).mkdir()
        record(data / sub, "same-trial")
    assert_refused(
        "data",
        ["data/2011/same-trial.yaml:1:5: id: 'same-trial' is also the id of data/2010/same-trial.yaml"],
        trials=1,
    )


def test_yaml_and_yml_with_one_id_clash(tmp_path: Path) -> None:
    data = data_folder(tmp_path, VALID)
    (data / "trial-a.yml").write_bytes(VALID.read_bytes())
    assert_refused(
        "data", ["data/trial-a.yml:1:5: id: 'trial-a' is also the id of data/trial-a.yaml"], trials=1
    )


# --- the file system ------------------------------------------------------------------------


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI runs as root, whom chmod 000 does not stop; refuse the open itself instead
    data_folder(tmp_path, VALID)
    from igfcli.records import folder

    def deny(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file).name == "trial-a.yaml":
            raise PermissionError(13, "Permission denied", str(file))
        return open(file, *args, **kwargs)

    # the loader's own `open`, which reads every record file
    monkeypatch.setattr(folder, "open", deny, raising=False)
    assert_refused("data", ["data/trial-a.yaml: cannot be read: Permission denied"])


def test_fifo_named_like_a_record_is_refused_not_read(tmp_path: Path) -> None:
    # reading a pipe nobody writes to would wait for ever: run the real command with a deadline
    data = data_folder(tmp_path)
    os.mkfifo(data / "pipe.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "igfcli", "validate", "--data", "data"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert (done.returncode, done.stderr) == (
        1,
        "data/pipe.yaml: is not a regular file (a pipe, socket or device); a record is a file\n"
        + summary(1, 0, 0, 3),
    )


def test_broken_symlink(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    (data / "gone.yaml").symlink_to("elsewhere/gone.yaml")
    assert_refused(
        "data",
        ["data/gone.yaml: is a symbolic link to elsewhere/gone.yaml, which does not exist; remove or fix it"],
    )


def test_symlink_loop(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    (data / "a.yaml").symlink_to("b.yaml")
    (data / "b.yaml").symlink_to("a.yaml")
    loop = "is a symbolic link that loops back on itself; remove it or point it at a file"
    assert_refused("data", [f"data/a.yaml: {loop}", f"data/b.yaml: {loop}"])


def test_folder_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    data = data_folder(tmp_path, VALID)
    (data / "again").symlink_to(".", target_is_directory=True)
    assert_loads("data", trials=1)


def test_symlink_to_a_record_is_read(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    (data / "trial-a.yaml").symlink_to(VALID)
    assert_loads("data", trials=1)


def test_folder_named_like_a_record_is_walked_into(tmp_path: Path) -> None:
    # x.yaml/ is a folder like any other: its records are read, the folder itself is not a record
    data = data_folder(tmp_path)
    (data / "x.yaml").mkdir()
    record(data / "x.yaml", "inside")
    assert_loads("data", trials=1)


def test_file_names_with_spaces_and_non_ascii_letters(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    record(data, "jürgens 2011")
    record(data, "schöffski 2013", "enroled: 3\n")
    assert_refused(
        "data",
        ["data/schöffski 2013.yaml:5:1: enroled: unknown key 'enroled'; did you mean 'enrolled'?"],
        trials=1,
    )


def test_byte_order_mark_alone_is_harmless(tmp_path: Path) -> None:
    # Windows editors write one; it carries no data, so it is dropped rather than refused
    data = data_folder(tmp_path)
    (data / "trial-a.yaml").write_bytes(b"\xef\xbb\xbf" + VALID.read_bytes())
    assert_loads("data", trials=1)


# --- size and shape -------------------------------------------------------------------------


def test_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    with open(data / "huge.yaml", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written
    started = time.perf_counter()
    assert_refused("data", ["data/huge.yaml: file is 52,428,800 bytes, more than the limit of 1,048,576"])
    assert time.perf_counter() - started < 1.0


def test_file_just_over_the_limit_is_refused_even_if_parse_is_called_directly() -> None:
    raw = b"#" * (yamldoc.MAX_FILE_BYTES + 1)
    doc, problems = yamldoc.parse("big.yaml", raw)
    assert doc is None
    assert [str(p) for p in problems] == [
        "big.yaml: file is 1,048,577 bytes, more than the limit of 1,048,576"
    ]


@pytest.mark.parametrize("loader", LOADERS)
def test_line_of_a_million_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: type) -> None:
    monkeypatch.setattr(yamldoc, "_Loader", loader)
    data = data_folder(tmp_path)
    record(data, "long-notes", "notes: " + "x" * 1_000_000 + "\n")
    started = time.perf_counter()
    assert_loads("data", trials=1)
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("nesting", "where"),
    [
        pytest.param("notes: " + "[" * 100_000 + "]" * 100_000 + "\n", "5:39", id="flow-100000"),
        pytest.param(
            "notes:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 200)) + " " * 200 + "end\n",
            "37:33",
            id="block-200",
        ),
        pytest.param("notes:\n" + "- " * 5000 + "x\n", "6:63", id="dashes-5000"),
    ],
)
def test_deep_nesting_is_refused_alike_by_both_parsers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: type, nesting: str, where: str
) -> None:
    monkeypatch.setattr(yamldoc, "_Loader", loader)
    data = data_folder(tmp_path)
    record(data, "deep", nesting)
    assert_refused("data", [f"data/deep.yaml:{where}: notes: nesting deeper than 32 levels"])


@pytest.mark.parametrize("loader", LOADERS)
def test_billion_laughs_ends_at_once_in_flat_memory(monkeypatch: pytest.MonkeyPatch, loader: type) -> None:
    monkeypatch.setattr(yamldoc, "_Loader", loader)
    raw = (RECORDS / "billion-laughs.yaml").read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    doc, problems = yamldoc.parse("laughs.yaml", raw)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert doc is None
    assert [str(p) for p in problems] == [
        "laughs.yaml:1:4: a: anchors and aliases (&name / *name) are not supported; write the value out"
    ]
    assert elapsed < 0.5
    assert peak < 2 * 1024 * 1024


def test_python_tag_is_never_constructed(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    marker = tmp_path / "constructed"
    record(data, "tag", f'notes: !!python/object/apply:os.mkdir ["{marker}"]\n')
    assert igf("validate", "--data", "data").exit_code == 1
    assert igf("trials", "--data", "data").exit_code == 2
    assert not marker.exists()
