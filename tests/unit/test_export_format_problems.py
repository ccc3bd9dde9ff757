"""export_format.validate_bytes: every class of problem is reported, with its JSON path."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

import export_format as ef
from export_format import limits, validation

GOOD: dict[str, Any] = {
    "format": "ghes-license-usage", "format_version": 1, "generated_at": "2026-11-28T10:00:00Z",
    "instance": {"server_id": "0b5c9a4e-1f0e-4c36-9d7c-3a1f2e4b5c6d",
                 "host_name": "ghes-1.acme.example", "version": "3.15.2", "http_only": False,
                 "license": "sha256:" + "0" * 64, "public_key": "KEY",
                 "features": [{"name": "license_usage_sync",
                               "enabled_at": "2026-01-01T00:00:00Z"}]},
    "users": [{"id": 1, "emails": [{"address": "ada@acme.example", "primary": True}]},
              {"id": 2, "emails": [{"address": "bob@acme.example", "primary": True},
                                   {"address": "bob@home.example", "primary": False}]}],
}


def doc(**edits: Any) -> dict[str, Any]:
    """A deep copy of GOOD; edits are 'a.b.0.c' paths set to a value (None-ish: see DROP)."""
    data = copy.deepcopy(GOOD)
    for dotted, value in edits.items():
        *parents, last = dotted.split("__")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: Any = int(last) if last.isdigit() else last
        if value is DROP:
            del node[key]
        else:
            node[key] = value
    return data


DROP = object()


def check(data: Any) -> list[tuple[str, str]]:
    """(path, message) pairs for a JSON-serialisable document."""
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    result = ef.validate_bytes(raw)
    assert result.ok == (not result.problems)
    return [(p.path, p.message) for p in result.problems]


def paths(data: Any) -> list[str]:
    """Just the paths, in report order."""
    return [path for path, _ in check(data)]


def test_good_document_is_ok() -> None:
    assert check(GOOD) == []


# -- bytes, encoding, syntax -----------------------------------------------------------------
def test_json_syntax_error_has_line_and_column() -> None:
    [(path, message)] = check(b'{\n  "format": "ghes-license-usage",\n  "users": [1,]\n}')
    assert path == "$" and "line 3 column" in message and "not valid JSON" in message


def test_utf8_bom_is_reported_and_the_rest_still_checked() -> None:
    raw = b"\xef\xbb\xbf" + json.dumps(doc(extra=1)).encode()
    found = check(raw)
    assert "BOM" in found[0][1] and ("$.extra", "unknown key: not part of format version 1") in found


@pytest.mark.parametrize("raw, words", [
    ("{}".encode("utf-16"), "UTF-16"),
    (b'{"format": "\xff"}', "not valid UTF-8: byte 0xff at line 1 column 13"),
    (b'{"format":\n "a\x00b"}', "1 NUL byte(s), the first at line 2 column 4"),
    (b"", "is empty"),
    (b"  \n", "is empty"),
    (b'{"id": NaN}', "NaN"),
    (b'{"id": -Infinity}', "-Infinity"),
    (b"[" * 200_000, "too deeply"),
    (b'{"id": ' + b"9" * 5000 + b"}", "cannot be parsed"),
    (b'{"a": 1} {"b": 2}', "Extra data"),
])
def test_unreadable_files(raw: bytes, words: str) -> None:
    [(path, message)] = check(raw)
    assert path == "$" and words in message


@pytest.mark.parametrize("value, kind", [([], "an array"), ("x", "a string"), (3, "a number"),
                                         (None, "null"), (True, "a boolean")])
def test_top_level_must_be_an_object(value: Any, kind: str) -> None:
    assert check(value) == [("$", f"must be a JSON object (the export), got {kind}")]


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_EXPORT_BYTES", 100)
    [(path, message)] = check(GOOD)
    assert path == "$" and "MAX_EXPORT_BYTES" in message
    assert limits.MAX_EXPORT_BYTES >= 512 * 1024 * 1024


def test_validate_bytes_wants_bytes() -> None:
    with pytest.raises(TypeError, match="bytes"):
        ef.validate_bytes(json.dumps(GOOD))  # type: ignore[arg-type]
    assert ef.validate_bytes(bytearray(json.dumps(GOOD).encode())).ok


# -- versions and identity -------------------------------------------------------------------
def test_unknown_version_says_which_are_supported_and_nothing_else() -> None:
    found = check(doc(format_version=2, users="whatever", extra=1))
    assert found == [("$.format_version", "unsupported format_version 2; this reader supports "
                                          "format version(s) 1")]


@pytest.mark.parametrize("value", ["1", 1.0, True, None])
def test_version_of_wrong_type(value: Any) -> None:
    assert paths(doc(format_version=value)) == ["$.format_version"]


def test_wrong_format_identifier() -> None:
    assert check(doc(format="github-license")) == [("$.format", 'must be "ghes-license-usage"')]


# -- missing and unknown keys at every level -------------------------------------------------
@pytest.mark.parametrize("where, expected", [
    ("format", "$.format"), ("generated_at", "$.generated_at"), ("instance", "$.instance"),
    ("users", "$.users"), ("instance__server_id", "$.instance.server_id"),
    ("instance__features", "$.instance.features"),
    ("instance__features__0__enabled_at", "$.instance.features[0].enabled_at"),
    ("users__1__id", "$.users[1].id"), ("users__1__emails", "$.users[1].emails"),
    ("users__1__emails__1__address", "$.users[1].emails[1].address"),
    ("users__1__emails__1__primary", "$.users[1].emails[1].primary"),
])
def test_missing_keys(where: str, expected: str) -> None:
    assert check(doc(**{where: DROP})) == [(expected, "missing required key")]


@pytest.mark.parametrize("key", ["login", "name", "site_admin", "suspended", "ssh_keys",
                                 "last_ip", "created_at", "Id", "emails ", "", "id\u0000"])
def test_user_record_with_any_extra_key_is_refused(key: str) -> None:
    found = check(doc(**{f"users__1__{key}" if key else "users__1__": "x"}))
    assert len(found) == 1
    path, message = found[0]
    assert path.startswith("$.users[1]") and path != "$.users[1]"
    assert 'only "id" and "emails"' in message


@pytest.mark.parametrize("where, expected", [
    ("surprise", "$.surprise"), ("instance__surprise", "$.instance.surprise"),
    ("instance__features__0__surprise", "$.instance.features[0].surprise"),
    ("users__0__emails__0__verified", "$.users[0].emails[0].verified"),
    ("users__0__emails__0__two words", "$.users[0].emails[0]['two words']"),
])
def test_unknown_keys_elsewhere(where: str, expected: str) -> None:
    assert paths(doc(**{where: 1})) == [expected]


# -- wrong types and values ------------------------------------------------------------------
@pytest.mark.parametrize("value", ["1", True, False, 1.0, 1.5, 0, -3, 2**53, None, [1]])
def test_bad_user_ids(value: Any) -> None:
    assert paths(doc(users__0__id=value)) == ["$.users[0].id"]


@pytest.mark.parametrize("where, value", [
    ("users__0__emails__0__primary", "true"), ("users__0__emails__0__primary", 1),
    ("instance__http_only", "false"), ("instance__http_only", 0),
    ("users__0__emails", {}), ("users__0__emails", []), ("users__0", 5),
    ("instance", []), ("instance__features", {}), ("instance__features__0", "x"),
    ("instance__server_id", "0B5C9A4E-1F0E-4C36-9D7C-3A1F2E4B5C6D"),
    ("instance__license", "md5:abc"), ("instance__version", "latest"),
    ("instance__host_name", "bad host"), ("instance__public_key", "a\u0007b"),
    ("generated_at", "2026-11-28 10:00:00"), ("generated_at", "2026-11-28T10:00:00+00:00"),
    ("generated_at", "2026-02-30T10:00:00Z"), ("generated_at", "2026-11-28T10:00:00Z\n"),
    ("instance__features__0__name", "License Sync"),
])
def test_wrong_types_and_values(where: str, value: Any) -> None:
    expected = "$." + ".".join(p if not p.isdigit() else f"[{p}]" for p in where.split("__"))
    assert paths(doc(**{where: value})) == [expected.replace(".[", "[")]


def test_users_must_be_an_array_in_the_plain_form() -> None:
    assert check(doc(users={"id": 1})) == [("$.users", "must be an array")]
    found = check(doc(users="QUJD"))
    assert ("$.users", "must be an array") in found and any(
        "no \"encryption\" block" in m for _, m in found)


@pytest.mark.parametrize("address", [
    "no-at-sign", "a@b", "a@@b.example", "a@b.c@d.example", "a b@c.example", "ü@x.example",
    "a@ü.example", "a@b.example\n", " a@b.example", ".a@b.example", "a..b@c.example",
    "a@-b.example", "a@b.123", "l" * 65 + "@b.example", "a@" + "b" * 64 + ".example",
    "a@" + ".".join(["b" * 63] * 4) + ".example", "", "a@b.example\u0000",
])
def test_invalid_email_addresses(address: str) -> None:
    found = check(doc(users__0__emails__0__address=address))
    assert [p for p, _ in found] == ["$.users[0].emails[0].address"], found


def test_huge_strings_get_one_length_message_each() -> None:
    found = dict(check(doc(users__0__emails__0__address="a" * 10_000 + "@b.example",
                           instance__public_key="k" * (limits.MAX_PUBLIC_KEY_LENGTH + 1),
                           instance__host_name="h" * 300)))
    assert found == {
        "$.users[0].emails[0].address": "must be at most 254 characters long",
        "$.instance.public_key": f"must be at least 1 and at most {limits.MAX_PUBLIC_KEY_LENGTH}"
                                 " characters long",
        "$.instance.host_name": "must be at least 1 and at most 255 characters long"}


def test_too_many_emails() -> None:
    many = [{"address": f"a{n}@b.example", "primary": n == 0} for n in range(101)]
    assert check(doc(users__0__emails=many)) == [("$.users[0].emails",
                                                  "must have at least 1 and at most 100 items")]


# -- semantic rules --------------------------------------------------------------------------
def test_duplicate_ids_point_at_the_repeat() -> None:
    assert check(doc(users__1__id=1)) == [("$.users[1].id",
                                           "duplicate user id 1: already used by users[0]")]


def test_two_primaries_and_no_primary() -> None:
    found = check(doc(users__1__emails__1__primary=True, users__0__emails__0__primary=False))
    assert [p for p, _ in found] == ["$.users[0].emails", "$.users[1].emails"]
    assert "no primary" in found[0][1] and "2 primary emails" in found[1][1]


def test_duplicate_addresses_within_a_user_ignore_case() -> None:
    assert check(doc(users__1__emails__1__address="BOB@acme.EXAMPLE")) == [
        ("$.users[1].emails[1].address", "duplicate address: same as emails[0] (ignoring case)")]


def test_same_address_in_two_users_is_allowed() -> None:
    assert check(doc(users__1__emails__0__address="ADA@acme.example")) == []


def test_duplicate_feature() -> None:
    feature = GOOD["instance"]["features"][0]
    assert paths(doc(instance__features=[feature, feature])) == ["$.instance.features[1].name"]


# -- many problems at once, and the cap ------------------------------------------------------
def test_all_problems_are_reported_together() -> None:
    data = doc(extra=1, generated_at="yesterday", instance__version=3, users__0__login="ada",
               users__0__id="1", users__1__emails__1__primary=True)
    data["users"].append({"id": 2, "emails": [{"address": "x", "primary": True}]})
    assert sorted(paths(data)) == sorted([
        "$.extra", "$.generated_at", "$.instance.version", "$.users[0].login", "$.users[0].id",
        "$.users[1].emails", "$.users[2].emails[0].address", "$.users[2].id"])


def test_problem_list_is_capped_with_a_summary() -> None:
    users = [{"id": n, "emails": [{"address": "x", "primary": True}]} for n in range(1, 301)]
    found = check(doc(users=users))
    assert len(found) == limits.MAX_PROBLEMS + 1
    assert found[0] == ("$.users[0].emails[0].address",
                        "not a valid email address (ASCII local@domain.tld)")
    assert found[-1][0] == "$" and "200 more invalid user record(s)" in found[-1][1]


def test_cap_counts_unlisted_rule_problems() -> None:
    users = [{"id": 1, "emails": [{"address": f"a{n}@b.example", "primary": False}]}
             for n in range(150)]
    found = check(doc(users=users))
    assert found[-1] == ("$", f"... and 199 more problem(s) not listed (only the first "
                              f"{limits.MAX_PROBLEMS} are listed)")


def test_problem_str_and_export_error() -> None:
    problem = ef.Problem("$.users[0].id", "must be an integer")
    assert str(problem) == "$.users[0].id: must be an integer"
    with pytest.raises(ef.ExportError) as caught:
        ef.parse_export(json.dumps(doc(users__0__id="1")).encode())
    assert caught.value.problems[0].path == "$.users[0].id" and "users[0].id" in str(caught.value)


def test_encryption_block_with_a_plain_users_array() -> None:
    data = doc(encryption={"scheme": "RSA-OAEP-SHA256+A256GCM", "key_id": "sha256:" + "0" * 64,
                           "encrypted_key": "QUJD", "nonce": "A" * 16})
    found = check(data)
    assert ("$.users", "must be a string") in found
    assert any(path == "$.users" and "base64 ciphertext" in message for path, message in found)


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled: bool) -> None:
    import gc

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert check(GOOD) == [] and check(b"{") != []
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize(("edits", "path"), [
    ({"instance__server_id": GOOD["instance"]["server_id"] + "0" * 300}, "$.instance.server_id"),
    ({"instance__server_id": "x" * 37}, "$.instance.server_id"),
    ({"instance__license": "sha256:" + "0" * 65}, "$.instance.license"),
    ({"encryption": {"scheme": "RSA-OAEP-SHA256+A256GCM", "key_id": "sha256:" + "0" * 100,
                     "encrypted_key": "QUJD", "nonce": "A" * 16}}, "$.encryption.key_id"),
    ({"encryption": {"scheme": "RSA-OAEP-SHA256+A256GCM", "key_id": "sha256:" + "0" * 64,
                     "encrypted_key": "QUJD", "nonce": "A" * 17}}, "$.encryption.nonce"),
], ids=["server-id-uuid-then-more", "server-id-37", "license-65-hex", "key-id-too-long", "nonce-17"])
def test_a_fixed_length_field_longer_than_its_pattern_is_refused(edits: dict[str, Any], path: str) -> None:
    """Issue 18: a pattern used to be skipped past its field's length, and no length check backed
    these fields, so a 300-character server_id was taken (the corpus found it); both readers refuse it."""
    raw = json.dumps(doc(**edits)).encode()
    assert path in paths(doc(**edits))
    result, _ = validation.validate_compact(raw)
    assert not result.ok and path in [p.path for p in result.problems]
