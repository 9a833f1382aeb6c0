"""Shell completion, the command reference, the pre-commit hook and the YAML writer."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from igfcli.commands import docs as clidocs
from igfcli.curation.scaffold import comment_text, scalar
from igfcli.names import first_invisible
from tests.conftest import DATA, REPO
from tests.helpers import igf


def _complete(words: str, shell: str = "bash") -> list[str]:
    """What the shell's completion script gets back from igf for the command line `words`."""
    env = {
        "_IGF_COMPLETE": f"complete_{shell}",
        "COMP_WORDS": words,  # bash
        "COMP_CWORD": str(len(words.split(" ")) - 1),
        "_TYPER_COMPLETE_ARGS": words,  # zsh, fish
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
    }
    result = igf(env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


def test_show_completes_trial_ids_from_the_data_folder() -> None:
    assert _complete(f"igf show --data {DATA / 'small'} tri") == ["trial-a", "trial-b"]
    assert _complete(f"igf show --data {DATA / 'small'} trial-b") == ["trial-b"]


def test_agent_option_completes_names_and_codes() -> None:
    assert _complete(f"igf trials --data {DATA / 'small'} --agent a") == ["alphamab"]
    assert _complete(f"igf trials --data {DATA / 'small'} --agent B") == ["BT-2"]
    assert _complete(f"igf agents --data {DATA / 'small'} --agent ") == [
        "alphamab",
        "AM-1",
        "betinib",
        "BT-2",
        "gammalimus",
    ]


def test_zsh_and_fish_completion_carry_the_agent_class() -> None:
    words = f"igf trials --data {DATA / 'small'} --agent be"
    assert _complete(words, "zsh") == [
        "_arguments",
        "'*:",
        ':(("betinib":"IGF-1R',
        "kinase",
        "inhibitor\"))'",
    ]
    assert _complete(words, "fish") == ["betinib", "IGF-1R", "kinase", "inhibitor"]


def test_completion_in_a_missing_folder_offers_nothing() -> None:
    assert _complete("igf show --data /nonexistent/folder t") == []
    assert _complete("igf trials --data /nonexistent/folder --agent a") == []


def test_command_reference_is_up_to_date() -> None:
    assert (REPO / "docs" / "cli.md").read_text() == clidocs.render(), "docs/cli.md is stale: run make docs"


def test_every_command_and_parameter_has_help() -> None:
    missing = []
    for name, ctx in clidocs.commands():
        if not (ctx.command.help or "").strip():
            missing.append(name)
        for param in ctx.command.get_params(ctx):
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{name} {param.name}")
    assert missing == []


def test_pre_commit_hook_runs_igf_validate_once_per_commit() -> None:
    import re

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    # the id curators name in their configuration, as the README and docs/tools.md show it
    for page in (REPO / "README.md", REPO / "docs" / "tools.md"):
        assert f"id: {hook['id']}" in page.read_text()
    # pre-commit installs the package and runs its script, once a commit, on record files only
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert all(re.search(hook["files"], name) for name in ("trials/a.yaml", "agents.yml"))
    assert not any(re.search(hook["files"], name) for name in ("a.json", "a.yaml.bak", "README.md"))
    assert hook["entry"].split()[0] == "igf"
    # what the hook runs, with the args docs/tools.md shows
    result = igf(*[*hook["entry"].split()[1:], "--data", str(DATA / "small")])
    assert result.exit_code == 0
    assert result.stderr.endswith("small: 0 errors, 0 warnings (2 trial records and 3 agents loaded)\n")


@given(st.text())
def test_written_text_reads_back_unchanged(text: str) -> None:
    written = scalar(text)
    assert yaml.safe_load(f"key: {written}\n") == {"key": text}
    # and holds no character a reader cannot see: an editor shows the value as YAML reads it
    assert first_invisible(written) is None
    assert first_invisible(comment_text(text)) is None


@given(st.integers(min_value=0))
def test_written_counts_read_back_unchanged(count: int) -> None:
    assert yaml.safe_load(f"key: {scalar(count)}\n") == {"key": count}


def _whole_app(*args: str) -> tuple[int, str]:
    """Exit code and stdout of the app with every command built, whatever the command line names."""
    from typer.main import get_command
    from typer.testing import CliRunner

    from igfcli.commands import build

    with CliRunner().isolation() as (stdout, _, _):
        code = get_command(build()).main(list(args), prog_name="igf", standalone_mode=False)
        return (code or 0), stdout.getvalue().decode()


def test_a_named_command_is_built_alone_and_answers_as_in_the_whole_app() -> None:
    from typer.main import get_command

    from igfcli.commands import app_for, build

    names = sorted(get_command(build()).commands)  # type: ignore[attr-defined]
    assert names == sorted(
        [
            "agents",
            "benchmark",
            "halted",
            "import",
            "init",
            "new",
            "randomised",
            "rank",
            "report",
            "schema",
            "show",
            "trials",
            "validate",
        ]
    )
    for name in names:
        alone = get_command(app_for([name, "--help"]))
        assert sorted(alone.commands) == [name]  # type: ignore[attr-defined]
        narrowed = igf(name, "--help")
        assert (narrowed.exit_code, narrowed.stdout) == _whole_app(name, "--help")
    # no command, an option first, an unknown command: the whole app, with its list or its "did you mean"
    for args in ([], ["--help"], ["--version"], ["rnak"]):
        assert sorted(get_command(app_for(args)).commands) == names  # type: ignore[attr-defined]
    typo = igf("rnak")
    assert typo.exit_code == 2
    assert typo.stderr == "igf: error: No such command 'rnak'. Did you mean 'rank'? (see 'igf --help')\n"


def test_the_columns_page_lists_every_machine_column_in_order() -> None:
    import re

    from tests.helpers import igf

    sections = re.split(r"^## `igf (\w+)`$", (REPO / "docs" / "columns.md").read_text(), flags=re.MULTILINE)
    documented = {
        command: [
            name
            for row in re.findall(r"^\| (`.+?`) \|", body.split("\n### ")[0], flags=re.MULTILINE)
            for name in re.findall(r"`(\w+)`", row)
        ]
        for command, body in zip(sections[1::2], sections[2::2], strict=True)
    }
    commands = {
        "trials": ["trials"],
        "agents": ["agents"],
        "rank": ["rank", "--by", "cohort"],  # the widest but for histology: trial and cohort columns too
        "halted": ["halted"],
        "benchmark": ["benchmark"],
        "randomised": ["randomised"],
        "show": ["show", "trial-a"],
    }
    assert sorted(documented) == sorted(commands)
    for command, args in commands.items():
        header = igf(*args, "--data", DATA / "small", "-f", "csv").stdout.splitlines()[0]
        assert documented[command] == header.split(","), command


def test_every_example_in_every_commands_help_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each `Example:` line of the help is run as written, in a folder that holds what the examples
    name: my-trials (from `igf init`) and study.json (a registry record)."""
    import shlex
    import shutil

    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / "ctgov" / "terminated.json", tmp_path / "study.json")
    examples = []
    for name, ctx in clidocs.commands():
        for line in (ctx.command.help or "").splitlines():
            if line.strip().startswith("Example: "):
                examples.append((name, line.strip().removeprefix("Example: ")))
    assert len(examples) >= 13
    # init first: later examples write into the folder it makes
    examples.sort(key=lambda e: e[0] != "igf init")
    for name, example in examples:
        words = shlex.split(example.split(" > ")[0])
        assert words[0] == "igf", example
        run = igf(*words[1:])
        # --check exits 1 when a row falls below the benchmark, as the bundled data has rows that do
        expected = 1 if "--check" in words else 0
        assert run.exit_code == expected, (name, example, run.stderr)


def test_the_columns_page_names_every_key_of_show_as_json() -> None:
    import json
    import re

    page = (REPO / "docs" / "columns.md").read_text().split("### `igf show ID --format json`")[1]
    rows = re.findall(r"^\|.*\|$", page, flags=re.MULTILINE)
    documented = {k for row in rows for k in re.findall(r"`(\w+)`", row)}
    detail = json.loads(igf("show", "rand-a", "--data", DATA / "randomised", "-f", "json").stdout)
    nested = {
        k
        for value in detail.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict)
        for k in item
    }
    assert set(detail) | nested <= documented


def test_every_module_has_one_role_and_fits_on_a_few_screens() -> None:
    # docs/architecture.md: no module over 400 lines, and only the command layer knows typer
    package = REPO / "igfcli"
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 40
    long = [str(m.relative_to(package)) for m in modules if len(m.read_text().splitlines()) > 400]
    assert long == []
    typer_outside = [
        str(m.relative_to(package))
        for m in modules
        if m.parent.name != "commands"
        and any(
            line.strip().startswith(("import typer", "from typer")) for line in m.read_text().splitlines()
        )
    ]
    assert typer_outside == []


def test_a_listing_that_names_what_its_rows_lack_is_refused_when_built() -> None:
    # a typo in a column's name is an error where the listing is made, not an empty column
    from igfcli.analyses.results import Column, Listing, Row, column, columns_of

    class Line(Row, frozen=True):
        name: str = column("Name", whole=True)
        kind: str = column("Class", key="class", mark=("flagged", "*"))
        flagged: bool = False

    columns = columns_of(Line)
    assert columns == (
        Column("name", "Name", "text", "", True, (), "name"),
        Column("class", "Class", "text", "", False, (("flagged", "*"),), "kind"),
    )
    assert columns_of(Line, omit=("name",), labels={"kind": "Kind"}) == (
        Column("class", "Kind", "text", "", False, (("flagged", "*"),), "kind"),
    )
    with pytest.raises(TypeError, match="Missing required argument 'kind'"):
        Line("a")  # a column declares a field, never a default for it
    assert Listing(columns, (Line("a", "b"),), table_columns=("name",)).display_columns() == columns[:1]
    with pytest.raises(ValueError, match=r"^listing names nmae, which its rows do not have$"):
        Listing(columns, (Line("a", "b"),), table_columns=("nmae",))
    with pytest.raises(ValueError, match=r"^Line has no field nmae$"):
        columns_of(Line, labels={"nmae": "Name"})


def test_every_mark_note_is_chosen_by_a_field_the_ranking_has() -> None:
    # mark_notes reads a field a row lacks as "no" (a benchmark row has no reported rate):
    # a misspelt field would silently drop its note, so each must be one the ranking's rows have
    from igfcli.analyses.ranking import RankRow
    from igfcli.analyses.terms import _MARK_NOTES

    assert [flag for _, flag in _MARK_NOTES] == ["evaluable_assumed", "reported_disagrees", "cohorts_summed"]
    assert all(flag in RankRow.__struct_fields__ for _, flag in _MARK_NOTES)
    assert {symbol for column in RankRow.__columns__ for _, symbol in column.marks} == {
        note[0] for note, _ in _MARK_NOTES
    }
