"""The parse cache's directory: a cache file read line by line within its size, and what killed
runs left behind swept away."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Generator
from pathlib import Path


class TooLarge(ValueError):
    """A cache file larger than its folder's records could make it."""


def regular_lines(path: Path, limit: int) -> Generator[bytes, None, None]:
    """A regular file's lines, at most `limit` bytes of them (TooLarge past it); nothing for anything
    else (a pipe that would wait for ever, a device that never ends) or a file that cannot be opened.

    Line by line, so that a large folder's cache is never held whole in memory beside the
    records read from it.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return
        # not blocking: should a pipe replace the file after the stat, opening it returns at once
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return
    if info.st_size > limit:
        os.close(fd)
        raise TooLarge(path)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return
        left = limit
        while line := handle.readline(left + 1):
            left -= len(line)
            if left < 0:
                raise TooLarge(path)  # it grew since the stat
            yield line


# A temporary file this old was left by a run that was killed (kill -9, a power cut, a second
# Ctrl-C during the clean-up): no run writes for so long.
ABANDONED_SECONDS = 3600


def sweep(folder: Path) -> None:
    """Remove what killed runs left in the cache directory: their temporary cache and key files."""
    now = time.time()
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if not entry.name.startswith((".cache.", ".key.")):
                    continue
                try:
                    if (
                        entry.is_file(follow_symlinks=False)
                        and now - entry.stat().st_mtime > ABANDONED_SECONDS
                    ):
                        os.unlink(entry.path)
                except OSError:
                    continue
    except OSError:
        pass
