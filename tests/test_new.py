"""igf new: a valid record with every optional field as a commented hint, refused when it would clash."""

from __future__ import annotations

from pathlib import Path

import pytest

from igfcli.curation.scaffold import uncommented
from igfcli.records.folder import load
from tests.conftest import DATA, REPO
from tests.helpers import data_folder, igf

NEW = [
    "--regimen",
    "am-1, Betinib",
    "--phase",
    "1/2",
    "--title",
    "Alphamab: a first study",
    "--citation",
    "Doe J, et al. Made-up Journal. 2012;4:5-6",
    "--nct",
    "NCT01234567",
]

EXPECTED = """\
# Trial record. The commented lines are the optional fields: remove the '# '
# and replace TODO to use one (a TODO left in fails `igf validate`).
id: doe-2012-alphamab
title: "Alphamab: a first study"
regimen: [alphamab, betinib]
phase: "1/2"
# condition: TODO             # the disease, e.g. sarcoma
# histologies: [TODO]        # e.g. [Ewing sarcoma, osteosarcoma]
# enrolled: TODO              # patients enrolled (a count)
# response:
#   criteria: TODO            # e.g. RECIST 1.1
#   evaluable: TODO           # patients evaluable for response (a count)
#   responders: TODO          # complete + partial responses (a count)
#   reported_rate: TODO       # the rate as printed, e.g. 14.2%
#   also_reported:
#     - {rate: TODO, of: TODO, source: TODO}   # as another source printed it
# pfs:                         # progression-free rates; exactly one of weeks or months each
#   - {weeks: TODO, rate: TODO, evaluable: TODO}
# cohorts:
#   - name: TODO
#     histologies: [TODO]
#     enrolled: TODO
#     response: {evaluable: TODO, responders: TODO}
#     pfs: [{months: TODO, rate: TODO}]
# arms:                        # a randomised trial's arms; comparisons name them
#   - name: TODO
#     regimen: [TODO]         # catalog agents, each in the trial's regimen; [] for none
#     backbone: TODO          # what else every patient of the arm got, e.g. placebo
#     role: TODO              # experimental or control
#     enrolled: TODO
# comparisons:                 # hazard ratios, experimental arm against control arm
#   - endpoint: TODO          # PFS, OS, EFS, ...
#     experimental: TODO      # an arm's name
#     control: TODO
#     hr: TODO                # as printed, with its interval
#     ci_low: TODO
#     ci_high: TODO
#     p: TODO                 # optional; a bound as text, "<0.001"
#     source: TODO
sources:
  - citation: "Doe J, et al. Made-up Journal. 2012;4:5-6"
    # doi: TODO
    # pmid: TODO
    nct: NCT01234567
    # eudract: TODO
    # url: TODO
# notes: TODO
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The small sample data: agents.yaml and two trials."""
    return data_folder(tmp_path, *sorted((DATA / "small").glob("trial-*.yaml")))


@pytest.mark.parametrize(
    ("regimen", "written"),
    [
        (["--regimen", "CP-751,871"], "[figitumumab]"),  # a code of the catalog that holds a comma
        (["--regimen", "ganitumab", "--regimen", "figitumumab"], "[ganitumab, figitumumab]"),  # repeated
        (["--regimen", "ganitumab, CP-751,871"], None),  # split on commas: 'CP-751' is no agent
    ],
)
def test_the_regimen_may_be_repeated_and_a_code_may_hold_a_comma(
    tmp_path: Path, regimen: list[str], written: str | None
) -> None:
    folder = data_folder(tmp_path, catalog=REPO / "trials" / "agents.yaml")
    result = igf(
        "new", "x-2020", "--data", str(folder), *regimen, "--phase", "2", "--title", "T", "--citation", "C"
    )
    if written is None:
        assert result.exit_code == 2 and "'CP-751' is not in the agent catalog" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    assert f"regimen: {written}\n" in (folder / "x-2020.yaml").read_text()


def test_new_record_is_written_whole_and_valid(folder: Path) -> None:
    result = igf(*["new", "doe-2012-alphamab", "--data", str(folder), *NEW])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {folder}/doe-2012-alphamab.yaml\n"
    assert (folder / "doe-2012-alphamab.yaml").read_text() == EXPECTED
    check = igf(*["validate", "--data", str(folder), "--strict"])
    assert check.exit_code == 0, check.stderr
    assert check.stderr.endswith("0 errors, 0 warnings (3 trial records and 3 agents loaded)\n")


def test_given_optional_fields_replace_their_hints(folder: Path) -> None:
    args = [
        "--condition",
        "sarcoma",
        "--histology",
        "Ewing sarcoma",
        "--histology",
        "osteosarcoma",
        "--enrolled",
        "12",
        "--pmid",
        "123",
    ]
    result = igf(*["new", "x-1", "--data", str(folder), *NEW, *args])
    assert result.exit_code == 0, result.stderr
    text = (folder / "x-1.yaml").read_text()
    assert "\ncondition: sarcoma\nhistologies: [Ewing sarcoma, osteosarcoma]\nenrolled: 12\n" in text
    assert '\n    pmid: "123"\n' in text
    assert "# condition:" not in text and "# enrolled:" not in text
    assert igf(*["validate", "--data", str(folder)]).exit_code == 0


def test_every_hint_switched_on_unedited_fails_at_each_todo(folder: Path) -> None:
    igf(*["new", "doe-2012-alphamab", "--data", str(folder), *NEW])
    path = folder / "doe-2012-alphamab.yaml"
    path.write_text(uncommented(path.read_text()))
    problems = [p for p in load(folder).errors if p.path.endswith("doe-2012-alphamab.yaml")]
    # a single-arm trial's response and pfs and a randomised trial's arms, all switched on: the
    # whole-trial figures are refused beside arms, and every other problem is a TODO
    mixed = [p for p in problems if "TODO" not in p.message]
    assert [(p.field, p.message) for p in mixed] == [
        (key, f"a randomised trial gives its {key} by arm, not for the whole trial: move it to the arms")
        for key in ("response", "pfs")
    ]
    # one per hinted value: 3 top-level + 4 response + 3 also_reported + 3 pfs + 7 cohort
    # + 5 arm + 8 comparison + 4 source + notes
    assert len(problems) - len(mixed) == 38, "\n".join(map(str, problems))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trial-a", *NEW], "igf: error: 'trial-a' is already the id of {folder}/trial-a.yaml\n"),
        (
            ["x", *NEW[:1], "alfamab", *NEW[2:]],
            "igf: error: --regimen: 'alfamab' is not in the agent catalog; did you mean alphamab?\n",
        ),
        (
            ["x", *NEW[:1], "AM-1,alphamab", *NEW[2:]],
            "igf: error: --regimen: 'alphamab' is alphamab, already in the regimen\n",
        ),
        (
            ["../x", *NEW],
            "igf: error: '../x' cannot be an id: use ASCII letters (a-z, A-Z), digits, '-', '_' and '.', "
            "starting with a letter or digit, without .yaml\n",
        ),
        (
            ["Agents", *NEW],
            "igf: error: 'Agents' cannot be an id: agents.yaml is the folder's agent catalog\n",
        ),
        (
            ["ü-2010", *NEW],
            "igf: error: 'ü-2010' cannot be an id: use ASCII letters (a-z, A-Z), digits, '-', '_' and '.', "
            "starting with a letter or digit, without .yaml\n",
        ),
        (
            ["x.yaml", *NEW],
            "igf: error: 'x.yaml' cannot be an id: use ASCII letters (a-z, A-Z), digits, '-', '_' and '.', "
            "starting with a letter or digit, without .yaml\n",
        ),
    ],
)
def test_refusals(folder: Path, args: list[str], message: str) -> None:
    before = sorted(p.name for p in folder.iterdir())
    result = igf(*["new", "--data", str(folder), *args])
    assert result.exit_code == 2
    assert result.stderr == message.format(folder=folder)
    assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.parametrize(
    ("options", "messages"),
    [
        (["--title", ""], ["--title: is empty"]),
        (["--title", "  "], ["--title: is empty"]),
        (["--citation", ""], ["--citation: is empty"]),
        (
            ["--citation", "TODO"],
            ["--citation: 'TODO' is left for a curator: fill in this field or remove it"],
        ),
        (["--histology", "Ewing sarcoma", "--histology", ""], ["--histology: is empty"]),
        (["--condition", ""], ["--condition: is empty"]),
        (["--nct", "NCT0123456"], ["--nct: 'NCT0123456' is not an NCT id such as NCT01234567"]),
        (
            ["--pmid", "PMID24797726"],
            ["--pmid: 'PMID24797726' is not a PubMed id such as 24797726 (digits only)"],
        ),
        (
            ["--doi", "doi:10.1200/JCO.22.01815", "--title", ""],
            [
                "--title: is empty",
                "--doi: 'doi:10.1200/JCO.22.01815' is not a DOI such as 10.1200/JCO.2011.37.2359 "
                "(no https://doi.org/)",
            ],
        ),
    ],
)
def test_a_value_the_record_format_refuses_is_refused_before_anything_is_written(
    folder: Path, options: list[str], messages: list[str]
) -> None:
    # the record igf new writes passes igf validate: what it is given is held to the same rules
    before = sorted(p.name for p in folder.iterdir())
    result = igf("new", "x", "--data", str(folder), *NEW, *options)
    assert result.exit_code == 2
    # one line for each problem, the last saying that nothing was written
    said = [*messages[:-1], f"{messages[-1]}; nothing was written"]
    assert result.stderr == "".join(f"igf: error: {m}\n" for m in said)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_an_id_taken_in_a_subfolder_is_refused(folder: Path) -> None:
    (folder / "older").mkdir()
    (folder / "trial-a.yaml").rename(folder / "older" / "trial-a.yaml")
    result = igf(*["new", "trial-a", "--data", str(folder), *NEW])
    assert result.exit_code == 2
    assert result.stderr == f"igf: error: 'trial-a' is already the id of {folder}/older/trial-a.yaml\n"


def test_a_phase_outside_the_format_is_a_usage_error(folder: Path) -> None:
    result = igf(*["new", "x", "--data", str(folder), *NEW[:3], "4", *NEW[4:]])
    assert result.exit_code == 2
    assert not (folder / "x.yaml").exists()
