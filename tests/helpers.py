"""Running the command line in process, exactly as the `igf` script does, with stdout and stderr apart."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from igfcli.commands import run

SMALL_AGENTS = Path(__file__).parent / "data" / "small" / "agents.yaml"


def data_folder(
    at: Path,
    *files: Path,
    catalog: Path | str | bytes | None = SMALL_AGENTS,
    texts: dict[str, str | bytes] | None = None,
    name: str = "data",
) -> Path:
    """The one way tests build a data folder: `at/name` holding a catalog (a file to copy, or its
    text), copies of `files`, and files written from `texts` (name inside the folder -> content)."""
    import shutil

    data = at / name
    data.mkdir(parents=True)
    if isinstance(catalog, Path):
        shutil.copy(catalog, data / "agents.yaml")
    elif catalog is not None:
        (data / "agents.yaml").write_bytes(catalog.encode() if isinstance(catalog, str) else catalog)
    for file in files:
        shutil.copy(file, data / file.name)
    for inside, content in (texts or {}).items():
        target = data / inside
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
    return data


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def igf(*args: str | Path, env: dict[str, str] | None = None, input: str | bytes | None = None) -> Run:
    with CliRunner().isolation(input=input, env=env) as (stdout, stderr, _):
        try:
            code = run([str(a) for a in args])
        except SystemExit as exc:  # raised by a command as its own way out (a closed stdout, say)
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return Run(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def read_cache(path: Path) -> dict[str, Any]:
    """A parse-cache file (JSON lines: a header, one entry a record file, then its seal) as one
    mapping: the header's keys, and "entries" by each entry's key."""
    head, *lines, seal = path.read_text(encoding="utf-8").splitlines()
    assert seal.startswith("#seal ")
    entries = [json.loads(line) for line in lines]
    return {**json.loads(head), "entries": {e["key"]: e for e in entries}}


def write_cache(path: Path, content: dict[str, Any], key: bytes | None = None) -> None:
    """`read_cache`'s mapping written back as the cache writes it, sealed with `key` (with none,
    with the seal it had, which no longer fits what is above it)."""
    import hashlib

    old_seal = path.read_text(encoding="utf-8").splitlines()[-1]
    head = {k: v for k, v in content.items() if k != "entries"}
    lines = [json.dumps(head), *(json.dumps(e) for e in content["entries"].values())]
    body = "".join(line + "\n" for line in lines)
    if key is None:
        seal = old_seal
    else:
        seal = "#seal " + hashlib.blake2b(body.encode("utf-8"), key=key, digest_size=32).hexdigest()
    path.write_text(body + seal + "\n", encoding="utf-8")
