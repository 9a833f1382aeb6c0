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
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from igfcli.errors import Problem

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
_SEQ_TAG = "tag:yaml.org,2002:seq"
_constructor = SafeConstructor()
_ONE_DOCUMENT = "more than one YAML document (a '---' separator); keep one record per file"
# what YAML allows in a stream (its "printable" set); anything else stops both parsers
_NOT_YAML_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EMPTY = "file is empty (or holds only comments); write a record in it or remove it"
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

    def mark(self, path: Path) -> tuple[int, int]:
        """The position of the value at `path`, or of the nearest enclosing value."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def key_mark(self, path: Path) -> tuple[int, int]:
        return self.key_marks.get(path) or self.mark(path)


class _Refused(Exception):
    def __init__(self, node: Node, message: str) -> None:
        self.node = node
        self.message = message


def _position(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def parse(path: str, raw: bytes) -> tuple[Document | None, list[Problem]]:
    """Parse one file's bytes. Returns the document, or None and the reasons it is refused."""

    def problem(line: int | None, column: int | None, message: str) -> list[Problem]:
        return [Problem(path, line, column, "", message)]

    if len(raw) > MAX_FILE_BYTES:
        return None, problem(
            None, None, f"file is {len(raw):,} bytes, more than the limit of {MAX_FILE_BYTES:,}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, problem(
            line, column, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        )
    # A byte-order mark (Windows editors add one) carries no data; positions count from after it.
    text = text.removeprefix("\ufeff")
    try:
        refused = _screen(text)
        if refused is not None:
            line, column, message = refused
            return None, problem(line, column, message)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in str(exc.problem):
            # libyaml's scanner stops at 1,000 open brackets before any event reaches
            # _screen; the pure-Python parser finds where the limit was passed
            refused = _screen(text, yaml.SafeLoader)
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
    except RecursionError:  # pragma: no cover - _screen stops deep nesting first
        return None, problem(None, None, f"nesting deeper than {MAX_DEPTH} levels")
    if root is None:
        return None, problem(None, None, _EMPTY)

    doc = Document(path, None)
    try:
        doc.data = _build(root, (), doc, set(), 0)
    except _Refused as exc:
        line, column = _position(exc.node)
        return None, problem(line, column, exc.message)
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
        return "a second ': ' on one line; put the value in quotes"
    # libyaml says "did not find expected X", PyYAML "expected 'X', but found Y": say it one way
    expected = re.fullmatch(r"(?:did not find )?expected (.+?)(?:, but (?:found|got) .*)?", what, re.DOTALL)
    if expected:
        return f"expected {expected.group(1).strip(chr(39))} here"
    return what


def _screen(text: str, loader: type[Any] | None = None) -> tuple[int, int, str] | None:
    """Read the event stream once before anything is built, and stop at what records never need.

    Both parsers produce events without recursion; composing a tree recurses
    (in Python for SafeLoader, in C for CSafeLoader), so nesting is bounded
    here, where a thousand brackets cost nothing and both loaders agree.
    """
    depth = 0
    documents = 0
    for event in yaml.parse(text, Loader=loader or _Loader):
        mark = event.start_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                return line, column, _ONE_DOCUMENT
        elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            return line, column, _NO_ANCHORS
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return line, column, f"nesting deeper than {MAX_DEPTH} levels"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _build(node: Node, path: Path, doc: Document, seen: set[int], depth: int) -> Any:
    if id(node) in seen:
        raise _Refused(node, _NO_ANCHORS)  # pragma: no cover - _screen refuses them first
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise _Refused(node, f"nesting deeper than {MAX_DEPTH} levels")
    doc.marks[path] = _position(node)
    if isinstance(node, ScalarNode):
        return _scalar(node, path, doc)
    if isinstance(node, SequenceNode):
        if node.tag != _SEQ_TAG:
            raise _Refused(node, _no_tag(node))
        return [_build(item, (*path, i), doc, seen, depth + 1) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        if node.tag != _MAP_TAG:
            raise _Refused(node, _no_tag(node))
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(key_node, "merge keys (<<) are not supported; write the keys out")
            if not isinstance(key_node, ScalarNode):
                raise _Refused(key_node, "a key must be a plain word, not a list or mapping")
            key = _scalar(key_node, None, doc)
            if not isinstance(key, str):
                key = key_node.value  # `1: x` or `yes: x` as keys: keep the text
            if key in result:
                first = doc.key_marks[(*path, key)][0]
                raise _Refused(key_node, f"duplicate key '{key}' (first at line {first})")
            doc.key_marks[(*path, key)] = _position(key_node)
            result[key] = _build(value_node, (*path, key), doc, seen, depth + 1)
        return result
    raise _Refused(node, "unsupported YAML node")  # pragma: no cover - compose yields only these


def _scalar(node: ScalarNode, path: Path | None, doc: Document) -> Any:
    if node.tag not in _PLAIN_TAGS:
        raise _Refused(node, _no_tag(node))
    constructor = SafeConstructor.yaml_constructors[node.tag]
    value = constructor(_constructor, node)
    if path is not None and isinstance(value, (int, float)):
        doc.texts[path] = node.value
    return value


def _no_tag(node: Node) -> str:
    return f"tag {_tag_name(node.tag)} is not supported; write a plain value without it"


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag
