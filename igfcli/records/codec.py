"""The model as JSON values, written and read through the dataclasses' own fields.

A dataclass is written as the list of its fields' values in declaration order,
and read back by the same declaration, so adding or reordering a field is one
edit and cannot put one value in another's place. Reading is strict: a value of
a type the writer never produces (a count as text, a boolean for a number, a
list of the wrong length) raises `Malformed`, so that a damaged or foreign
cache entry is discarded, never half-believed.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any, Union

Decoder = Callable[[Any], Any]


class Malformed(ValueError):
    """A JSON value that is not what this version writes for the type asked for."""


def encode(value: Any) -> Any:
    """A model value as JSON values (dataclasses as lists in field order)."""
    if is_dataclass(value) and not isinstance(value, type):
        return [encode(getattr(value, f.name)) for f in fields(value)]
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    return value


_DECODERS: dict[Any, Decoder] = {}


def decoder(kind: Any) -> Decoder:
    """The strict reader of JSON values for a type of the model (built once per type)."""
    found = _DECODERS.get(kind)
    if found is None:
        found = _DECODERS[kind] = _build(kind)
    return found


def decode(kind: type, data: Any, **override: Any) -> Any:
    """A dataclass read back from `encode`'s output; `override` sets fields the writer's value
    does not decide (the path a message names a file by, say)."""
    value = decoder(kind)(data)
    if override:
        from dataclasses import replace

        value = replace(value, **override)
    return value


def _exact(kind: type) -> Decoder:
    def read(value: Any) -> Any:
        if type(value) is not kind:
            raise Malformed(f"{value!r} is not {kind.__name__}")
        return value

    return read


def _none(value: Any) -> None:
    if value is not None:
        raise Malformed(f"{value!r} is not null")


def _build(kind: Any) -> Decoder:
    if kind in (str, int, float, bool):
        return _exact(kind)
    if kind is type(None):
        return _none
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (Union, types.UnionType):
        options = [decoder(a) for a in args if a is not type(None)]
        nullable = type(None) in args
        return _union(options, nullable)
    if origin is typing.Literal:
        allowed = set(args)

        def literal(value: Any) -> Any:
            if value not in allowed or type(value) is not str:
                raise Malformed(f"{value!r} is not one of {sorted(allowed)}")
            return value

        return literal
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = decoder(args[0])
            return lambda value: tuple(item(v) for v in _list(value))
        items = [decoder(a) for a in args]
        return lambda value: tuple(read(v) for read, v in zip(items, _list(value, len(items)), strict=True))
    if origin in (Mapping, dict):
        key, item = decoder(args[0]), decoder(args[1])
        return lambda value: {key(k): item(v) for k, v in _dict(value).items()}
    if isinstance(kind, type) and is_dataclass(kind):
        return _dataclass(kind)
    raise TypeError(f"no JSON form for {kind!r}")


def _union(options: list[Decoder], nullable: bool) -> Decoder:
    def read(value: Any) -> Any:
        if value is None and nullable:
            return None
        for option in options:
            try:
                return option(value)
            except Malformed:
                continue
        raise Malformed(f"{value!r} fits no type of the union")

    return read


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise Malformed(f"{value!r} is not a list" + (f" of {length}" if length is not None else ""))
    return value


def _dict(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise Malformed(f"{value!r} is not a mapping")
    return value


def _dataclass(kind: type) -> Decoder:
    hints = typing.get_type_hints(kind)
    names = [f.name for f in fields(kind)]
    readers: list[Decoder] = []

    def read(value: Any) -> Any:
        if not readers:  # resolved on first use: a field may be of a class declared later
            readers.extend(decoder(hints[name]) for name in names)
        items = _list(value, len(names))
        return kind(*[r(v) for r, v in zip(readers, items, strict=True)])

    return read
