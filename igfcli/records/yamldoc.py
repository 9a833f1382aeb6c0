"""YAML text -> plain values with the line and column of each, refusing what records never need.

Records are data, so only YAML's plain types are built: mappings, lists,
strings, numbers, booleans, null and dates. Tags (`!!python/...` and any
other), anchors and aliases are refused rather than constructed, so a file
cannot run code or expand without bound; duplicate keys, which PyYAML would
silently resolve to the last, are refused too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from igfcli.errors import Problem, not_utf8
from igfcli.records.fields import field_name
from igfcli.stats import MAX_DIGITS, PLAIN_NUMBER

# The C parser is several times faster; the pure-Python one gives the same values.
try:
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32

Path = tuple[str | int, ...]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_constructor = SafeConstructor()
_resolver = Resolver()
_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
_ONE_DOCUMENT = "more than one YAML document (a '---' separator); keep one record per file"
# what YAML allows in a stream (its "printable" set); anything else stops both parsers
_NOT_YAML_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EMPTY = "file is empty (or holds only comments); write a record in it or remove it"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_HALF_A_PAIR = (
    "an escape of half a UTF-16 surrogate pair (\\ud800 to \\udfff), which is no character; "
    "write the character itself, or \\U and its eight hex digits"
)
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
# What YAML 1.1 reads as a number, only where written plainly (PLAIN_NUMBER, and the float
# words .inf and .nan, which the fields refuse by name); 1_000, 010 (octal 8), 0x1A, 1:30
# (sexagesimal 90) and 1.0e-3 are kept as the text they are, which a field asking for a
# number refuses, and a field asking for text takes as written.
_NOT_PLAIN = "igf:not-plain"
_FLOAT_WORDS = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")
_NO_ANCHORS = "anchors and aliases (&name / *name) are not supported; write the value out"


@dataclass
class Document:
    """One parsed file: its value, and where each value (and each key) stands in the text."""

    path: str
    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # the source text of every number and boolean, so that "0.10" keeps its printed precision
    # and a `yes` where a count belongs is quoted back as the user wrote it
    texts: dict[Path, str] = field(default_factory=dict)
    # values YAML 1.1 would read as numbers but that are not written plainly (1_000, 0x1A): text
    not_plain: set[Path] = field(default_factory=set)

    def mark(self, path: Path) -> tuple[int, int]:
        """The position of the value at `path`, or of the nearest enclosing value."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def key_mark(self, path: Path) -> tuple[int, int]:
        return self.key_marks.get(path) or self.mark(path)


def parse(path: str, raw: bytes) -> tuple[Document | None, list[Problem]]:
    """Parse one file's bytes. Returns the document, or None and the reasons it is refused."""

    def problem(line: int | None, column: int | None, message: str, field: str = "") -> list[Problem]:
        return [Problem(path, line, column, field, message)]

    if len(raw) > MAX_FILE_BYTES:
        return None, problem(
            None, None, f"file is {len(raw):,} bytes, more than the limit of {MAX_FILE_BYTES:,}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, problem(*not_utf8(raw, exc))
    # A byte-order mark (Windows editors add one) carries no data; positions count from after it.
    text = text.removeprefix("\ufeff")
    doc = Document(path, None)
    try:
        refused = _build(text, _Loader, doc)
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in str(exc.problem) or "invalid Unicode character escape" in str(
            exc.problem
        ):
            # libyaml's scanner stops at 1,000 open brackets, or at an escape of half a UTF-16
            # pair, before any event reaches _build; the pure-Python parser finds where this
            # module's own limit was passed, or which value holds the escape
            refused = _build(text, yaml.SafeLoader, Document(path, None))
            if refused is not None:
                return None, problem(*refused)
        mark = exc.problem_mark or exc.context_mark
        if mark is None:  # pragma: no cover - both parsers mark their errors
            return None, problem(None, None, f"YAML syntax: {exc.problem or exc.context}")
        return None, problem(mark.line + 1, mark.column + 1, "YAML syntax: " + _syntax(exc, text))
    except yaml.reader.ReaderError as exc:
        # the parsers disagree on the offset (bytes or characters); find the character here
        bad = _NOT_YAML_TEXT.search(text)
        if bad is None:  # pragma: no cover - the parsers refuse only what the pattern finds
            return None, problem(None, None, f"YAML syntax: {exc.reason}")
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        what = f"control character U+{ord(bad.group()):04X} is not allowed in YAML; remove it"
        return None, problem(line, column, what)
    except yaml.YAMLError as exc:
        return None, problem(None, None, f"YAML syntax: {exc}")
    if refused is not None:
        return None, problem(*refused)
    return doc, []


def _syntax(exc: yaml.MarkedYAMLError, text: str) -> str:
    """What a parser error means for the person editing the file, worded the same for both parsers."""
    context = exc.context or ""
    what = exc.problem or context or "not valid YAML"
    opened = ""
    if exc.context_mark is not None:
        opened = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
    if "quoted scalar" in context:
        return f"the quoted text opened at {opened} is never closed; add the closing quote"
    if "flow sequence" in context:
        return f"expected ',' or ']' in the list opened at {opened}; close it with ']'"
    if "flow mapping" in context:
        return f"expected ',' or '}}' in the mapping opened at {opened}; close it with '}}'"
    if "cannot start any token" in what:
        mark = exc.problem_mark
        assert mark is not None
        lines = text.splitlines() or [""]
        line = lines[min(mark.line, len(lines) - 1)]
        char = line[mark.column : mark.column + 1]
        if char == "\t":
            return "a tab character; indent with spaces only"
        return f"a value cannot start with {char!r}; put the value in quotes"
    if "block mapping" in context or "block collection" in context:
        return f"this line is not indented like the others in the block at {opened}; line it up with them"
    if "mapping values are not allowed" in what:
        return _indented_under_a_value(exc, text) or "a second ': ' on one line; put the value in quotes"
    # libyaml says "did not find expected X", PyYAML "expected 'X', but found Y": say it one way
    expected = re.fullmatch(r"(?:did not find )?expected (.+?)(?:, but (?:found|got) .*)?", what, re.DOTALL)
    if expected:
        return f"expected {expected.group(1).strip(chr(39))} here"
    return what


def _indented_under_a_value(exc: yaml.MarkedYAMLError, text: str) -> str | None:
    """A `key: value` line indented deeper than the `key: value` above it reads, to YAML, as more of
    that value: say so, rather than speak of a second ': '."""
    mark = exc.problem_mark
    if mark is None:
        return None
    lines = text.splitlines()
    if mark.line >= len(lines):
        return None
    line = lines[mark.line]
    above = next((lines[i] for i in range(mark.line - 1, -1, -1) if lines[i].strip()), None)
    if above is None or ":" not in above or above.lstrip().startswith(("#", "-")):
        return None
    indent = len(line) - len(line.lstrip(" "))
    above_indent = len(above) - len(above.lstrip(" "))
    key, _, value = above.strip().partition(":")
    if indent > above_indent and value.strip() and not value.strip().startswith("#"):
        return (
            f"this line is indented under '{key}', which already has a value on its own line; "
            "line it up with the keys above"
        )
    return None


# Where and why a file is refused: line and column (None for the whole file), what is wrong, and
# the field it is wrong in ("" where no field is: a second document, an empty file).
_Refusal = tuple[int | None, int | None, str, str]


def _where(stack: list[_Collection]) -> Path:
    """The path of the node that comes next: the next item of a list, the value of the key just
    read, or (where a key comes next) the mapping itself."""
    if not stack:
        return ()
    parent = stack[-1]
    if isinstance(parent.value, list):
        return (*parent.path, len(parent.value))
    return parent.path if parent.key is _NO_KEY else (*parent.path, parent.key)


class _Collection:
    """A mapping or list being filled, with the key whose value comes next (mappings only)."""

    __slots__ = ("key", "path", "value")

    def __init__(self, value: dict[Any, Any] | list[Any], path: Path) -> None:
        self.value = value
        self.path = path
        self.key: Any = _NO_KEY


_NO_KEY = object()


def _build(text: str, loader: type[Any], doc: Document) -> _Refusal | None:
    """Fill `doc` from the text's event stream in one pass, or return where and why it is refused.

    Building from events rather than from a composed tree reads the text once and
    never recurses, so nesting is bounded here, where a thousand brackets cost
    nothing and both parsers agree; anchors, aliases, tags, merge keys, duplicate
    keys and a second document are refused at the event that brings them.
    """
    stack: list[_Collection] = []
    documents = 0
    for event in yaml.parse(text, Loader=loader):
        kind = type(event)
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                return (*_position(event), _ONE_DOCUMENT, "")
            continue
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()  # the collection is already in place, filled as its events came
            continue
        if kind is yaml.AliasEvent or (
            kind in _NODE_EVENTS and event.anchor is not None  # type: ignore[attr-defined]
        ):
            return (*_position(event), _NO_ANCHORS, field_name(_where(stack)))
        if kind not in _NODE_EVENTS:
            continue  # stream and document ends

        parent = stack[-1] if stack else None
        if isinstance(parent, _Collection) and isinstance(parent.value, dict) and parent.key is _NO_KEY:
            refused = _key(event, parent, doc)
            if refused is not None:
                return refused
            continue
        if parent is None:
            path: Path = ()
        elif isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
        else:
            path = (*parent.path, parent.key)
        doc.marks[path] = _position(event)

        if kind is yaml.ScalarEvent:
            value, refusal = _scalar(event, path, doc)
            if refusal is not None:
                return (*_position(event), refusal, field_name(path))
        else:
            if len(stack) >= MAX_DEPTH:
                # named by its top-level field: the whole path would be 32 levels long
                return (*_position(event), f"nesting deeper than {MAX_DEPTH} levels", field_name(path[:1]))
            is_map = kind is yaml.MappingStartEvent
            tag = event.tag  # type: ignore[attr-defined]
            if tag not in (None, "!") and tag != (_MAP_TAG if is_map else _SEQ_TAG):
                return (*_position(event), _no_tag(tag), field_name(path))
            value = {} if is_map else []
            stack.append(_Collection(value, path))

        if parent is None:
            doc.data = value
        elif isinstance(parent.value, list):
            parent.value.append(value)
        else:
            parent.value[parent.key] = value
            parent.key = _NO_KEY
    if documents == 0:
        return None, None, _EMPTY, ""
    return None


def _key(event: Any, mapping: _Collection, doc: Document) -> _Refusal | None:
    """Take a mapping's next key, or say why it cannot be one (a problem of the mapping's)."""
    position = _position(event)
    if type(event) is not yaml.ScalarEvent:
        return (*position, "a key must be a plain word, not a list or mapping", field_name(mapping.path))
    tag = _tag(event)
    if tag == "tag:yaml.org,2002:merge":
        return (*position, "merge keys (<<) are not supported; write the keys out", field_name(mapping.path))
    key, refusal = _scalar(event, None, doc, tag)
    if refusal is not None:
        return (*position, refusal, field_name(mapping.path))
    if not isinstance(key, str):
        key = event.value  # `1: x` or `yes: x` as keys: keep the text
    assert isinstance(mapping.value, dict)
    if key in mapping.value:
        first = doc.key_marks[(*mapping.path, key)][0]
        return (*position, f"duplicate key '{key}' (first at line {first})", field_name((*mapping.path, key)))
    doc.key_marks[(*mapping.path, key)] = position
    mapping.key = key
    return None


def _position(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _tag(event: Any) -> str:
    """A scalar's tag: the one written, else the one its text implies (as composing would resolve it)."""
    tag = event.tag
    if tag is not None and tag != "!":
        return str(tag)
    if not event.implicit[0]:
        return _STR_TAG  # quoted, or tagged "!": text, whatever it looks like
    value = event.value
    known = _PLAIN_RESOLVED.get(value)
    if known is None:
        known = str(_resolver.resolve(ScalarNode, value, (True, False)))  # type: ignore[no-untyped-call]
        if known in (_INT_TAG, _FLOAT_TAG) and not _plain(value):
            known = _NOT_PLAIN
        if len(value) <= 40 and len(_PLAIN_RESOLVED) < 100_000:
            _PLAIN_RESOLVED[value] = known
    return known


def _plain(text: str) -> bool:
    if _FLOAT_WORDS.fullmatch(text):
        return True
    # a leading zero makes YAML 1.1 read an integer as octal: 010 is 8
    return PLAIN_NUMBER.fullmatch(text) is not None and not ("." not in text and _LEADING_ZERO.match(text))


# What a plain scalar's text resolves to depends on the text alone, and keys and short values
# repeat in every record: each is matched against the resolver's patterns once.
_PLAIN_RESOLVED: dict[str, str] = {}


def _scalar(event: Any, path: Path | None, doc: Document, tag: str | None = None) -> tuple[Any, str | None]:
    """A scalar's value, or why it is refused (a tag records never need)."""
    tag = tag or _tag(event)
    if tag == _STR_TAG:
        value = event.value
        # half a UTF-16 pair spelled as an escape ("\ud800"), which the Python parser lets through
        if not value.isascii() and _LONE_SURROGATE.search(value):
            return None, _HALF_A_PAIR
        return value, None  # most values are text, and text is built as it was read
    if tag == _NOT_PLAIN:
        if path is not None:
            doc.not_plain.add(path)
        return event.value, None
    if tag not in _PLAIN_TAGS:
        return None, _no_tag(tag)
    if tag in (_INT_TAG, _FLOAT_TAG) and sum(c.isdigit() for c in event.value) > MAX_DIGITS:
        digits = sum(c.isdigit() for c in event.value)
        return None, f"a number of {digits:,} digits; no figure of a record has more than {MAX_DIGITS}"
    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    value = SafeConstructor.yaml_constructors[tag](_constructor, node)
    if path is not None and isinstance(value, (int, float)):
        doc.texts[path] = event.value
    return value, None


def _no_tag(tag: str) -> str:
    return f"tag {_tag_name(tag)} is not supported; write a plain value without it"


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag
