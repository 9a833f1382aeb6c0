"""One copy of each recurring text in the evidence base, however many values hold it.

A large folder names the same agents, histologies, phases and criteria in record after
record: kept once each (the texts, and the lists of them), 100,000 records fit in a
fraction of the memory, and a value decoded from the parse cache costs less to build.
"""

from __future__ import annotations

import sys
from typing import Any

import msgspec
from msgspec.structs import force_setattr

# A text longer than this (a title, a note) is seldom written twice: it is kept as it is, and so
# is a list of more than four texts (most regimens and lists of histologies are shorter).
LONGEST = 40
WIDEST = 4
# At most this many values are kept (a few megabytes at the most: short texts, short lists), so
# that a folder of texts all different cannot grow it for ever; past it, values are kept as read.
MOST = 10_000
_SHARED: dict[Any, Any] = {}


def share(value: msgspec.Struct, *names: str) -> None:
    """Set each named field of `value` (a text, or a tuple of texts) to the one copy of what it holds:
    on a value still being built, before anyone else sees it."""
    for name in names:
        held = getattr(value, name)
        if not held:
            continue  # None, "" or (): nothing to share, or one object already
        shared = _SHARED.get(held)
        if shared is None:
            if type(held) is str:
                if len(held) > LONGEST:
                    continue
                shared = sys.intern(held)
            else:
                shared = tuple([sys.intern(t) if len(t) <= LONGEST else t for t in held])
                if len(held) > WIDEST or any(len(t) > LONGEST for t in held):
                    force_setattr(value, name, shared)  # its short texts shared, the list itself not
                    continue
            if len(_SHARED) < MOST:
                _SHARED[shared] = shared
        force_setattr(value, name, shared)
