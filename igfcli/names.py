"""How the evidence base compares what people write: when two spellings name one thing."""

from __future__ import annotations


def id_key(trial_id: str) -> str:
    """What makes two ids one trial's: ids that differ only in case or Unicode normal form (an
    accented letter composed or not, a fullwidth letter) name one trial, on every file system."""
    import unicodedata

    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", trial_id).casefold())


def folded(text: str) -> str:
    """Text as filters and groupings compare it: in any case, with any spacing ("EWING  sarcoma"
    is "ewing sarcoma", "Oncology" is "oncology")."""
    return " ".join(text.casefold().split())
