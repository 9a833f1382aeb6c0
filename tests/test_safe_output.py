"""Output that cannot hurt the reader or lose data: pipes, control bytes, formulas, narrow terminals, writes."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from igfcli.errors import OutputError
from igfcli.output import files as output
from igfcli.output.files import write_atomic
from tests.corpus import AGENTS
from tests.helpers import data_folder, igf

HOSTILE_AGENTS = """\
agents:
  - name: alphamab
    codes: [AM-1]
    class: "-2+3"
    sponsor: '=HYPERLINK("http://example.com/x","click")'
    parent: "@SUM(A1:A9)"
    status: halted
  - name: betinib
    class: IGF-1R kinase inhibitor
    sponsor: Subco
"""
# escapes spelled out in double quotes: a colour, a terminal-title sequence, a blink with a bell, a
# bidi override (a histology holds no ';', which separates a list's items: the title takes the
# title sequence)
HOSTILE_TRIAL = """\
id: hostile
title: "Alphamab \\e[31min\\e[0m Ewing\\u200b\\u200e\\u2028\\ufeff\\U000e0001 sarcoma\\e]0;owned\\a"
regimen: [alphamab]
phase: "2"
histologies: ["Ewing\\e[5m\\a sarcoma", "+cmd|' /C calc'!A0"]
enrolled: 10
response: {evaluable: 10, responders: 1}
sources:
  - citation: "Doe J.\\u202e Made-up Journal. 2010;1:1-2"
"""
# anything a terminal would act on, or a reader cannot see (controls, format characters, line
# and paragraph separators, surrogates, unassigned code points); tab and newline are the formats' own
_HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"}


def raw_control(text: str) -> str | None:
    """The first character of `text` that no output may hold raw, or None."""
    import unicodedata

    return next((ch for ch in text if ch not in "\t\n" and unicodedata.category(ch) in _HIDDEN), None)


FORMATS = ["table", "markdown", "csv", "tsv", "json"]


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return data_folder(tmp_path, catalog=HOSTILE_AGENTS, texts={"hostile.yaml": HOSTILE_TRIAL})


# --- control characters -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", [["trials"], ["show", "hostile"], ["agents"]])
def test_record_text_never_reaches_the_output_raw(hostile: Path, command: list[str], fmt: str) -> None:
    # wide enough that the table keeps every column with record text in it
    run = igf(*command, "--data", "data", "--format", fmt, env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.stderr
    assert raw_control(run.stdout) is None
    if command[0] != "agents":
        escaped = "\\u001b" if fmt == "json" else "\\x1b"
        assert escaped in run.stdout
    if command == ["show", "hostile"] and fmt == "json":
        # JSON's escapes lose nothing: the title reads back exactly as the record has it
        title = "Alphamab \x1b[31min\x1b[0m Ewing\u200b\u200e\u2028\ufeff\U000e0001 sarcoma\x1b]0;owned\x07"
        assert json.loads(run.stdout)["title"] == title
        assert "\\udb40\\udc01" in run.stdout  # beyond U+FFFF, as a surrogate pair


def test_trials_csv_whole(hostile: Path) -> None:
    run = igf("trials", "--data", "data", "--format", "csv")
    assert run.stdout == (
        "id,regimen,phase,histologies,enrolled,evaluable,responders,response_rate,"
        "responders_estimated,pfs_12w,pfs_weeks\n"
        "hostile,alphamab,2,Ewing\\x1b[5m\\x07 sarcoma; +cmd|' /C calc'!A0,10,10,1,0.1,false,,\n"
    )


@pytest.mark.parametrize("env", [{"NO_COLOR": "1", "FORCE_COLOR": "1"}, {"FORCE_COLOR": "1", "TERM": "dumb"}])
def test_no_colour_when_asked_even_on_a_forced_terminal(hostile: Path, env: dict[str, str]) -> None:
    forced = igf("agents", "--data", "data", env={"FORCE_COLOR": "1", "COLUMNS": "200", "TERM": "xterm"})
    assert "\x1b[" in forced.stdout  # the check below could fail: styling does happen when allowed
    plain = igf("agents", "--data", "data", env={**env, "COLUMNS": "200"})
    assert plain.exit_code == 0
    assert "\x1b" not in plain.stdout
    flag = igf("agents", "--data", "data", "--no-color", env={"FORCE_COLOR": "1", "COLUMNS": "200"})
    assert "\x1b" not in flag.stdout


def test_no_escape_reaches_a_pipe(hostile: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "igfcli", "agents", "--data", "data"],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")},
    )
    assert done.returncode == 0, done.stderr
    assert "Agents" in done.stdout and "\x1b" not in done.stdout + done.stderr


# --- spreadsheet formulas -----------------------------------------------------------------------

AGENTS_CSV = (
    "name,codes,class,sponsor,parent,status,status_as_of,trials,patients,history\n"
    'alphamab,AM-1,-2+3,"=HYPERLINK(""http://example.com/x"",""click"")",@SUM(A1:A9),halted,,1,10,halted\n'
    "betinib,,IGF-1R kinase inhibitor,Subco,,unknown,,0,0,\n"
)


def test_csv_writes_record_text_as_it_is(hostile: Path) -> None:
    run = igf("agents", "--data", "data", "--format", "csv")
    assert run.stdout == AGENTS_CSV


def test_safe_csv_neutralises_formula_cells(hostile: Path) -> None:
    run = igf("agents", "--data", "data", "--format", "csv", "--safe-csv")
    assert run.stdout == (
        "name,codes,class,sponsor,parent,status,status_as_of,trials,patients,history\n"
        'alphamab,AM-1,\'-2+3,"\'=HYPERLINK(""http://example.com/x"",""click"")",\'@SUM(A1:A9),halted,,1,10,halted\n'
        "betinib,,IGF-1R kinase inhibitor,Subco,,unknown,,0,0,\n"
    )


def test_safe_tsv_neutralises_formula_cells(hostile: Path) -> None:
    run = igf("agents", "--data", "data", "--format", "tsv", "--safe-csv")
    # TSV cells are never quoted: a quote inside one stays a plain character
    assert run.stdout == (
        "name\tcodes\tclass\tsponsor\tparent\tstatus\tstatus_as_of\ttrials\tpatients\thistory\n"
        'alphamab\tAM-1\t\'-2+3\t\'=HYPERLINK("http://example.com/x","click")\t\'@SUM(A1:A9)\thalted\t\t1\t10\thalted\n'
        "betinib\t\tIGF-1R kinase inhibitor\tSubco\t\tunknown\t\t0\t0\t\n"
    )


def test_safe_csv_leaves_numbers_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # counts and rates are numbers, never formulas: only text from the records is prefixed
    monkeypatch.chdir(tmp_path)
    data_folder(tmp_path, catalog=AGENTS)
    plain = igf("agents", "--data", "data", "--format", "csv")
    safe = igf("agents", "--data", "data", "--format", "csv", "--safe-csv")
    assert plain.exit_code == safe.exit_code == 0
    assert plain.stdout == safe.stdout


# --- narrow terminals -------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["40", "20"])
def test_narrow_terminal_and_long_names_stay_readable(
    hostile: Path, columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "Leiomyosarcoma-of-the-uterus-" * 10
    text = (hostile / "hostile.yaml").read_text().replace("Ewing\\e[5m\\a sarcoma", long)
    (hostile / "hostile.yaml").write_text(text)
    monkeypatch.setenv("COLUMNS", columns)
    for command in (["trials"], ["agents"], ["show", "hostile"]):
        run = igf(*command, "--data", "data")
        assert run.exit_code == 0, run.stderr
        assert all(cell_len(line) <= int(columns) for line in run.stdout.splitlines()), run.stdout
        assert "hostile" in run.stdout or command == ["agents"]
    joined = igf("trials", "--data", "data").stdout.replace("\n", "")
    assert long in joined  # folded, never cut


# --- pipes ----------------------------------------------------------------------------------


def _many_trials(data: Path, n: int) -> None:
    for i in range(n):
        (data / f"t{i:04d}.yaml").write_text(
            f'id: t{i:04d}\ntitle: "{"x" * 500}"\nregimen: [alphamab]\nphase: "2"\n'
            f"histologies: [{'Ewing sarcoma ' * 20}]\nsources: [{{citation: c}}]\n"
        )


def test_head_ends_the_command_quietly(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    _many_trials(data, 300)  # far more than a pipe holds, so igf is still writing when head leaves
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'set -o pipefail; "{sys.executable}" -m igfcli trials --data "{data}" --format csv | head -1',
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "id,regimen,phase,histologies,enrolled,"
        "evaluable,responders,response_rate,"
        "responders_estimated,pfs_12w,pfs_weeks\n",
        "",
    )


# every way stderr can fail, with a clean folder's validate (its summary line goes to stderr); and
# each other way a command writes there (a usage error, a failure, "igf: wrote"), with one of them
CLOSED, FULL, GONE = "2>&-", "2>/dev/full", "2>&1 | head -c1 >/dev/null"


@pytest.mark.parametrize(
    ("command", "stderr", "status"),
    [
        *(("validate --data data", way, 0) for way in (CLOSED, "0<&- 2>&-", FULL, GONE)),
        ("rank --data data --no-such-option", CLOSED, 2),
        ("rank --data data --no-such-option", GONE, 2),
        ("show no-such-trial --data data", FULL, 2),
        ("report --data data -o report.md", "0<&- 2>&-", 0),
    ],
)
def test_a_closed_or_failing_stderr_keeps_the_exit_code(
    tmp_path: Path, stderr: str, command: str, status: int
) -> None:
    # a message that cannot be written is dropped; the command ends as it would have (never 1,
    # which says a check failed, nor 120, the interpreter's failed last flush)
    data = data_folder(tmp_path)
    _many_trials(data, 3)
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m igfcli {command} {stderr}; echo "status ${{PIPESTATUS[0]}}"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.splitlines()[-1] == f"status {status}", done.stdout
    assert done.stderr == ""
    if command.startswith("report"):
        assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# IGF-1R inhibitor trials")


def test_reader_gone_before_the_first_write(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    _many_trials(data, 3)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "igfcli", "trials", "--data", str(data)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")


def test_closed_stdout_is_a_clear_error(tmp_path: Path) -> None:
    data = data_folder(tmp_path)
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m igfcli trials --data "{data}" >&-'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (
        2,
        "igf: error: standard output is closed; nothing was written\n",
    )


@pytest.mark.parametrize(
    "args",
    [["rank"], ["rank", "-f", "json"], ["report"], ["show", "trial-a"], ["benchmark", "-f", "markdown"]],
)
def test_a_full_disk_under_stdout_is_a_clear_error(tmp_path: Path, args: list[str]) -> None:
    data = data_folder(tmp_path, Path(AGENTS).with_name("trial-a.yaml"))
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC
        done = subprocess.run(
            [sys.executable, "-m", "igfcli", *args, "--data", str(data)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (done.returncode, done.stderr) == (
        2,
        "igf: error: the output could not be written: No space left on device\n",
    )


# --- atomic writes ------------------------------------------------------------------------------


@pytest.fixture
def old_report(tmp_path: Path) -> Path:
    target = tmp_path / "report.md"
    target.write_text("the old report\n")
    return target


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "report.md")


def test_no_overwrite_without_force(old_report: Path) -> None:
    with pytest.raises(OutputError, match="already exists; use --force to overwrite it"):
        write_atomic(old_report, "new\n")
    assert old_report.read_text() == "the old report\n"
    write_atomic(old_report, "new\n", force=True)
    assert old_report.read_text() == "new\n"
    assert _leftovers(old_report.parent) == []


def test_disk_full_half_way_leaves_the_old_file(old_report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    with pytest.raises(OutputError, match="cannot be written: No space left on device"):
        write_atomic(old_report, "x" * 100_000, force=True)
    assert old_report.read_text() == "the old report\n"
    assert _leftovers(old_report.parent) == []


def test_interrupt_half_way_leaves_the_old_file(old_report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fdopen = os.fdopen

    class HalfWay:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> HalfWay:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, text: str) -> None:
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "fdopen", lambda *a, **k: HalfWay(real_fdopen(*a, **k)))
    with pytest.raises(KeyboardInterrupt):
        write_atomic(old_report, "new text " * 1000, force=True)
    assert old_report.read_text() == "the old report\n"
    assert _leftovers(old_report.parent) == []


def test_report_command_refuses_to_overwrite(old_report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(old_report.parent)
    data_folder(old_report.parent, Path(AGENTS).with_name("trial-a.yaml"))
    refused = igf("report", "--data", "data", "-o", "report.md")
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == "igf: error: report.md: already exists; use --force to overwrite it\n"
    assert old_report.read_text() == "the old report\n"

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    failed = igf("report", "--data", "data", "-o", "report.md", "--force")
    assert failed.exit_code == 2
    assert failed.stderr == "igf: error: report.md: cannot be written: No space left on device\n"
    assert old_report.read_text() == "the old report\n"
    assert _leftovers(old_report.parent) == ["data"]


def _wait_until_reading_stdin(pid: int, timeout: float = 30.0) -> None:
    """Return once the process is blocked in read() on its standard input (Linux /proc), not before."""
    import platform
    import time

    read = {"x86_64": "0", "aarch64": "63"}.get(platform.machine())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            call = Path(f"/proc/{pid}/syscall").read_text().split()
        except OSError:
            call = []
        # the syscall number and its first argument (the file descriptor): read(0, ...)
        if read is not None and call[:2] == [read, "0x0"]:
            return
        if read is None and "pipe_read" in Path(f"/proc/{pid}/wchan").read_text():
            return
        time.sleep(0.01)
    raise AssertionError("the command never blocked reading its standard input")


def test_ctrl_c_ends_with_130_and_no_traceback(tmp_path: Path) -> None:
    """A command waiting on standard input is interrupted: exit 128 + SIGINT, one line on stderr."""
    import signal

    folder = data_folder(tmp_path, catalog="agents:\n  - name: alphamab\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "igfcli", "import", "ctgov", "-", "--data", str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_until_reading_stdin(proc.pid)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == "\nigf: interrupted\n"


def test_only_a_regular_file_is_ever_replaced(tmp_path: Path) -> None:
    # a device, a pipe or a folder at the path is refused even with --force, and left as it was
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    for target in (Path(os.devnull), fifo):
        with pytest.raises(OutputError, match="is not a regular file"):
            write_atomic(target, "new\n", force=True)
    assert Path(os.devnull).is_char_device() and fifo.is_fifo()
    with pytest.raises(OutputError, match="is a folder"):
        write_atomic(tmp_path, "new\n", force=True)
    assert _leftovers(tmp_path) == ["pipe.md"]


def test_a_link_is_written_through_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="is a symbolic link; use --force"):
        write_atomic(link, "new\n")
    assert real.read_text() == "old\n"
    write_atomic(link, "new\n", force=True)
    assert link.is_symlink() and real.read_text() == "new\n"
    # a link to nothing is still something at the path: not written over without --force
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "missing.md")
    with pytest.raises(OutputError, match="is a symbolic link"):
        write_atomic(dangling, "new\n")
    assert not (tmp_path / "missing.md").exists()
    write_atomic(dangling, "new\n", force=True)
    assert dangling.is_symlink() and (tmp_path / "missing.md").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.md", "link.md", "missing.md", "real.md"]


def test_every_character_made_safe_is_one_python_calls_unprintable() -> None:
    # safe_text passes printable text through untouched: that is right only while no character
    # it escapes is printable
    import unicodedata

    from igfcli.output.text import safe_text

    def shown(ch: str) -> str:
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    every = [chr(c) for c in range(0x110000)]
    # controls, format characters, line and paragraph separators, surrogates, unassigned
    kinds = {"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"}
    hidden = [unicodedata.category(ch) in kinds for ch in every]
    assert not any(ch.isprintable() for ch, h in zip(every, hidden, strict=True) if h)
    assert safe_text("".join(every)) == "".join(
        shown(ch) if h else ch for ch, h in zip(every, hidden, strict=True)
    )
    # among them, the ones that deceive a reader: C0, DEL and C1, the bidirectional overrides and
    # isolates, zero-width space, joiners and marks, the line and paragraph separators, the BOM
    deceiving = (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
    for code in (*deceiving, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF, 0xD800):
        assert hidden[code] and safe_text(f"a{chr(code)}b") == f"a{shown(chr(code))}b"
    # what stays as written: letters of every script, the space and no-break space, emoji
    for text in ("Ewing sarcoma", "ганитумаб", "\u00a0", "\u3000", "\U0001f600", "\ue000"):
        assert safe_text(text) == text
