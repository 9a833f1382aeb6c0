"""The JSON Schemas accept every valid record and refuse the shape and type defects the loader refuses."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from igfcli.curation.schema import schema_text
from igfcli.model import ARM_ROLES, MEDIAN_UNITS, PHASES, STATUSES
from igfcli.records import agents as agent_keys
from igfcli.records import arms as arm_keys
from igfcli.records import figures as figure_keys
from igfcli.records import folder as loading
from igfcli.records import trials as trial_keys
from tests.conftest import DATA, REPO
from tests.helpers import SMALL_AGENTS, data_folder, igf

SHAPE = DATA / "shape"


@functools.cache  # checking the schema itself takes longer than validating a record against it
def _validator(kind: str) -> Draft202012Validator:
    schema = json.loads(schema_text(kind))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _trial_files(folder: Path) -> list[Path]:
    return [p for p in loading.trial_files(folder)] if folder.is_dir() else []


VALID_TRIALS = [
    *_trial_files(DATA / "small"),
    *_trial_files(REPO / "trials"),
    DATA / "ctgov" / "expected" / "doe-2009-alphamab.yaml",
]
VALID_CATALOGS = [p for p in (DATA / "small" / "agents.yaml", REPO / "trials" / "agents.yaml") if p.is_file()]


def _errors(kind: str, path: Path) -> list[str]:
    return [e.message for e in _validator(kind).iter_errors(yaml.safe_load(path.read_text()))]


@pytest.mark.parametrize("kind", ["trial", "agents"])
def test_igf_schema_prints_the_shipped_schema(kind: str) -> None:
    result = igf(*["schema", kind])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (REPO / "igfcli" / "curation" / "schemas" / f"{kind}.schema.json").read_text()
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", VALID_TRIALS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_records_pass(path: Path) -> None:
    assert _errors("trial", path) == []


@pytest.mark.parametrize("path", VALID_CATALOGS, ids=lambda p: str(p.parent.name))
def test_valid_catalogs_pass(path: Path) -> None:
    assert _errors("agents", path) == []


def test_numbers_where_text_may_be_one_pass_as_the_loader_reads_them(tmp_path: Path) -> None:
    # a code, an event's name or a histology written as a number reads as text: "no ';'" says
    # nothing of a number, so the schema passes them as the loader does
    catalog = tmp_path / "agents.yaml"
    catalog.write_text(
        "agents:\n  - name: alphamab\n    codes: [751871, AM-1]\n    history:\n"
        "      - {year: 2010, status: halted, indication: oncology, name: 2010, source: x}\n"
    )
    record = tmp_path / "t.yaml"
    record.write_text(
        (DATA / "small" / "trial-a.yaml")
        .read_text()
        .replace("histologies: [Ewing sarcoma]", "histologies: [123]")
    )
    assert "histologies: [123]" in record.read_text()
    assert _errors("agents", catalog) == [] and _errors("trial", record) == []
    (tmp_path / "a").mkdir()
    assert _loader_errors(tmp_path / "a", catalog=catalog) == []
    # and a ';' in text still fails both
    catalog.write_text(catalog.read_text().replace("name: 2010", "name: a;b"))
    (tmp_path / "b").mkdir()
    assert _errors("agents", catalog) != [] and _loader_errors(tmp_path / "b", catalog=catalog) != []


def test_a_new_record_passes(tmp_path: Path) -> None:
    folder = data_folder(tmp_path)
    args = [
        "new",
        "x",
        "--data",
        str(folder),
        "--regimen",
        "AM-1",
        "--phase",
        "2",
        "--title",
        "t",
        "--citation",
        "c",
    ]
    assert igf(*args).exit_code == 0
    assert _errors("trial", folder / "x.yaml") == []


def test_an_unfinished_skeleton_fails_as_the_loader_does() -> None:
    assert len(_errors("trial", DATA / "ctgov" / "expected" / "sands-2020.yaml")) == 6  # six TODO agents


def _loader_errors(tmp_path: Path, record: Path | None = None, catalog: Path | None = None) -> list[str]:
    folder = data_folder(tmp_path, *([record] if record else []), catalog=catalog or SMALL_AGENTS)
    return [p.message for p in loading.load(folder).errors]


@pytest.mark.parametrize("path", sorted(SHAPE.glob("*.yaml")), ids=lambda p: p.stem)
def test_shape_defects_fail_the_schema_and_the_loader(path: Path, tmp_path: Path) -> None:
    assert _errors("trial", path) != []
    assert _loader_errors(tmp_path, record=path) != []


@pytest.mark.parametrize("path", sorted((SHAPE / "agents").glob("*.yaml")), ids=lambda p: p.stem)
def test_catalog_shape_defects_fail_the_schema_and_the_loader(path: Path, tmp_path: Path) -> None:
    assert _errors("agents", path) != []
    assert _loader_errors(tmp_path, catalog=path) != []


def _properties(node: dict[str, Any]) -> set[str]:
    return set(node["properties"])


def test_schema_keys_are_the_loaders_keys() -> None:
    trial = json.loads(schema_text("trial"))
    defs = trial["$defs"]
    assert _properties(trial) == trial_keys.TRIAL_KEYS
    assert set(trial["required"]) == set(trial_keys.TRIAL_REQUIRED)
    assert _properties(defs["cohort"]) == trial_keys.COHORT_KEYS
    assert _properties(defs["response"]) == figure_keys.RESPONSE_KEYS
    also = defs["response"]["properties"]["also_reported"]["anyOf"][0]["items"]
    assert _properties(also) == figure_keys.ALSO_REPORTED_KEYS
    assert _properties(defs["pfs"]["items"]) == figure_keys.PFS_KEYS
    assert _properties(defs["source"]) == trial_keys.SOURCE_KEYS
    assert [p for p in trial["properties"]["phase"]["enum"] if isinstance(p, str)] == list(PHASES)
    agents = json.loads(schema_text("agents"))
    agent = agents["$defs"]["agent"]
    assert _properties(agent) == agent_keys.AGENT_KEYS
    assert tuple(agent["properties"]["status"]["enum"]) == STATUSES
    event = agents["$defs"]["event"]
    assert _properties(event) == agent_keys.EVENT_KEYS
    assert set(event["required"]) == set(agent_keys.EVENT_REQUIRED)
    assert tuple(event["properties"]["status"]["enum"]) == STATUSES
    assert _properties(defs["arm"]) == arm_keys.ARM_KEYS
    assert set(defs["arm"]["required"]) == set(arm_keys.ARM_REQUIRED)
    assert tuple(defs["arm"]["properties"]["role"]["enum"]) == ARM_ROLES
    assert _properties(defs["comparison"]) == arm_keys.COMPARISON_KEYS
    assert set(defs["comparison"]["required"]) == set(arm_keys.COMPARISON_REQUIRED)
    units = defs["comparison"]["properties"]["median_unit"]["anyOf"][0]["enum"]
    assert tuple(units) == MEDIAN_UNITS


@pytest.mark.parametrize(
    ("rate", "valid"),
    [
        ("14.2%", True),
        ("0%", True),
        ("100%", True),
        (" 5 %", True),
        (".5%", True),
        ("100.0%", True),
        ("100.1%", False),
        ("101%", False),
        ("14.2", False),
        ("-1%", False),
        ("1e1%", False),
        ("%", False),
        (0.142, True),
        (1, True),
        (0, True),
        (1.5, False),
        (-0.1, False),
    ],
)
def test_rates_agree_with_the_loader(rate: object, valid: bool) -> None:
    from igfcli.stats import RateError, parse_rate

    schema = json.loads(schema_text("trial"))
    rate_schema = {"$defs": schema["$defs"], **schema["$defs"]["rate"]}
    assert Draft202012Validator(rate_schema).is_valid(rate) is valid
    try:
        parse_rate(rate)
        loader_valid = True
    except RateError:
        loader_valid = False
    assert loader_valid is valid


_BASE = 'id: t\ntitle: T\nregimen: [alphamab]\nphase: "2"\nsources: [{citation: c}]\n'


@pytest.mark.parametrize(
    ("extra", "valid"),
    [
        ("response: {evaluable: 10, responders: null}\n", False),  # null is no figure
        ("response: {evaluable: 10, responders: null, reported_rate: 20%}\n", True),
        ("response: {evaluable: 10, responders: 2}\n", True),
        ("pfs: [{weeks: null, months: 3, rate: 10%}]\n", True),  # null is as if left out
        ("pfs: [{weeks: 12, months: null, rate: 10%}]\n", True),
        ("pfs: [{weeks: null, months: null, rate: 10%}]\n", False),
        ("pfs: [{weeks: 12, months: 3, rate: 10%}]\n", False),
    ],
)
def test_the_schema_and_the_loader_agree_on_nulls(tmp_path: Path, extra: str, valid: bool) -> None:
    record = tmp_path / "t.yaml"
    record.write_text(_BASE + extra)
    assert (_errors("trial", record) == []) is valid
    assert (_loader_errors(tmp_path / "folder", record=record) == []) is valid
