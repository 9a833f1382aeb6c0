"""Writing files safely: a temporary file beside the target, renamed into place.

An interrupted or failing write (disk full, a kill, an exception half way)
leaves the old file exactly as it was, and nothing is overwritten unless the
caller says so.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from igfcli.errors import OutputError


def write_atomic(path: Path, text: str | bytes, *, force: bool = False) -> None:
    """Write `text` (or bytes, a figure's) to `path` atomically; refuse an existing file unless `force`.

    A symbolic link is written through: its target is replaced and the link kept.
    Only a regular file is ever replaced, whatever `force` says: a device, a pipe
    or a folder at the path is refused, so `-o /dev/full --force` cannot turn a
    device into a file.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist")
    if target.is_dir():
        raise OutputError(f"{path}: is a folder")
    if target.exists() and not target.is_file():
        raise OutputError(f"{path}: is not a regular file (a device, pipe or socket); name a file to write")
    if os.path.lexists(path) and not force:
        what = (
            "is a symbolic link; use --force to write to its target"
            if path.is_symlink()
            else ("already exists; use --force to overwrite it")
        )
        raise OutputError(f"{path}: {what}")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            # keep the permissions of the file being replaced
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if not force and os.path.lexists(path):  # created by someone else meanwhile
            raise OutputError(f"{path}: already exists; use --force to overwrite it")
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
