"""verify's building blocks on their own: the allow-list, the leak scan, and the independent count."""
from __future__ import annotations

import json

import scenarios
from scenarios.billing_world import billed_members
from sync_client.dedupe import ServerAccount, consumes_license, expected_dedupe
from sync_client.privacy import Secrets, disallowed, field_paths, ledger_paths, normalise_path, scan_text, texts_of_body

USERS = {"instance 1": [
    {"id": 7, "login": "satomi-suzuki", "name": "Satomi Suzuki", "canary": "canary-00112233aabbccdd",
     "emails": [{"address": "satomi.suzuki@example.com", "primary": True}]},
    {"id": 8, "login": "kim", "name": "Kim Lee", "canary": "canary-99887766aabbccdd",
     "emails": [{"address": "kim@example.com", "primary": True}]},
]}


def test_paths_are_normalised_and_checked_against_the_allow_list():
    """Index spellings collapse to [] so the allow-list check cannot be dodged."""
    doc = {"format": "ghes-license-usage", "users": [{"id": 1, "login": "x",
                                                      "emails": [{"address": "a@b.example", "primary": True}]}]}
    assert "users[].login" in field_paths(doc)
    assert disallowed(field_paths(doc)) == ["users[].login"]
    assert normalise_path("$.users[3].emails[0].address") == "users[].emails[].address"
    assert normalise_path("users.0.emails.*.address") == "users[].emails[].address"


def test_ledger_paths_are_found_in_any_envelope():
    """Paths are read from the ledger whatever its envelope."""
    ledger = {"entries": [{"server_id": "s1", "paths": ["$.users[].id", "$.users[].login"]}]}
    assert ledger_paths(ledger) == [("s1", "$.users[].id"), ("s1", "$.users[].login")]


def test_own_emails_are_not_leaks_but_logins_names_and_canaries_are():
    """The scan tells allowed emails from forbidden logins, names and canaries."""
    secrets = Secrets.from_users(USERS)
    clean = json.dumps({"users": [{"id": 7, "emails": [{"address": "satomi.suzuki@example.com", "primary": True}]},
                                  {"id": 8, "emails": [{"address": "kim@example.com", "primary": True}]}]})
    assert scan_text(clean, secrets, "body") == []
    leaky = clean.replace('"id": 8', '"id": 8, "login": "kim", "note": "Satomi Suzuki canary-00112233aabbccdd"')
    kinds = sorted(leak.kind for leak in scan_text(leaky, secrets, "body"))
    assert kinds == ["canary", "login", "name"]


def test_a_canary_glued_to_other_text_is_still_found():
    """Canaries are unique strings: found as substrings, whatever surrounds them."""
    secrets = Secrets.from_users(USERS)
    leaks = scan_text('{"x": "xxcanary-00112233aabbccddyy"}', secrets, "x")
    assert [(leak.kind, leak.value) for leak in leaks] == [("canary", "canary-00112233aabbccdd")]


def test_a_name_inside_a_login_or_address_is_not_a_leak():
    """Words keep their dots and hyphens, so `satomi-suzuki` or `kim.lee@…` do not match the name or login."""
    secrets = Secrets.from_users(USERS)
    assert scan_text('{"a": "satomi-suzuki2", "b": "kim.lee@other.example"}', secrets, "x") == []


def test_a_login_inside_a_word_is_not_a_leak_but_an_escaped_name_is_found_once_decoded():
    """Logins match as whole tokens; JSON escapes do not hide a name."""
    secrets = Secrets.from_users(USERS)
    assert scan_text('{"host_name": "kimball.example"}', secrets, "x") == []
    raw = '{"x": "Satomi \\u0053uzuki"}'
    views = [text for text, _, _ in texts_of_body(raw)]
    assert [leak.kind for text in views for leak in scan_text(text, secrets, "x")] == ["name"]


def test_values_ghec_knows_itself_are_not_leaks_in_its_output():
    """The same login on GitHub.com is GHEC's own data, not a leak."""
    secrets = Secrets.from_users(USERS, known_to_ghec=["satomi-suzuki", "Satomi Suzuki"])
    assert scan_text('{"github_com_login": "satomi-suzuki", "github_com_name": "Satomi Suzuki"}', secrets, "x") == []


def test_multipart_bodies_are_split_into_their_parts():
    """Browser uploads (multipart) are parsed down to the file they carry."""
    body = ('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.json"\r\n'
            'Content-Type: application/json\r\n\r\n{"users": []}\r\n--XyZ--\r\n')
    docs = [doc for _, doc, _ in texts_of_body(body) if doc is not None]
    assert docs == [{"users": []}]


def test_license_rules_follow_domain_section_3():
    """Who consumes a license on GHES, rule by rule (DOMAIN §3)."""
    base = {"kind": "user", "suspended": False, "last_active_at": "2025-01-01T00:00:00Z"}
    assert consumes_license(base)
    assert not consumes_license({**base, "suspended": True})
    assert not consumes_license({**base, "kind": "ghost"})
    assert not consumes_license({**base, "kind": "scim-admin"})
    assert not consumes_license({**base, "last_active_at": None})
    assert consumes_license({**base, "last_active_at": None}, count_never_signed_in=True)
    assert not consumes_license({**base, "kind": "bot"}, count_bots=False)


def test_planted_edge_cases_dedupe_as_the_scenario_says():
    """verify's own matcher agrees with every planted edge case (DOMAIN §4)."""
    world = scenarios.build(7, "edge-cases")
    enterprise = world.enterprises[0]
    accounts = []
    by_login = {(g.index, u.login): (g, u) for g in world.ghes for u in g.users}
    for case in world.planted:
        for index, login in case.ghes_logins:
            g, u = by_login[(index, login)]
            accounts.append(ServerAccount(g.host_name, g.server_id, u.id, u.primary_email))
    result = expected_dedupe(enterprise, accounts)
    for case in world.planted:
        keys = [f"{world.ghes[i - 1].host_name}:{by_login[(i, login)][1].id}" for i, login in case.ghes_logins]
        rows = {result.row_of[k] for k in keys}
        if case.kind == "two-instances-same-email":
            assert len(rows) == 1 and next(iter(rows)).startswith("email:")
        elif case.expect_merge:
            assert rows == {f"ghec:{case.ghec_login}"}, case.kind
        else:
            assert all(r.startswith("email:") for r in rows), case.kind
    # DOMAIN §7: the preset plants accounts that consume no license, and one billed invitation by email
    assert result.total == len(billed_members(enterprise)) + 1 + len(result.server_only_rows)
