"""The quick loader (scenarios/file/fast.py, generated from the marshmallow schemas) agrees with marshmallow.

marshmallow is the format's source of truth and says what is wrong; the quick loader decides
alone only that a document is well formed, and then gives what `ScenarioFileSchema().load`
gives. So, on good documents and on near-misses of one (every field of every kind of object
given each value of a pool of awkward ones, dropped, or joined by an unknown key): whenever
marshmallow refuses, the quick loader gives up; whenever the quick loader loads, marshmallow
loads the same. It may give up on what marshmallow would coerce (a Boolean written "yes"):
marshmallow then loads it, slower, the same.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from marshmallow import Schema, ValidationError, fields, validate

import scenarios
from scenarios.file import load_document
from scenarios.file.dump import dump_document
from scenarios.file.fast import compiled, email_check, fast_load, source
from scenarios.file.schemas import Key, ScenarioFileSchema, Seats

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures" / "scenarios").glob("*.yaml"))

#: One of every kind of object the format has, every field stated.
EVERYTHING: dict[str, Any] = {
    "version": "1.0.1", "seed": 3, "name": "everything",
    "generate": {"preset": "small", "people": 12, "ghes_instances": 1, "overlap": 0.5, "edge_cases": False,
                 "locales": ["en_US"], "unlimited_seats": False},
    "people": [{"id": "ann", "name": "Ann", "locale": "en_GB", "work_email": "ann@corp.example",
                "personal_email": "ann@home.example"}, {"id": 70, "name": "Seventy"}],
    "enterprises": [{
        "slug": "corp", "name": "Corp", "id": 5, "seats_purchased": 20, "verified_domains": ["corp.example"],
        "saml": True, "managed_users": False, "owner": "boss", "member": "ann-gh",
        "organizations": [{"name": "eng", "saml": False,
                           "repositories": [{"name": "app", "visibility": "internal", "fork": False}]}],
        "accounts": [
            {"login": "boss", "id": 11, "name": "Boss", "person": 70, "emails": [{"address": "b@corp.example"}],
             "orgs": {"eng": "owner"}, "enterprise_owner": True, "two_factor": True},
            {"login": "ann-gh", "person": "ann", "emails": [{"address": "ann@corp.example", "verified": False}],
             "orgs": {"eng": "member"}, "pending_invitations": ["eng"], "collaborator_on": ["eng/app"],
             "enterprise_billing_manager": False, "setup_enterprise": False, "suspended": False,
             "guest_collaborator": False, "scim_external_id": "x-1", "role": "member",
             "saml": {"provider": "scim", "name_id": "ann@corp.example", "username": "ann", "name": "Ann",
                      "emailaddress": "ann@corp.example", "emails": ["ann@corp.example"]},
             "visual_studio": {"email": "ann@corp.example", "linked": True}}],
        "invitations": [{"id": 2, "org": "eng", "role": "admin", "login": "newbie", "failed": False,
                         "repositories": ["eng/app"]}, {"org": "eng", "email": "x@corp.example"}],
        "visual_studio_unlinked": [{"id": 9, "email": "vs@corp.example"}],
        "tokens": [{"key": "reader", "kind": "classic", "scopes": ["read:enterprise"], "login": "boss"}]}],
    "ghes": [{
        "host_name": "ghes.corp.example", "server_id": "0f9d1c1e-9e3b-4c55-8a1e-2a1d6c1f0b7e",
        "version": "3.16.1", "seats": 50, "license_kind": "standard", "expire_at": "2027-01-01T00:00:00Z",
        "license_enabled_at": "2025-01-01T00:00:00+02:00", "connect": False, "license_sync": True,
        "admin": "root", "member": "ann",
        "accounts": [
            {"login": "root", "id": 1001, "name": "Root", "kind": "user", "site_admin": True, "suspended": False,
             "dormant": False, "created_at": "2024-01-01T00:00:00Z", "last_active_at": None, "canary": "c-1",
             "emails": [{"address": "root@corp.example", "primary": True}]},
            {"login": "ann", "person": "ann", "last_active_at": "2026-01-02T03:04:05.123456-05:00",
             "emails": [{"address": "ann@corp.example"}, {"address": "ann2@corp.example", "primary": True}]}],
        "tokens": [{"key": "pat", "kind": "fine_grained"}]}],
}

#: Values a field may be given by mistake (or rightly): each type, its edges, its near-misses.
AWKWARD: list[Any] = [
    None, True, False, 0, 1, -1, 7, 2**70, 1.0, 0.5, float("nan"), "", "x", "yes", "1", "true", "off",
    "unlimited", "owner", "member", "admin", "saml", "scim", "classic", "user", "bot", "private", "3.16.1",
    "a@b.example", "A.B+c@sub.corp.example", "not-an-email", "a@localhost", "a@[10.0.0.1]", "a@b.example\n",
    '"q u"@corp.example', "a@@b.example", "ü@corp.example", "a@bücher.example",
    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01", "2026-13-01T00:00:00Z", "20260101T000000Z",
    "0f9d1c1e-9e3b-4c55-8a1e-2a1d6c1f0b7e", "not-a-uuid", "-bad-", "a" * 39, "a" * 40, "a" * 101,
    "read:enterprise", "Read:x", "eng", "eng/app", [], ["x"], [""], [1], [None], [{}], {}, {"eng": "member"},
    {"eng": "admin"}, {"eng": 1}, {1: "member"}, {"address": "a@b.example"}, {"name_id": "n"},
]


def _objects(schema: Schema, node: Any, where: str = "$") -> Iterator[tuple[str, Schema, dict[str, Any]]]:
    """Every object of a document with the schema it is loaded with."""
    yield where, schema, node
    for key, field in schema.load_fields.items():
        value, inner = node.get(key), field
        if isinstance(field, fields.List):
            inner = field.inner
        if not isinstance(inner, fields.Nested) or value is None:
            continue
        for n, item in enumerate(value if isinstance(value, list) else [value]):
            yield from _objects(inner.schema, item, f"{where}.{key}[{n}]" if isinstance(value, list) else
                                f"{where}.{key}")


def _coerced(field: Any, value: Any) -> bool:
    """Whether marshmallow coerces `value` for `field` where the quick loader leaves it to marshmallow."""
    return isinstance(field, fields.Boolean) and not isinstance(value, bool)


REFERENCE = ScenarioFileSchema()


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 == True, but a Boolean loaded as 1 is wrong)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _agree(document: dict[str, Any], coerced: bool = False) -> None:
    """marshmallow refuses -> the quick loader gives up; the quick loader loads -> marshmallow loads the same."""
    quick = fast_load(REFERENCE, document)
    try:
        reference = REFERENCE.load(document)
    except ValidationError:
        assert quick is None, "the quick loader loaded what marshmallow refuses"
        return
    if quick is None:
        assert coerced, "the quick loader gave up on a plainly valid document"
    else:
        assert _same(quick, reference)


def test_the_quick_loader_is_generated_for_the_format() -> None:
    assert compiled(ScenarioFileSchema) is not None
    generated = source(ScenarioFileSchema)
    assert "def load_GhesAccountSchema" in generated and "FIELD" in generated  # UUID, Float: marshmallow's own


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_the_fixture_files_load_the_same(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _same(fast_load(ScenarioFileSchema(), document), ScenarioFileSchema().load(document))


@pytest.mark.parametrize("name", ["small", "edge-cases"])
def test_dumped_presets_load_the_same(name: str) -> None:
    document = json.loads(json.dumps(dump_document(scenarios.build(1, name)), default=str))
    assert _same(fast_load(ScenarioFileSchema(), document), ScenarioFileSchema().load(document))


def test_a_document_stating_every_field_loads_the_same() -> None:
    assert _same(fast_load(ScenarioFileSchema(), EVERYTHING), ScenarioFileSchema().load(EVERYTHING))
    load_document(copy.deepcopy(EVERYTHING))  # and it is a world


KINDS = sorted({type(schema).__name__ for _, schema, _ in _objects(ScenarioFileSchema(), EVERYTHING)})


@pytest.mark.parametrize("kind", KINDS)
def test_near_misses_get_the_same_verdict(kind: str) -> None:
    document = copy.deepcopy(EVERYTHING)
    cases = 0
    for where, schema, node in _objects(ScenarioFileSchema(), document):
        if type(schema).__name__ != kind:
            continue
        for key, field in schema.load_fields.items():
            had, kept = key in node, node.get(key)
            for value in AWKWARD:
                node[key] = value
                _agree(document, _coerced(field, value))
                cases += 1
            node.pop(key, None)
            _agree(document)
            if had:
                node[key] = kept
        node["colour"] = "blue"
        _agree(document)
        del node["colour"]
        assert document == EVERYTHING, where
    assert cases


@pytest.mark.parametrize("where", ["people", "enterprises", "ghes"])
@pytest.mark.parametrize("value", [None, 1, "x", {}, [None], [1], ["x"], [[]]])
def test_a_list_of_objects_holding_something_else_is_left_to_marshmallow(where: str, value: Any) -> None:
    _agree({**EVERYTHING, where: value})


@pytest.mark.parametrize("document", [None, [], "x", {"people": []}, {"version": "1.0.1", 1: 2}])
def test_not_a_document_is_left_to_marshmallow(document: Any) -> None:
    assert fast_load(ScenarioFileSchema(), document) is None


ADDRESSES = [value for value in AWKWARD if isinstance(value, str)] + [
    "a@b", "a@b.c", "a.@b.example", ".a@b.example", "a@-b.example", "a@b-.example", "a@" + "b" * 63 + ".example",
    "a@" + "b" * 64 + ".example", "a@b.toolongtld", "a@b.x1", "@b.example", "a@", "a b@c.example", "a@b..example",
    "x@y@z.example", "ok@localhost", "bad user@localhost", "ok@b.example"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_email_check_is_marshmallows_email_validator(address: str) -> None:
    validator = validate.Email()
    try:
        validator(address)
        expected = True
    except ValidationError:
        expected = False
    assert email_check(validator)(address) is expected
    seasoned = email_check(validator)  # one that has judged other addresses (it keeps domains' verdicts)
    for other in ADDRESSES:
        seasoned(other)
    assert seasoned(address) is expected


@pytest.mark.parametrize("field", [Key(), Seats()], ids=["Key", "Seats"])
@pytest.mark.parametrize("value", AWKWARD, ids=repr)
def test_the_format_fields_accept_what_they_deserialize(field: Any, value: Any) -> None:
    try:
        kept = field.deserialize(value)
    except ValidationError:
        assert not field.accepts(value)
    else:
        assert field.accepts(value) and kept is value


JSON_TEXTS = ['{"a": 1, "a": 2}', "[123456789012345678901234567890, -0, -0.0, 1E2, 0.1, 1e-400]", "[1e400]", "[NaN]",
              '["\\ud800"]', '["\\ud83d\\ude00"]', '["\\u00e9", "\\u0000", "\x7f", "😀"]', '["a\tb"]', "\ufeff{}",
              "{}\f", '["\\x41"]', "[0123]", "[.5]", "[1.]", "[1,]", ' {"a": 1} x', '{"version": "1.0.1"}',
              " [true, null] "]


@pytest.mark.parametrize("text", JSON_TEXTS, ids=repr)
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_json_text_is_read_as_json_loads_reads_it(text: str, as_bytes: bool) -> None:
    from scenarios.file import parse_text
    from scenarios.file.parse import ScenarioFileError

    try:
        expected: Any = json.dumps(json.loads(text))  # its text: NaN, 1 and 1.0, True and 1 told apart
    except json.JSONDecodeError as error:
        expected = f"$: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    try:
        got = json.dumps(parse_text(text.encode("utf-8") if as_bytes else text, "world.json"))
    except ScenarioFileError as refused:
        got = str(refused.problems[0])
    assert got == expected
