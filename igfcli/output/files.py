"""Writing files safely: a temporary file beside the target, renamed into place.

An interrupted or failing write (disk full, a kill, an exception half way)
leaves the old file exactly as it was, and nothing is overwritten unless the
caller says so.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from igfcli.errors import OutputError, shown_path


def write_atomic(path: Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` atomically; refuse an existing file unless `force`.

    A symbolic link is written through: its target is replaced and the link kept.
    Only a regular file is ever replaced, whatever `force` says: a device, a pipe
    or a folder at the path is refused, so `-o /dev/full --force` cannot turn a
    device into a file. A path the system refuses (a name over its length limit,
    say) is an OutputError like any other failure, never an OSError.
    """
    shown = shown_path(path)
    try:
        target, folder = _check_target(path, shown, force)
        # the temporary name keeps a short part of the target's: a name near the limit fits
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name[:64]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot be written: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            # keep the permissions of the file being replaced
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if not force and os.path.lexists(path):  # created by someone else meanwhile
            raise OutputError(f"{shown}: already exists; use --force to overwrite it")
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{shown}: cannot be written: {exc.strerror or exc}") from None
    except BaseException:  # an error, Ctrl-C, or any signal igf turns into an exit
        tmp.unlink(missing_ok=True)
        raise


def _check_target(path: Path, shown: str, force: bool) -> tuple[Path, Path]:
    """The file to replace (a link's target) and its folder, or OutputError saying why not."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{shown}: folder {shown_path(folder)} does not exist")
    if target.is_dir():
        raise OutputError(f"{shown}: is a folder")
    if target.exists() and not target.is_file():
        raise OutputError(f"{shown}: is not a regular file (a device, pipe or socket); name a file to write")
    if os.path.lexists(path) and not force:
        what = (
            "is a symbolic link; use --force to write to its target"
            if path.is_symlink()
            else ("already exists; use --force to overwrite it")
        )
        raise OutputError(f"{shown}: {what}")
    return target, folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
