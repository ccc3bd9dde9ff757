"""The fast path, the msgspec accelerator, marshmallow and fastjsonschema agree on what is valid.

The hot loop (export_format.fastpath) decides validity for big files; the msgspec accelerator
(export_format.fastdecode) accepts before either; marshmallow (the source of truth) produces
messages; fastjsonschema runs the published, derived JSON Schema. If they ever disagreed, a
file could be accepted by one and refused by another. Whole files, both ways: see
test_export_format_accelerator.py.
"""
from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from fastjsonschema import JsonSchemaValueException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from export_format import fastdecode, fastpath, json_schema, rules, schemas

GOOD_ADDRESSES = ["ada@acme.example", "ADA@acme.example", "o'brien+x@sub.acme.example",
                  "a.b@xn--bcher-kva.example", "x@y.zz", "l" * 64 + "@b.example"]
BAD_ADDRESSES = ["", "a", "a@b", "a@b.example\n", "ü@x.example", "a..b@c.example",
                 "l" * 65 + "@b.example", "a@" + "b" * 250 + ".example", "a b@c.example"]

addresses = st.one_of(st.sampled_from(GOOD_ADDRESSES), st.sampled_from(BAD_ADDRESSES),
                      st.from_regex(r"\A[a-zA-Z0-9.+_-]{1,8}@[a-zA-Z0-9.-]{1,8}\Z"))
BAD_IDS = [0, -1, 2**53, 1.0, 2.5, "1", True, False, None]
BAD_FLAGS = ["true", 1, 0, None]
MUTATIONS = ["bad-id", "drop-id", "extra-key", "bad-address", "bad-flag", "second-primary",
             "no-primary", "case-duplicate", "drop-email-key", "extra-email-key", "emails-empty",
             "emails-dict", "email-not-dict", "record-not-dict", "too-many-emails"]


def _mutate(record: dict[str, Any], how: str, draw: Any) -> Any:
    """Break a valid record in one specific way (some 'breaks' keep it valid, by chance)."""
    emails, pick = record["emails"], draw(st.integers(0, len(record["emails"]) - 1))
    if how == "bad-id":
        record["id"] = draw(st.sampled_from(BAD_IDS))
    elif how == "drop-id":
        record.pop("id", None)
    elif how == "extra-key":
        record[draw(st.sampled_from(["login", "name", "Id"]))] = "x"
    elif how == "bad-address":
        emails[pick]["address"] = draw(addresses)
    elif how == "bad-flag":
        emails[pick]["primary"] = draw(st.sampled_from(BAD_FLAGS))
    elif how == "second-primary":
        emails[pick]["primary"] = True
    elif how == "no-primary":
        for email in emails:
            email["primary"] = False
    elif how == "case-duplicate":
        emails.append({"address": emails[pick]["address"].upper(), "primary": False})
    elif how == "drop-email-key":
        emails[pick].pop(draw(st.sampled_from(["address", "primary"])), None)
    elif how == "extra-email-key":
        emails[pick]["verified"] = True
    elif how == "emails-empty":
        record["emails"] = []
    elif how == "emails-dict":
        record["emails"] = emails[0]
    elif how == "email-not-dict":
        emails[pick] = draw(st.sampled_from([None, "x", 3, []]))
    elif how == "record-not-dict":
        return [record]
    elif how == "too-many-emails":
        emails.extend({"address": f"n{n}@many.example", "primary": False} for n in range(100))
    return record


@st.composite
def records(draw: Any) -> Any:
    """A valid user record broken in 0-2 ways (about 40% stay untouched)."""
    count = draw(st.integers(1, 4))
    chosen = draw(st.lists(st.sampled_from(GOOD_ADDRESSES), min_size=count, max_size=count,
                           unique_by=str.lower))
    primary = draw(st.integers(0, len(chosen) - 1))
    record: Any = {"id": draw(st.integers(1, 6)),
                   "emails": [{"address": a, "primary": i == primary}
                              for i, a in enumerate(chosen)]}
    untouched = draw(st.integers(0, 9)) < 4
    for how in [] if untouched else draw(st.lists(st.sampled_from(MUTATIONS), min_size=1,
                                                  max_size=2)):
        emails = record.get("emails") if isinstance(record, dict) else None
        if not isinstance(emails, list) or not emails or not all(
                isinstance(e, dict) and "address" in e for e in emails):
            break  # already broken beyond what _mutate can edit
        record = _mutate(record, how, draw)
    return record


def marshmallow_ok(record: Any) -> bool:
    """The source of truth's verdict on one record (fields and per-user rules)."""
    try:
        schemas.UserRecordSchema().load(record)
        return True
    except ValidationError:
        return False


def fastjsonschema_ok(record: Any) -> bool:
    """The published schema's verdict (plus the documented 'ids are JSON integers' rule)."""
    try:
        json_schema.compiled_validator("UserRecord")(copy.deepcopy(record))
    except JsonSchemaValueException:
        return False
    return type(record["id"]) is int


def msgspec_ok(users: list[Any]) -> bool:
    """The msgspec accelerator's verdict on a users array (it says "valid" or "don't know")."""
    accelerator = fastdecode.accelerator()
    assert accelerator is not None
    return accelerator.check(json.dumps(users).encode()) is not None


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(records())
def test_one_record_fast_path_agrees_with_marshmallow_and_fastjsonschema(record: Any) -> None:
    verdict = fastpath.scan_users([record])
    assert (verdict == fastpath.OK) == marshmallow_ok(record) == msgspec_ok([record])
    assert (verdict != fastpath.STRUCTURE) == fastjsonschema_ok(record)
    assert fastpath.scan_users([record], fastpath._check_with_fastjsonschema) == verdict
    if verdict == fastpath.RULES:
        assert rules.email_rule_problems(record["emails"])


@settings(FAST, max_examples=120)
@given(st.lists(records(), max_size=6))
def test_whole_array_verdicts_agree(users: list[Any]) -> None:
    verdict = fastpath.scan_users(users)
    try:
        schemas.PlainExportSchema().load({
            "format": schemas.FORMAT_ID, "format_version": 1,
            "generated_at": "2026-11-28T10:00:00Z", "users": users,
            "instance": {"server_id": "0b5c9a4e-1f0e-4c36-9d7c-3a1f2e4b5c6d",
                         "host_name": "h", "version": "3.15.2", "http_only": False,
                         "license": "sha256:" + "0" * 64, "public_key": "K", "features": []}})
        loaded = True
    except ValidationError:
        loaded = False
    assert (verdict == fastpath.OK) == loaded == msgspec_ok(users)
    assert fastpath.scan_users(users, fastpath._check_with_fastjsonschema) == verdict


@FAST
@given(st.text(max_size=80) | addresses)
def test_email_pattern_agrees_across_marshmallow_fastjsonschema_and_loop(address: str) -> None:
    shape = fastpath.record_shape()
    assert shape is not None
    by_loop = len(address) <= shape.address_max and shape.address_search(address) is not None
    record = {"id": 1, "emails": [{"address": address, "primary": True}]}
    assert by_loop == marshmallow_ok(record) == fastjsonschema_ok(record)


def test_shape_is_derived_from_the_schema() -> None:
    shape = fastpath.record_shape()
    assert shape is not None
    assert shape.record_keys == {"id", "emails"} and shape.email_keys == {"address", "primary"}
    assert (shape.id_min, shape.id_max) == (1, 2**53 - 1)
    assert (shape.emails_min, shape.emails_max, shape.address_max) == (1, 100, 254)


@pytest.mark.parametrize("edit", [
    lambda s: s["$defs"]["Email"]["properties"]["address"].__setitem__("minLength", 3),
    lambda s: s["$defs"]["UserRecord"]["properties"].__setitem__("name", {"type": "string"}),
    lambda s: s["$defs"]["UserRecord"].__setitem__("additionalProperties", True),
    lambda s: s["$defs"]["UserRecord"]["required"].remove("id"),
    lambda s: s["$defs"]["Email"]["properties"]["primary"].__setitem__("type", "string"),
])
def test_loop_refuses_a_schema_it_does_not_implement(edit: Any) -> None:
    schema = json_schema.users_json_schema()
    edit(schema)
    with pytest.raises(fastpath.ShapeMismatch):
        fastpath.derive_shape(schema)


def test_fallback_is_used_when_the_shape_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "record_shape", lambda: None)
    fastpath.record_check.cache_clear()
    monkeypatch.setattr(fastpath, "record_check", fastpath.record_check.__wrapped__)
    good = [{"id": 1, "emails": [{"address": "a@b.example", "primary": True}]}]
    assert fastpath.scan_users(good) == fastpath.OK
    assert fastpath.scan_users(good + good) == fastpath.RULES
    assert fastpath.scan_users([{**good[0], "login": "x"}]) == fastpath.STRUCTURE


@pytest.mark.parametrize(("pattern", "anchored"), [
    (r"^a\Z", True), (r"^(?:a|b)\Z", True), (r"^a|b", False), (r"(?m)^a", False), (r"a^", False),
    (r"(?:^a)", True), (r"\Aa", False), ("", False),
    (r"(?:^a)?b", False), (r"^[|(]a", True), (r"^a\|b", True), (r"(?x)^a", False)])
def test_match_stands_in_for_search_only_when_provably_equal(pattern: str, anchored: bool) -> None:
    compiled = re.compile(pattern)
    assert (fastpath.searcher(compiled) == compiled.match) == anchored
    assert fastpath.searcher(compiled) in (compiled.match, compiled.search)
