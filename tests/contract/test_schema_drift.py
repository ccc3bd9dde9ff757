"""The published JSON Schema of the export format is current, valid, and judges like the code.

fixtures/schema/*.json are GENERATED from the marshmallow schemas (export_format/schemas.py)
by export_format/json_schema.py. If this test fails after a schema change, regenerate:

    .venv/bin/python tools/gen_schema.py
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import export_format as ef
from export_format.json_schema import EXPORT_SCHEMA_PATH, USERS_SCHEMA_PATH, schema_files

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "fixtures" / "golden").glob("*.json"))
REGENERATE = "regenerate with: .venv/bin/python tools/gen_schema.py (then commit the result)"


@pytest.mark.parametrize("path", sorted(schema_files()), ids=lambda p: p.name)
def test_checked_in_schema_matches_the_code(path: Path) -> None:
    expected = schema_files()[path]
    assert path.exists(), f"{path.relative_to(ROOT)} is missing; {REGENERATE}"
    actual = path.read_text(encoding="utf-8")
    assert actual == expected, (f"{path.relative_to(ROOT)} differs from what export_format "
                                f"derives from the marshmallow schemas; {REGENERATE}")


def test_schema_says_it_is_ours_not_githubs() -> None:
    schema = json.loads(EXPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "NOT GitHub's format" in schema["description"]
    assert [branch["$ref"] for branch in schema["oneOf"]] == ["#/$defs/PlainExport",
                                                              "#/$defs/EncryptedExport"]


def test_every_object_in_the_schema_refuses_unknown_keys() -> None:
    schema = json.loads(EXPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    for name, definition in schema["$defs"].items():
        assert definition["type"] == "object" and definition["additionalProperties"] is False, name
        assert sorted(definition["required"]) == sorted(definition["properties"]), name


def _validators():
    """Independent 2020-12 implementations of the published files, when installed."""
    jsonschema = pytest.importorskip("jsonschema")
    export = json.loads(EXPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    users = json.loads(USERS_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(export)
    jsonschema.Draft202012Validator.check_schema(users)
    return jsonschema.Draft202012Validator(export), jsonschema.Draft202012Validator(users)


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden_files_are_valid_for_an_independent_validator(path: Path) -> None:
    export, users = _validators()
    raw = path.read_bytes()
    assert not list(export.iter_errors(json.loads(raw)))
    document = ef.parse_export(raw, ef.load_private_key())
    assert not list(users.iter_errors(document.users))


@pytest.mark.parametrize("edit", [
    lambda d: d["users"][0].__setitem__("login", "ada"),
    lambda d: d["users"][0]["emails"][0].__setitem__("address", "not-an-email"),
    lambda d: d["users"][0].__setitem__("id", 0),
    lambda d: d["instance"].__setitem__("license", "md5:1"),
    lambda d: d.__setitem__("format_version", 2),
    lambda d: d.pop("generated_at"),
    lambda d: d.__setitem__("encryption", {}),
])
def test_independent_validator_and_ours_refuse_the_same_files(edit) -> None:
    export, _ = _validators()
    data = json.loads((ROOT / "fixtures" / "golden" / "small.plain.json").read_bytes())
    edit(data)
    assert list(export.iter_errors(data))
    assert not ef.validate_bytes(json.dumps(data).encode()).ok


def test_patterns_work_in_a_non_python_regex_engine() -> None:
    """The patterns are meant for the ECMA-262 subset shared with Python; jsonschema_rs (Rust)
    compiles them with another engine, so a Python-only construct would show up here."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = json.loads(EXPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema_rs.validator_for(schema)
    for path in GOLDEN:
        assert validator.is_valid(json.loads(path.read_bytes())), path.name
    bad = json.loads((ROOT / "fixtures" / "golden" / "small.plain.json").read_bytes())
    bad["users"][0]["emails"][0]["address"] = "a@b.example\n"
    assert not validator.is_valid(bad)
