"""Options that several commands share, declared once, and the objects they build.

A command declares which groups it takes with `@takes(...)` and a parameter for
each (`source: DataSource`, `filters: Filters`, `out: Output`); the group's
options stand in that parameter's place in the signature Typer reads, so they
show and parse like any other, and arrive in the command built into one object.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer

from igfcli.analyses.selection import Filters
from igfcli.commands.completion import complete_agents
from igfcli.errors import BadValue
from igfcli.output.formats import Format


def proportion(low: float, high: float, example: str = "0.95 or 95%") -> Callable[[str], float]:
    """A parser of a proportion written as a fraction (0.95) or a percentage (95%), between low and high;
    `example` is what a refusal suggests writing."""

    def parse(text: str | float) -> float:
        import re

        if isinstance(text, float):  # the default, already a fraction
            return text

        from igfcli.stats import RateError, parse_rate

        written = text.strip()
        # ASCII digits in plain notation only: Python's float() also reads 1_0, nan and other scripts' digits
        number = re.fullmatch(r"(-?)(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)%?", written, flags=re.ASCII)
        if number is None:
            raise typer.BadParameter(f"'{text}' is not a number; write {example}")
        if number.group(1):  # a number, but below any proportion: say so, as for one above
            raise typer.BadParameter(f"{written} {_between(low, high)}")
        try:
            if written.endswith("%"):
                value = parse_rate(written).value
            else:
                value = parse_rate(float(written), written).value
        except RateError as exc:
            raise typer.BadParameter(str(exc)) from None
        except ValueError:
            raise typer.BadParameter(f"'{text}' is not a number; write {example}") from None
        if not low <= value <= high:
            raise typer.BadParameter(f"{written} {_between(low, high)}")
        return value

    return parse


def _between(low: float, high: float) -> str:
    return f"is not between {low:g} and {high:g} ({low * 100:g}% and {high * 100:g}%)"


LevelOpt = Annotated[
    float,
    typer.Option(
        "--level",
        parser=proportion(0.5, 0.999),
        metavar="LEVEL",
        help="Confidence level of the intervals (two-sided): 0.95 or 95%.",
    ),
]


class DataSource(msgspec.Struct, frozen=True):
    """The data folders a command reads (every --data, else $IGF_DATA, else the bundled records)."""

    data: list[Path] | None = None
    no_cache: bool = False

    @property
    def folders(self) -> list[Path]:
        from igfcli.records.combine import resolve_folders

        try:
            return resolve_folders(self.data)
        except BadValue as exc:
            from igfcli.commands.plumbing import bad_value

            bad_value(exc)

    @property
    def folder(self) -> Path:
        """The one folder a command that writes records writes into: the first."""
        return self.folders[0]

    @property
    def use_cache(self) -> bool:
        return not self.no_cache


class Output(msgspec.Struct, frozen=True):
    """How a listing is written: its format, whether in colour, whether csv is spreadsheet-safe."""

    fmt: Format = Format.table
    no_color: bool = False
    safe_csv: bool = False


class Group(msgspec.Struct, frozen=True):
    """Options declared together, and what the command receives in their place."""

    name: str  # the command's parameter that receives the built object
    params: tuple[inspect.Parameter, ...]
    build: Callable[..., Any]


def _options(**annotations: Any) -> tuple[inspect.Parameter, ...]:
    return tuple(
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, (kind, default) in annotations.items()
    )


def _filter_option(flag: str, help: str, **extra: Any) -> Any:
    return (Annotated[list[str] | None, typer.Option(flag, help=help, **extra)], None)


_FILTERS = dict(
    agent=_filter_option(
        "--agent", "Only trials of this agent (name or code); repeatable.", autocompletion=complete_agents
    ),
    sponsor=_filter_option("--sponsor", "Only agents of this sponsor (or parent company); repeatable."),
    drug_class=_filter_option(
        "--class", "Only agents of this class, e.g. 'anti-IGF-1R antibody'; repeatable."
    ),
    phase=_filter_option("--phase", 'Only trials of this phase ("1", "1/2", "2", "2/3", "3"); repeatable.'),
    histology=_filter_option(
        "--histology",
        "Only trials or cohorts whose histologies contain this text; repeatable. A trial's own "
        "figures count only when all its histologies match; otherwise its matching cohorts stand for it.",
    ),
    condition=_filter_option("--condition", "Only trials whose condition contains this text; repeatable."),
)
# the option behind each value the library may refuse, for its messages
OPTION_NAMES = {
    "agent": "--agent",
    "sponsor": "--sponsor",
    "class": "--class",
    "phase": "--phase",
    "histology": "--histology",
    "condition": "--condition",
    "threshold": "--threshold",
    "weeks": "--weeks",
    "regimen": "--regimen",
}


def _filters(**given: list[str] | None) -> Filters:
    return Filters(
        agents=tuple(given.get("agent") or ()),
        sponsors=tuple(given.get("sponsor") or ()),
        classes=tuple(given.get("drug_class") or ()),
        phases=tuple(given.get("phase") or ()),
        histologies=tuple(given.get("histology") or ()),
        conditions=tuple(given.get("condition") or ()),
    )


DATA = Group(
    "source",
    _options(
        data=(
            Annotated[
                list[Path] | None,
                typer.Option(
                    "--data",
                    help="Data folder (agents.yaml and one YAML file per trial); repeatable, the folders "
                    "read as one. Default: $IGF_DATA (folders separated by ':'), else the bundled "
                    "evidence base.",
                    show_default=False,
                ),
            ],
            None,
        ),
        no_cache=(
            Annotated[
                bool,
                typer.Option(
                    "--no-cache",
                    help="Parse every record file afresh instead of reusing the parse cache "
                    "(also IGF_NO_CACHE=1).",
                ),
            ],
            False,
        ),
    ),
    DataSource,
)
FILTERS = Group("filters", _options(**_FILTERS), _filters)
# `igf agents` filters the catalog only: agent, sponsor and class
AGENT_FILTERS = Group(
    "filters", _options(**{k: _FILTERS[k] for k in ("agent", "sponsor", "drug_class")}), _filters
)
OUTPUT = Group(
    "out",
    _options(
        fmt=(
            Annotated[
                Format,
                typer.Option("--format", "-f", help="Output format: a terminal table, or a machine format."),
            ],
            Format.table,
        ),
        no_color=(
            Annotated[
                bool,
                typer.Option(
                    "--no-color",
                    help="No colour or styling (also when NO_COLOR is set or output is not a terminal).",
                ),
            ],
            False,
        ),
        safe_csv=(
            Annotated[
                bool,
                typer.Option(
                    "--safe-csv",
                    help="In csv/tsv, prefix a cell that starts with = + - @ with a single quote, "
                    "so a spreadsheet shows it as text instead of running it as a formula.",
                ),
            ],
            False,
        ),
    ),
    Output,
)


def takes(*groups: Group) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the options of `groups`, where it declares each group's parameter."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        by_name = {g.name: g for g in groups}
        missing = set(by_name) - set(signature.parameters)
        if missing:
            raise TypeError(f"{command.__name__} takes no parameter {', '.join(sorted(missing))}")
        params = []
        for param in signature.parameters.values():
            # Typer passes every value by name, so each may be keyword-only wherever it stands
            expanded = by_name[param.name].params if param.name in by_name else (param,)
            params += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in expanded]

        @functools.wraps(command)
        def run(**given: Any) -> None:
            for group in groups:
                given[group.name] = group.build(**{p.name: given.pop(p.name) for p in group.params})
            command(**given)

        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        return run

    return decorate


# --- numbers and paths on the command line -------------------------------------------------------

_WHOLE = re.compile(r"[-+]?[0-9]+")
_PLAIN_KINDS: dict[type, type] = {}


def plain_values(command: Any) -> None:
    """Every number option and argument of `command` and its subcommands reads ASCII digits in plain
    notation only: click, through Python's int() and float(), would take nan, inf, 1_0, 1e-3 and
    fullwidth or Arabic-Indic digits, and nan passes every range check. And every path is named:
    an empty one (an unset $DIR in a script) would be this folder, read or written unasked."""
    for param in getattr(command, "params", ()):
        kind = type(param.type)
        if kind.__name__ in ("FloatParamType", "FloatRange", "IntParamType", "IntRange"):
            param.type.__class__ = _plain_kind(kind)
        elif kind.__name__ == "TyperPath":
            param.type.__class__ = _named_path(kind)
    for sub in getattr(command, "commands", {}).values():
        plain_values(sub)


def _named_path(kind: type) -> type:
    """`kind` (Typer's path type) refusing an empty path."""
    found = _PLAIN_KINDS.get(kind)
    if found is None:

        def convert(self: Any, value: Any, param: Any, ctx: Any) -> Any:
            if isinstance(value, str) and not value:
                self.fail("an empty path names no file or folder ('.' is this folder)", param, ctx)
            # a file's name whose last part is empty, "." or ".." names a folder; as a path it
            # would lose that part and name the file (`-o out/x.md/` or `out/x.md/.` writing out/x.md)
            names_file = str(getattr(param, "metavar", None) or "").startswith("FILE")
            last = value.replace(os.sep, "/").rsplit("/", 1)[-1] if isinstance(value, str) else None
            if names_file and value != "-" and last in ("", ".", ".."):
                self.fail(f"'{value}' names a folder; name a file", param, ctx)
            return kind.convert(self, value, param, ctx)  # type: ignore[attr-defined]

        found = _PLAIN_KINDS[kind] = type(f"Named{kind.__name__}", (kind,), {"convert": convert})
    return found


def _plain_kind(kind: type) -> type:
    """`kind` (one of click's number types) refusing any text that is not a plain number."""
    found = _PLAIN_KINDS.get(kind)
    if found is not None:
        return found
    from igfcli.stats import PLAIN_NUMBER

    whole = kind.__name__.startswith("Int")
    pattern = _WHOLE if whole else PLAIN_NUMBER
    example = "a whole number such as 2014" if whole else "a number such as 0.95"

    def convert(self: Any, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and not pattern.fullmatch(value.strip()):
            self.fail(f"{value!r} is not {example} (plain digits 0-9)", param, ctx)
        return kind.convert(self, value, param, ctx)  # type: ignore[attr-defined]

    found = _PLAIN_KINDS[kind] = type(f"Plain{kind.__name__}", (kind,), {"convert": convert})
    return found
