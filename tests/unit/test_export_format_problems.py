"""export_format.validate_bytes: every class of problem is reported, with its JSON path."""
from __future__ import annotations

import json
from typing import Any

import pytest
from export_problems import DROP, GOOD, check, doc, paths

import export_format as ef
from export_format import limits, validation


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
