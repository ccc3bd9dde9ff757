"""Property-based agreement of every validator of the export, on whole documents from the schema.

Documents are generated from the published JSON Schema (export_strategies.py, leaves by
hypothesis-jsonschema). Every valid one must be accepted alike by marshmallow (the source of
truth), the compiled JSON Schema (fastjsonschema), the fast path (users loop), the msgspec
accelerator, the reference reader (validate_bytes) and GHEC's upload (Flask test client). Every
near-miss (one mutation) must be refused alike, and those that name a place must name the same
first problem path. Bounded here (EXPORT_FORMAT_EXAMPLES, default 15 each); `make fuzz` runs
thousands.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from export_strategies import near_misses, valid_plain_exports
from fastjsonschema import JsonSchemaValueException
from flask import Flask
from hypothesis import HealthCheck, given, settings
from marshmallow import ValidationError

import scenarios
from export_format import fastdecode, fastpath, json_schema, validate_bytes
from export_format.problems import ProblemList, json_path
from export_format.schemas import PlainExportSchema
from mock_ghec import create_app as create_ghec

EXAMPLES = int(os.environ.get("EXPORT_FORMAT_EXAMPLES", "15"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
SEED, PRESET = 1, "small"
NearMiss = tuple[dict[str, Any], tuple[Any, ...], str]  # document, path parts of the problem, kind


@pytest.fixture(scope="module")
def ghec() -> Iterator[tuple[Flask, str, str]]:
    """One in-process GHEC (its own ephemeral state), its main enterprise and owner token; its clock
    stands at the end of time, so no generated `generated_at` is from GHEC's future (file_rules.py)."""
    app = create_ghec({"TESTING": True, "SEED": SEED, "SCENARIO": PRESET})
    app.extensions["mock"].clock.set(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), freeze=True)
    main = scenarios.build(SEED, PRESET).enterprises[0]
    yield app, main.slug, scenarios.build(SEED, PRESET).tokens[f"ghec:{main.slug}:owner"]
    app.extensions["mock"].db.close()


def _upload(ghec: tuple[Flask, str, str], raw: bytes) -> tuple[int, list[str]]:
    """GHEC's "Add server usage" for programs: the status and the problem paths it lists."""
    app, slug, token = ghec
    # ?force=true: generated files of one server come in any order of generated_at (older ones are a 409)
    answer = app.test_client().post(f"/enterprises/{slug}/server-usage?force=true", data=raw,
                                    headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    body = answer.get_json(silent=True) or {}
    return answer.status_code, [p["path"] for p in body.get("problems", [])]


def _marshmallow_paths(doc: Any) -> list[str]:
    """marshmallow's problem paths, in the order the reader lists them."""
    try:
        PlainExportSchema().load(doc)
    except ValidationError as error:
        found = ProblemList()
        found.add_marshmallow("$", error.messages)
        return [p.path for p in found.finish()]
    return []


_KEY = re.compile(r"must (?:not )?contain [\[{]'(.+?)'")


def _fastjsonschema_path(doc: Any) -> str | None:
    """The compiled JSON Schema's (first and only) problem path; None when it accepts.

    fastjsonschema names a missing or unknown key at its object, in the message: the path
    used here adds the key, as the reader does (`$.instance.host_name: missing required key`).
    """
    try:
        json_schema.compiled_validator("PlainExport")(doc)
    except JsonSchemaValueException as error:
        parts: list[str | int] = [int(p) if str(p).isdigit() else p for p in error.path[1:]]
        if error.rule in ("required", "additionalProperties"):
            key = _KEY.search(error.message)
            parts += [key.group(1)] if key else []
        return json_path("$", parts)
    return None


def _users_verdicts(users: Any) -> tuple[bool, bool]:
    """(fast path accepts, msgspec accelerator accepts) for a users array."""
    accel = fastdecode.accelerator()
    assert accel is not None, "the msgspec accelerator is off: the schema grew a keyword it does not know"
    loop_ok = isinstance(users, list) and fastpath.scan_users(users) == fastpath.OK
    return loop_ok, accel.check(json.dumps(users).encode()) is not None


@SETTINGS
@given(doc=valid_plain_exports())
def test_every_validator_accepts_a_generated_valid_export(ghec: tuple[Flask, str, str], doc: dict[str, Any]) -> None:
    raw = json.dumps(doc).encode()
    assert _marshmallow_paths(doc) == []
    assert _fastjsonschema_path(doc) is None
    assert _users_verdicts(doc["users"]) == (True, True)
    result = validate_bytes(raw)
    assert result.ok, [str(p) for p in result.problems]
    assert _upload(ghec, raw) == (201, [])


@SETTINGS
@given(case=near_misses())
def test_every_validator_refuses_a_near_miss_at_the_same_first_path(ghec: tuple[Flask, str, str],
                                                                     case: NearMiss) -> None:
    doc, parts, kind = case
    expected = json_path("$", parts)
    raw = json.dumps(doc).encode()
    reference = [p.path for p in validate_bytes(raw).problems]
    assert reference and reference[0] == expected, (kind, reference)
    marshmallow = _marshmallow_paths(doc)
    if parts != ("format_version",):  # the reader stops at an unknown version before marshmallow
        assert marshmallow and marshmallow[0] == expected, (kind, marshmallow)
    assert _fastjsonschema_path(doc) == expected, kind
    status, uploaded = _upload(ghec, raw)
    assert status in (400, 422) and uploaded and uploaded[0] == expected, (status, uploaded)
    if parts[:1] == ("users",) and len(parts) > 1:  # the loop and the accelerator judge a users array only
        assert _users_verdicts(doc["users"]) == (False, False)
    elif isinstance(doc.get("users"), list):
        assert _users_verdicts(doc["users"]) == (True, True)  # untouched users stay accepted
