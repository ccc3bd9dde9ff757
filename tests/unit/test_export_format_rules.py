"""export_format.validate_bytes: the rules past the schema (lengths, counts, duplicates, primaries),
the problem list's cap, and what the validator leaves as it found it.

Split from test_export_format_problems.py (syntax, versions, keys, types), which had outgrown one sitting.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from export_problems import GOOD, check, doc, paths

import export_format as ef
from export_format import limits, validation


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
