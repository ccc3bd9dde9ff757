"""Published schema versions and the breaking-change gate on the real schema.

The gate: the schema today's marshmallow source generates is compared with the last published
version, and every change the version bump made does not allow fails this test, one line per
incompatibility in plain words (rules: docs/export-format.md §7, code: export_format/compat.py).
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

import export_format
from export_format.compat import check_bump
from export_format.json_schema import export_json_schema, users_json_schema
from export_format.versions import (
    EXPORT_SCHEMA_NAME,
    SCHEMA_VERSION,
    USERS_SCHEMA_NAME,
    load_published,
    published_versions,
    schema_id,
)

ROOT = Path(__file__).resolve().parents[2]
GENERATED = {EXPORT_SCHEMA_NAME: export_json_schema, USERS_SCHEMA_NAME: users_json_schema}
HOW = ("bump SCHEMA_VERSION in export_format/versions.py by the part these changes need "
       "(docs/export-format.md §7), then run .venv/bin/python tools/gen_schema.py")


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_todays_schema_is_allowed_by_the_bump_from_the_last_published_version(name: str) -> None:
    versions = published_versions(name)
    previous = [v for v in versions if v < SCHEMA_VERSION]
    generated = GENERATED[name]()
    if SCHEMA_VERSION in versions:
        failures = check_bump(load_published(SCHEMA_VERSION, name), SCHEMA_VERSION, generated, SCHEMA_VERSION)
        assert not failures, f"published {name} {SCHEMA_VERSION} would change; {HOW}:\n" + "\n".join(failures)
    if previous:
        failures = check_bump(load_published(previous[-1], name), previous[-1], generated, SCHEMA_VERSION)
        assert not failures, (f"{name} {previous[-1]} → {SCHEMA_VERSION} breaks the rules:\n"
                              + "\n".join(failures))


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_every_published_step_was_allowed(name: str) -> None:
    versions = published_versions(name)
    for old, new in itertools.pairwise(versions):
        failures = check_bump(load_published(old, name), old, load_published(new, name), new)
        assert not failures, f"{name} {old} → {new}:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_each_published_file_carries_its_version_in_its_id(name: str) -> None:
    versions = published_versions(name)
    assert versions[-1] >= SCHEMA_VERSION, "the current version has no published file yet: run tools/gen_schema.py"
    for version in versions:
        schema = load_published(version, name)
        assert schema["$id"] == schema_id(name, version)
        assert schema["$id"].endswith(f"/{name}/{version}.json")


def test_format_version_in_the_file_is_the_model_number() -> None:
    assert SCHEMA_VERSION.model == export_format.FORMAT_VERSION
    schema = load_published(SCHEMA_VERSION)
    for form in ("PlainExport", "EncryptedExport"):
        assert schema["$defs"][form]["properties"]["format_version"]["enum"] == [SCHEMA_VERSION.model]


def test_the_published_files_are_reachable_under_fixtures_schema_and_the_old_names() -> None:
    current = f"{SCHEMA_VERSION}.json"
    export = (ROOT / "fixtures" / "schema" / EXPORT_SCHEMA_NAME / current).read_text(encoding="utf-8")
    assert json.loads(export) == load_published(SCHEMA_VERSION)
    old_export = ROOT / "fixtures" / "schema" / "license-usage-export.v1.schema.json"
    old_users = ROOT / "fixtures" / "schema" / "users.v1.schema.json"
    assert json.loads(old_export.read_text(encoding="utf-8"))["$id"] == schema_id(EXPORT_SCHEMA_NAME, SCHEMA_VERSION)
    assert json.loads(old_users.read_text(encoding="utf-8"))["$id"] == schema_id(USERS_SCHEMA_NAME, SCHEMA_VERSION)


def test_scenario_file_versions_step_as_schemaver_allows() -> None:
    """The scenario file's published versions (fixtures/schema/scenario-file/) follow the same gate:
    every step allowed by its bump, the newest the version the code writes (older files still load)."""
    from scenarios.file.json_schema import scenario_file_json_schema
    from scenarios.file.schemas import FORMAT_VERSION, FORMAT_VERSIONS

    root = ROOT / "fixtures" / "schema"
    versions = published_versions("scenario-file", root)
    assert [str(v) for v in versions] == [v.replace(".", "-") for v in FORMAT_VERSIONS]
    for old, new in itertools.pairwise(versions):
        failures = check_bump(load_published(old, "scenario-file", root), old,
                              load_published(new, "scenario-file", root), new)
        assert not failures, f"scenario-file {old} → {new}:\n" + "\n".join(failures)
    assert str(versions[-1]) == FORMAT_VERSION.replace(".", "-")
    assert load_published(versions[-1], "scenario-file", root) == scenario_file_json_schema()
