"""How the evidence base compares what people write: when two spellings name one thing, and
which characters no reader can see."""

from __future__ import annotations

import functools
import re

# Characters a reader cannot see, or that move what follows: controls (Cc), format characters
# (Cf: zero-width spaces and joiners, direction marks and overrides, the byte-order mark, the
# soft hyphen), line and paragraph separators (Zl, Zp), lone surrogates (Cs: a file name's
# undecodable bytes) and code points Unicode does not assign (Cn). Python calls each unprintable.
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})


def escape_invisible(text: str) -> str:
    """`text` with every character no reader can see (INVISIBLE) as a visible escape, \\x1b, \\u200b
    or \\U000e0001: what every output shows, and what a record igf writes holds (a quoted YAML
    value reads each escape back as its character)."""
    if text.isprintable():  # most text; every invisible character is unprintable (a test checks each)
        return text
    from unicodedata import category

    return "".join(_escape(ch) if category(ch) in INVISIBLE else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def first_invisible(text: str) -> str | None:
    """The first character of `text` that no reader can see (INVISIBLE), or None."""
    if text.isprintable():  # most text, at once: every INVISIBLE character is unprintable
        return None
    from unicodedata import category

    return next((ch for ch in text if category(ch) in INVISIBLE), None)


def id_key(trial_id: str) -> str:
    """What makes two ids one trial's: ids that differ only in case or Unicode normal form (an
    accented letter composed or not, a fullwidth letter), or by a character shown as nothing
    (IGNORABLE), name one trial, on every file system."""
    import unicodedata

    key = _case_and_form(trial_id)
    # normalised again once the ignorable characters are out: marks they kept apart may combine
    return key if key.isascii() else unicodedata.normalize("NFKC", _ignorable().sub("", key))


def _case_and_form(text: str) -> str:
    """`text` in one case and one Unicode form (NFKC: composed, fullwidth letters as ASCII)."""
    import unicodedata

    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def how_alike(one: str, other: str) -> str:
    """How two spellings that id_key makes one differ, in words for a message; a character shown
    as nothing is named by its code point, as a reader could not see it in either."""
    if _case_and_form(one) == _case_and_form(other):
        return "only in case or Unicode form"
    hidden = dict.fromkeys(f"U+{ord(ch):04X}" for ch in _ignorable().findall(one + other))
    return f"only in case, Unicode form or characters shown as nothing ({', '.join(hidden)})"


def name_key(label: str) -> str:
    """What makes two names of agents, cohorts or arms one: as `id_key`, and in any spacing (a
    no-break space is a space)."""
    if label.isascii():  # most names, at once: NFKC leaves ASCII as it is, and it has no IGNORABLE
        return " ".join(label.casefold().split())
    return " ".join(id_key(label).split())


# Characters Unicode marks as shown as nothing where a font has no use for them (its
# Default_Ignorable_Code_Point): a soft hyphen, the combining grapheme joiner, the Hangul fillers,
# variation selectors, zero-width and direction characters, tags. "x" and "x" with one of them
# look alike, and are one name.
IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)


@functools.cache  # compiled only for a name that is not ASCII
def _ignorable() -> re.Pattern[str]:
    return re.compile(f"[{IGNORABLE}]")


def folded(text: str) -> str:
    """Text as filters and groupings compare it: in any case, with any spacing ("EWING  sarcoma"
    is "ewing sarcoma", "Oncology" is "oncology")."""
    return " ".join(text.casefold().split())
