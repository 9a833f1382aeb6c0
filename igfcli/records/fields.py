"""Typed fields read out of one YAML document, each bad one recorded as a located problem."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from igfcli.errors import Problem
from igfcli.model import LIST_SEPARATOR, MAX_COUNT, Rate
from igfcli.names import first_invisible, name_key
from igfcli.stats import RateError, parse_rate

if TYPE_CHECKING:  # only a file being parsed needs YAML; a cached run never loads it
    from igfcli.records import yamldoc

_DIGITS = re.compile("[0-9]+")  # str.isdigit() would take fullwidth and Arabic-Indic digits too
# Imported and new records mark what a curator must still fill in; such a record fails validation.
TODO = "TODO"


# half of a UTF-16 pair: no character, and no encoder writes one; YAML and JSON can spell it (\ud800)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def is_todo(text: str) -> bool:
    """A value left for a curator ("TODO" or "TODO: ..."), as imported and new records mark them."""
    text = text.strip()
    return text == TODO or text.startswith(TODO + ":")


def field_name(path: yamldoc.Path) -> str:
    """A path as messages name the field: cohorts[0].response.evaluable."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if value is None:
        return "empty (null)"
    import datetime as dt  # only where a value is described: a cached run never needs it

    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        return f"text ('{value}')"
    if isinstance(value, list):  # "should be a list of events, not an empty list"
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return str(value)


class Reader:
    """Reads typed fields out of one document, recording a located problem for each bad one."""

    def __init__(self, doc: yamldoc.Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems

    def problem(self, path: yamldoc.Path, message: str, *, at_key: bool = False) -> None:
        line, column = self.doc.key_mark(path) if at_key else self.doc.mark(path)
        self.problems.append(Problem(self.doc.path, line, column, field_name(path), message))

    def visible(self, path: yamldoc.Path, label: str) -> bool:
        """Whether an id or name is written in characters a reader can see; a problem where not (two
        such, "x" and "x" with a zero-width space, would look alike and count apart)."""
        hidden = first_invisible(label)
        if hidden is None:
            return True
        import unicodedata

        what = unicodedata.name(hidden, "").lower()
        self.problem(
            path,
            f"'{label}' holds U+{ord(hidden):04X}{f' ({what})' if what else ''}, which no reader can "
            "see; write it in visible characters only",
        )
        return False

    def get(self, path: yamldoc.Path) -> Any:
        value: Any = self.doc.data
        for part in path:
            value = value[part]
        return value

    def mapping(
        self, path: yamldoc.Path, value: Any, allowed: set[str], required: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"should be a mapping of keys to values, not {describe_value(value)}")
            return None
        for key in value:
            if key not in allowed:
                import difflib  # only for a key that is wrong

                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = (
                    f"; did you mean '{close[0]}'?"
                    if close
                    else f"; known keys: {', '.join(sorted(allowed))}"
                )
                self.problem((*path, key), f"unknown key '{key}'{hint}", at_key=True)
        for key in required:
            if key not in value:  # placed at the mapping that lacks it, named as the field it would be
                self.problem((*path, key), "is missing; this key is required")
            elif value[key] is None:
                self.problem((*path, key), "is empty (null); a value is required")
        return value

    def text(self, path: yamldoc.Path, value: Any, *, allow_empty: bool = False) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.doc.texts.get(path, str(value))  # an id or code such as 2007 reads as text
        if not isinstance(value, str):
            self.problem(path, f"should be text, not {describe_value(value)}")
            return None
        if not value.strip() and not allow_empty:
            self.problem(path, "is empty")
            return None
        if is_todo(value):
            self.problem(path, f"'{value.strip()}' is left for a curator: fill in this field or remove it")
            return None
        return value

    def item(self, path: yamldoc.Path, value: Any, *, in_list: bool = False) -> str | None:
        """Text that a csv or tsv cell may list among others (a histology, what became of a program)."""
        text = self.text(path, value)
        return text if text is not None and self.one_item(path, text, in_list=in_list) else None

    def one_item(self, path: yamldoc.Path, text: str, *, in_list: bool = False) -> bool:
        """Whether `text` is free of the separator of a list's items, without which a csv or tsv cell
        would read back as more items than it has; a problem where not."""
        if LIST_SEPARATOR not in text:
            return True
        split = f" (as items of their own: [{', '.join(t.strip() for t in text.split(LIST_SEPARATOR))}])"
        self.problem(
            path,
            f"'{text}' holds '{LIST_SEPARATOR}', which separates the items of a list in csv and tsv; "
            f"write it without '{LIST_SEPARATOR}'{split if in_list else ''}",
        )
        return False

    def items(self, path: yamldoc.Path, value: Any) -> tuple[str, ...]:
        """A list of texts, each an item (see item)."""
        return self.texts(path, value, lambda p, v: self.item(p, v, in_list=True))

    def texts(
        self, path: yamldoc.Path, value: Any, read: Callable[[yamldoc.Path, Any], str | None] | None = None
    ) -> tuple[str, ...]:
        if isinstance(value, str):
            self.problem(path, f"should be a list, such as [{value}]")
            return ()
        if not isinstance(value, list):
            self.problem(path, f"should be a list of text, not {describe_value(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            text = (read or self.text)((*path, i), item)
            if text is not None:
                out.append(text)
        return tuple(out)

    def count(self, path: yamldoc.Path, value: Any) -> int | None:
        """A count of patients: a non-negative whole number, written as one."""
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer() and value >= 0:
                self.problem(path, f"{self.doc.texts.get(path, value)} is not a count; write {int(value)}")
            elif (
                isinstance(value, str) and _DIGITS.fullmatch(value.strip()) and path not in self.doc.not_plain
            ):
                self.problem(
                    path, f"a count written as text ('{value}'); write {value.strip()} without quotes"
                )
            else:
                self.problem(path, f"should be a whole number of patients, not {self.describe(path, value)}")
            return None
        if value < 0:
            self.problem(path, f"{value} is negative; a count is 0 or more")
            return None
        if value > MAX_COUNT:
            self.problem(path, f"{value:,} is more patients than any trial holds (at most {MAX_COUNT:,})")
            return None
        return value

    def number(self, path: yamldoc.Path, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(path, f"should be a number, not {self.describe(path, value)}")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(path, f"{self.doc.texts.get(path, value)} is not a finite number")
            return None
        if value <= 0:
            self.problem(path, f"{value} should be more than 0")
            return None
        return float(value)

    def describe(self, path: yamldoc.Path, value: Any) -> str:
        """A value as the file wrote it, where YAML read it as something else (`yes`, `.nan`)."""
        if path in self.doc.not_plain:
            return f"'{value}' (write a number as plain digits 0-9, with at most a sign and one point)"
        written = self.doc.texts.get(path)
        if isinstance(value, bool) and written is not None and written.lower() not in ("true", "false"):
            return f"'{written}' (YAML reads it as {'true' if value else 'false'})"
        if isinstance(value, float) and not math.isfinite(value) and written is not None:
            return f"{written} (not a finite number)"
        return describe_value(value)

    def rate(self, path: yamldoc.Path, value: Any) -> Rate | None:
        if isinstance(value, bool):
            self.problem(path, f"should be a rate such as 14.2%, not {self.describe(path, value)}")
            return None
        try:
            return parse_rate(value, self.doc.texts.get(path))
        except RateError as exc:
            import datetime as dt  # only for a rate that did not read

            if isinstance(value, (dt.date, dt.datetime)):
                self.problem(path, f"should be a rate such as 14.2%, not {describe_value(value)}")
            else:
                self.problem(path, str(exc))
            return None

    def year(self, path: yamldoc.Path, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
            self.problem(path, f"should be a year such as 2014, not {describe_value(value)}")
            return None
        return value

    def choice(self, path: yamldoc.Path, value: Any, choices: tuple[str, ...]) -> str | None:
        text = self.text(path, value)
        if text is None:
            return None
        if text not in choices:
            quoted = ", ".join(f'"{c}"' for c in choices)
            self.problem(path, f"'{text}' is not one of {quoted}")
            return None
        return text

    def optional(
        self,
        mapping: dict[str, Any],
        path: yamldoc.Path,
        key: str,
        read: Callable[[yamldoc.Path, Any], Any],
    ) -> Any:
        if key not in mapping or mapping[key] is None:
            return None
        return read((*path, key), mapping[key])

    def unique_name(self, item: dict[str, Any], path: yamldoc.Path, names: dict[str, int]) -> str | None:
        """The `name` of the list item at `path` (("arms", 2), say), with a problem when an earlier
        item of the list has it in any case, Unicode form or spacing; `names` maps each name_key to its
        last index."""
        name: str | None = self.optional(item, path, "name", self.text)
        if name is not None and self.visible((*path, "name"), name):
            kind, index = path[-2], path[-1]
            earlier = names.get(name_key(name))
            if earlier is not None:
                self.problem((*path, "name"), f"'{name}' is already the name of {kind}[{earlier}]")
            names[name_key(name)] = int(index)
        return name
