"""The command reference (docs/cli.md), written from the commands' own help so it cannot drift.

Run as `python -m igfcli.commands.docs docs/cli.md` (`make docs`); a test fails when
the file in the repository differs from what this writes.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import typer
import typer.main

HEADER = (
    "# Command reference\n\n"
    "Written by `make docs` from the commands' own help (`igf COMMAND --help` shows the same);\n"
    "do not edit by hand.\n"
)


def commands() -> list[tuple[str, typer.Context]]:
    """Every visible command as (full name, context), in the order `igf --help` lists them."""
    from igfcli.commands import app

    root = typer.main.get_command(app)
    out: list[tuple[str, typer.Context]] = []

    def walk(command: Any, name: str, parent: typer.Context | None) -> None:
        ctx = typer.Context(command, info_name=name.split()[-1], parent=parent)
        out.append((name, ctx))
        subcommands = getattr(command, "commands", {})
        for sub_name in command.list_commands(ctx) if subcommands else []:
            sub = subcommands[sub_name]
            if not sub.hidden:
                walk(sub, f"{name} {sub_name}", ctx)

    walk(root, "igf", None)
    return out


def render() -> str:
    parts = [HEADER]
    for name, ctx in commands():
        command = ctx.command
        parts.append(f"\n## `{name}`\n")
        parts.append("\n" + inspect.cleandoc(command.help or "") + "\n")
        usage = " ".join(command.collect_usage_pieces(ctx))
        parts.append(f"\n```\n{name} {usage}\n```\n")
        records = [r for r in (p.get_help_record(ctx) for p in command.get_params(ctx)) if r is not None]
        if records:
            parts.append("\n")
            parts.extend(f"- `{opts}`: {text}\n" for opts, text in records)
        subcommands = getattr(command, "commands", {})
        if subcommands:
            parts.append("\nCommands: " + ", ".join(f"`{name} {s}`" for s in subcommands) + ".\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    from igfcli.output.files import write_atomic

    if len(argv) != 1:
        sys.stderr.write("usage: python -m igfcli.commands.docs docs/cli.md\n")
        return 2
    write_atomic(Path(argv[0]), render(), force=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
