"""igf import ctgov: registry JSON to record skeletons, checked whole against expected files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from igfcli.curation.ctgov import record_id, surname
from igfcli.curation.registry import Intervention, Study, read_studies
from tests.conftest import DATA
from tests.helpers import data_folder, igf

CTGOV = DATA / "ctgov"
EXPECTED = CTGOV / "expected"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A data folder holding only the small agent catalog."""
    return data_folder(tmp_path)


def _import(folder: Path, *args: str, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
    return igf(*["import", "ctgov", "--data", str(folder), *args], input=stdin)


def test_a_study_with_no_agent_of_the_catalog_is_named_and_not_written(folder: Path) -> None:
    # the real NCT04267848 is a lung-cancer immunotherapy trial: nothing in it is an IGF-1R agent
    result = _import(folder, str(CTGOV / "NCT04267848.json"))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "igf: NCT04267848: none of its interventions is in the agent catalog, "
        "so no record was written (--all writes one)\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["agents.yaml"]


def test_real_record_becomes_the_expected_skeleton(folder: Path) -> None:
    result = _import(folder, str(CTGOV / "NCT04267848.json"), "--all")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"wrote {folder}/sands-2020.yaml (NCT04267848)\n"
        "  TODO regimen: Carboplatin is not in the agent catalog\n"
        "  TODO regimen: Cisplatin is not in the agent catalog\n"
        "  TODO regimen: Gemcitabine Hydrochloride is not in the agent catalog\n"
        "  TODO regimen: Paclitaxel is not in the agent catalog\n"
        "  TODO regimen: Pembrolizumab is not in the agent catalog\n"
        "  TODO regimen: Pemetrexed Disodium is not in the agent catalog\n"
    )
    assert (folder / "sands-2020.yaml").read_text() == (EXPECTED / "sands-2020.yaml").read_text()


def test_unfinished_skeleton_fails_validation_at_each_todo(folder: Path) -> None:
    assert _import(folder, str(CTGOV / "page.json"), "--all").exit_code == 0
    result = igf(*["validate", "--data", str(folder)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "left for a curator" in line]
    assert [line.split(": ", 1)[1] for line in lines] == [
        "regimen[0]: 'TODO: the registry lists no drug; name the agents' is left for a curator: "
        "fill in this field or remove it",
        "phase: 'TODO: the registry gives no phase' is left for a curator: fill in this field or remove it",
        "regimen[1]: 'TODO: Paclitaxel' is left for a curator: fill in this field or remove it",
    ]


def test_terminated_trial_mapped_through_other_names_loads_cleanly(folder: Path) -> None:
    result = _import(folder, str(CTGOV / "terminated.json"))
    assert result.stdout == f"wrote {folder}/doe-2009-alphamab.yaml (NCT00000101)\n"
    written = (folder / "doe-2009-alphamab.yaml").read_text()
    assert written == (EXPECTED / "doe-2009-alphamab.yaml").read_text()
    assert (
        "Overall status: TERMINATED. Why stopped: Sponsor decision to halt the development program."
        in written
    )
    assert "enrolled: 37  # ACTUAL enrolment in the registry" in written  # "37" arrived as text
    check = igf(*["validate", "--data", str(folder), "--strict"])
    assert check.exit_code == 0, check.stderr
    show = igf(*["show", "doe-2009-alphamab", "--data", str(folder), "--format", "json"])
    assert '"enrolled": 37' in show.stdout


def test_page_gives_one_record_per_study_and_keeps_an_estimated_enrolment_out_of_enrolled(
    folder: Path,
) -> None:
    result = _import(folder, str(CTGOV / "page.json"), "--all")
    assert result.stdout == (
        f"wrote {folder}/spc-2011-betinib.yaml (NCT00000202)\n"
        "  TODO regimen: Paclitaxel is not in the agent catalog\n"
        f"wrote {folder}/NCT00000303.yaml (NCT00000303)\n"
        "  TODO regimen: the registry lists no drug\n"
        "  TODO phase: the registry gives no phase\n"
    )
    for name in ("spc-2011-betinib.yaml", "NCT00000303.yaml"):
        assert (folder / name).read_text() == (EXPECTED / name).read_text()
    betinib = (folder / "spc-2011-betinib.yaml").read_text()
    assert "\nenrolled:" not in betinib
    assert "# enrolled: TODO    # the registry gives 60 (ESTIMATED), not a count" in betinib
    assert "Enrolment: 60 (ESTIMATED)." in betinib


def test_dry_run_prints_and_writes_nothing(folder: Path) -> None:
    result = _import(folder, "--dry-run", "-", stdin=(CTGOV / "terminated.json").read_bytes())
    assert result.exit_code == 0, result.stderr
    expected = (EXPECTED / "doe-2009-alphamab.yaml").read_text()
    assert result.stdout == f"# {folder}/doe-2009-alphamab.yaml\n{expected}"
    assert sorted(p.name for p in folder.iterdir()) == ["agents.yaml"]


def test_existing_record_is_kept_unless_forced(folder: Path) -> None:
    (folder / "doe-2009-alphamab.yaml").write_text("kept\n")
    result = _import(folder, str(CTGOV / "terminated.json"), str(CTGOV / "page.json"), "--all")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{folder}/doe-2009-alphamab.yaml: 'doe-2009-alphamab' is already the id of "
        f"{folder}/doe-2009-alphamab.yaml\n"
        "igf: error: nothing was imported; use --force to overwrite\n"
    )
    assert (folder / "doe-2009-alphamab.yaml").read_text() == "kept\n"
    assert not (folder / "spc-2011-betinib.yaml").exists()
    forced = _import(folder, "--force", str(CTGOV / "terminated.json"))
    assert forced.exit_code == 0, forced.stderr
    assert (folder / "doe-2009-alphamab.yaml").read_text() == (
        EXPECTED / "doe-2009-alphamab.yaml"
    ).read_text()


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "not_json.json",
            "not_json.json:1:70: not valid JSON: Expecting property name enclosed in double quotes",
        ),
        (
            "count_as_words.json",
            "count_as_words.json: $.protocolSection.designModule.enrollmentInfo.count: "
            'should be a count of participants, not text ("about forty")',
        ),
        (
            "api_v1.json",
            "api_v1.json: $: not a ClinicalTrials.gov study record (this is the retired API v1 format; "
            "download the study again from the v2 API)",
        ),
        (
            "bad_nct_id.json",
            "bad_nct_id.json: $.studies[0].protocolSection.identificationModule.nctId: "
            "'NCT123' is not an NCT id such as NCT01234567",
        ),
        (
            "module_as_list.json",
            "module_as_list.json: $.protocolSection.conditionsModule: should be an object, not a list",
        ),
        # a Latin-1 é: where it stands and what byte it is, as a record file's message says
        ("not_utf8.json", "not_utf8.json:2:70: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    ],
)
def test_bad_registry_files_name_the_file_and_json_path(folder: Path, fixture: str, message: str) -> None:
    path = CTGOV / "bad" / fixture
    result = _import(folder, str(CTGOV / "terminated.json"), str(path))
    assert result.exit_code == 2
    assert result.stderr == f"{CTGOV / 'bad'}/{message}\nigf: error: nothing was imported\n"
    assert sorted(p.name for p in folder.iterdir()) == ["agents.yaml"]


def test_missing_file_and_duplicate_study_are_refused(folder: Path) -> None:
    missing = _import(folder, str(folder / "nope.json"))
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"{folder}/nope.json: cannot be read: No such file or directory\n")
    twice = _import(folder, str(CTGOV / "terminated.json"), str(CTGOV / "terminated.json"))
    assert twice.exit_code == 2
    assert "NCT00000101 is also the study at" in twice.stderr


@pytest.mark.parametrize("page", ['{"studies": []}', "[]"])
def test_a_page_of_no_study_says_so(folder: Path, page: str, tmp_path: Path) -> None:
    # a search that found nothing: said, with a non-zero exit, not a silent success
    empty = tmp_path / "empty.json"
    empty.write_text(page)
    for result, named in (
        (_import(folder, str(empty)), str(empty)),
        (_import(folder, "-", stdin=page.encode()), "<stdin>"),
    ):
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"{named}: no study in it\nigf: error: nothing was imported\n"
    assert sorted(p.name for p in folder.iterdir()) == ["agents.yaml"]
    # beside a page of studies too: every record or none
    both = _import(folder, str(CTGOV / "terminated.json"), str(empty))
    assert (both.exit_code, both.stderr) == (
        2,
        f"{empty}: no study in it\nigf: error: nothing was imported\n",
    )
    assert sorted(p.name for p in folder.iterdir()) == ["agents.yaml"]


def test_counts_may_arrive_as_text() -> None:
    raw = (
        b'{"protocolSection": {"identificationModule": {"nctId": "NCT00000707"},'
        b' "designModule": {"enrollmentInfo": {"count": " 12 ", "type": "ACTUAL"}}}}'
    )
    (study,) = read_studies(raw, "x.json")
    assert (study.enrollment, study.enrollment_type) == (12, "ACTUAL")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jacob M Sands", "Sands"),
        ("Sands, Jacob M", "Sands"),
        ("Jacob Sands, MD", "Sands"),
        ("Dr. Jacob Sands, M.D., Ph.D.", "Sands"),
        ("MD", ""),
    ],
)
def test_surname(name: str, expected: str) -> None:
    assert surname(name) == expected


def test_id_falls_back_to_the_nct_id_without_a_year() -> None:
    study = Study(
        nct_id="NCT00000808", origin="x", lead_sponsor="Pfizer", interventions=(Intervention("DRUG", "x"),)
    )
    assert record_id(study, ["figitumumab"]) == "NCT00000808"
    dated = Study(nct_id="NCT00000808", origin="x", lead_sponsor="Pfizer", start_year=2008)
    assert record_id(dated, ["figitumumab"]) == "pfizer-2008-figitumumab"


def test_an_arm_keeps_its_agent_when_two_interventions_name_that_agent(folder: Path) -> None:
    # "Alphamab" and its code "AM-1" entered as two interventions, each arm naming one of them:
    # both arms are alphamab's, the regimen lists it once, with both interventions beside it
    arms = {
        "interventions": [
            {"type": "DRUG", "name": "Alphamab"},
            {"type": "DRUG", "name": "AM-1"},
            {"type": "DRUG", "name": "Gemcitabine"},
        ],
        "armGroups": [
            {"label": "Alphamab 10", "type": "EXPERIMENTAL", "interventionNames": ["Drug: Alphamab"]},
            {
                "label": "AM-1 20",
                "type": "EXPERIMENTAL",
                "interventionNames": ["Drug: AM-1", "Drug: Gemcitabine"],
            },
        ],
    }
    page = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT00000404", "briefTitle": "Alphamab at two doses"},
            "armsInterventionsModule": arms,
        }
    }
    source = folder.parent / "study.json"
    source.write_text(json.dumps(page))
    result = _import(folder, "--dry-run", str(source))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "regimen:\n  - alphamab  # Drug: Alphamab; Drug: AM-1\n" in text
    assert text.count("    regimen: [alphamab]\n") == 2, text
    assert "    backbone: Gemcitabine  # the arm's other drugs in the registry\n" in text
