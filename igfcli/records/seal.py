"""The parse cache's seal: a keyed checksum that only this user's igf can make.

A cache file is believed only when its last line is the keyed BLAKE2 checksum of
everything above it, under a key of 32 random bytes that igf keeps beside the
cache files, readable by this user alone. Whoever else can write the cache
directory (a shared or mistyped XDG_CACHE_HOME) cannot read the key, so cannot
make an entry that igf would take for its own: an edited, forged, copied or
half-written cache fails the check and is read afresh. An entry igf signed was
built by this version's readers from the file it names, so it is believed
without being checked again.

The key is used only when it is a regular file of exactly 32 bytes, owned by
this user and closed to everyone else; anything else (a link, a pipe, a file
another user made or can read) means no cache is read or written.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# hashlib's own BLAKE2 and the comparison hmac.compare_digest falls back to, without loading
# OpenSSL as hashlib and hmac do: a fifth of a warm run's start-up beyond the CLI framework's
try:
    from _blake2 import blake2b
    from _operator import _compare_digest as compare_digest
except ImportError:  # pragma: no cover - a Python built without them
    from hashlib import blake2b
    from hmac import compare_digest  # type: ignore[no-redef]

KEY_FILE = "key"
KEY_BYTES = 32
MARK = b"#seal "  # a line that no JSON value starts with


def key(folder: Path, *, create: bool) -> bytes | None:
    """The key in `folder` (made there first when `create` and there is none), or None when it
    is missing or not one this user alone could have made."""
    path = folder / KEY_FILE
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | _flag("O_NOFOLLOW") | _flag("O_NONBLOCK") | _flag("O_NOCTTY"))
        except FileNotFoundError:
            if not create or not _make(folder, path):
                return None
            continue  # made (or another process made one first): read whichever is there
        except (OSError, ValueError):
            return None  # a link, no permission, a name the system refuses
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size != KEY_BYTES or not _private(info):
                return None  # a folder, a pipe, a device, another length, another's or open to others
            found = os.read(fd, KEY_BYTES + 1)
        except OSError:
            return None
        finally:
            os.close(fd)
        return found if len(found) == KEY_BYTES else None
    return None


def _flag(name: str) -> int:
    return int(getattr(os, name, 0))


def _private(info: os.stat_result) -> bool:
    """Owned by this user and closed to group and others (where the system has owners)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and info.st_mode & 0o077 == 0


def _make(folder: Path, path: Path) -> bool:
    """Write a new key: whole or not at all, and never over another process's key."""
    import tempfile

    secret = os.urandom(KEY_BYTES)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".key.", dir=folder)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secret)
            os.link(tmp, path)  # fails where a key already is: that one is kept
        finally:
            os.unlink(tmp)
    except FileExistsError:
        return True
    except OSError:
        # a file system without hard links: created in place, never over another; a reader that
        # comes while it is written sees a key of the wrong length and uses no cache that once
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _flag("O_NOFOLLOW"), 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secret)
        except FileExistsError:
            return True
        except OSError:
            return False
    return True


def signer(secret: bytes) -> blake2b:
    """A keyed checksum to feed every line of a cache file, in order."""
    return blake2b(key=secret, digest_size=32)


def seal_line(checksum: blake2b) -> bytes:
    return MARK + checksum.hexdigest().encode("ascii") + b"\n"


def sealed(line: bytes, checksum: blake2b) -> bool:
    """Whether `line` is the seal of everything fed to `checksum`, compared in constant time."""
    return line.startswith(MARK) and compare_digest(line, seal_line(checksum))
