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


def write_atomic(path: Path, text: str | bytes, *, force: bool = False) -> None:
    """Write `text` (or bytes, a figure's) to `path` atomically; refuse an existing file unless `force`.

    A symbolic link is written through: its target is replaced and the link kept.
    Only a regular file is ever replaced, whatever `force` says: a device, a pipe
    or a folder at the path is refused, so `-o /dev/full --force` cannot turn a
    device into a file. A path the system refuses (a name over its length limit,
    say) is an OutputError like any other failure, never an OSError.
    """
    write_all([(path, text)], force=force)


def write_all(files: list[tuple[Path, str | bytes]], *, force: bool = False) -> None:
    """Write every file or none, each as write_atomic writes one.

    Every file is first written whole to a temporary file beside its target; only
    when all are on disk are they renamed into place. Should a rename fail (or a
    signal arrive) half way, the files already placed are taken back: a new one
    removed, a replaced one restored from the hard link kept to it meanwhile.
    """
    staged: list[tuple[Path, Path, Path, str]] = []  # path, target, temporary file, path shown
    placed: list[tuple[Path, Path | None]] = []  # target, the old file's keeper (None: was new)
    try:
        targets: set[str] = set()
        for path, text in files:
            target, tmp = _stage(path, text, force)
            staged.append((path, target, tmp, shown_path(path)))
            if os.path.normcase(os.path.abspath(target)) in targets:
                raise OutputError(f"{shown_path(path)}: named twice among the files to write")
            targets.add(os.path.normcase(os.path.abspath(target)))
        for path, target, tmp, shown in staged:
            if not force and os.path.lexists(path):  # created by someone else meanwhile
                raise OutputError(f"{shown}: already exists; use --force to overwrite it")
            keeper = None
            try:
                keeper = _keep(target) if os.path.lexists(target) else None
                os.replace(tmp, target)
            except OSError as exc:
                if keeper is not None:
                    keeper.unlink(missing_ok=True)
                raise OutputError(f"{shown}: cannot be written: {exc.strerror or exc}") from None
            placed.append((target, keeper))
    except BaseException:  # an error, Ctrl-C, or any signal igf turns into an exit
        for target, keeper in reversed(placed):
            if keeper is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(keeper, target)
        for _, _, tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for _, keeper in placed:
        if keeper is not None:
            keeper.unlink(missing_ok=True)


def _stage(path: Path, text: str | bytes, force: bool) -> tuple[Path, Path]:
    """The target to replace, and a temporary file beside it holding `text` whole, on disk."""
    shown = shown_path(path)
    try:
        target, folder = _check_target(path, shown, force)
        # the temporary name keeps a short part of the target's: a name near the limit fits
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name[:64]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot be written: {exc.strerror or exc}") from None
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
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{shown}: cannot be written: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target, tmp


def _keep(target: Path) -> Path:
    """A second name for the file about to be replaced, to put it back should a later write fail:
    a hard link (nothing copied), or where the file system has none, a copy."""
    prefix = f".{target.name[:64]}."
    for _ in range(100):
        keeper = Path(tempfile.mktemp(prefix=prefix, suffix=".old", dir=target.parent))
        try:
            os.link(target, keeper)  # fails, never overwrites, should the name be taken meanwhile
            return keeper
        except FileExistsError:
            continue
        except OSError:
            break
    import shutil

    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".old", dir=target.parent)
    with os.fdopen(fd, "wb") as copy, open(target, "rb") as old:
        shutil.copyfileobj(old, copy)
    shutil.copystat(target, name)
    return Path(name)


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
