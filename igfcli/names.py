"""How the evidence base compares what people write: when two spellings name one thing, and
which characters no reader can see."""

from __future__ import annotations

# Characters a reader cannot see, or that move what follows: controls (Cc), format characters
# (Cf: zero-width spaces and joiners, direction marks and overrides, the byte-order mark, the
# soft hyphen), line and paragraph separators (Zl, Zp), lone surrogates (Cs: a file name's
# undecodable bytes) and code points Unicode does not assign (Cn). Python calls each unprintable.
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})


def first_invisible(text: str) -> str | None:
    """The first character of `text` that no reader can see (INVISIBLE), or None."""
    if text.isprintable():  # most text, at once: every INVISIBLE character is unprintable
        return None
    from unicodedata import category

    return next((ch for ch in text if category(ch) in INVISIBLE), None)


def id_key(trial_id: str) -> str:
    """What makes two ids one trial's: ids that differ only in case or Unicode normal form (an
    accented letter composed or not, a fullwidth letter) name one trial, on every file system."""
    import unicodedata

    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", trial_id).casefold())


def folded(text: str) -> str:
    """Text as filters and groupings compare it: in any case, with any spacing ("EWING  sarcoma"
    is "ewing sarcoma", "Oncology" is "oncology")."""
    return " ".join(text.casefold().split())
