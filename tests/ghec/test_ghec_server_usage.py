"""Add server usage (upload) and GitHub Connect ingest: acceptance, replacement, refusals, events."""
from __future__ import annotations

import json

import pytest
from ghec_helpers import all_rows, export_bytes, export_for, instance_block, snapshot, upload, user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from export_format.keys import load_public_key

SERVER_A = "11111111-1111-4111-8111-111111111111"
SERVER_B = "22222222-2222-4222-8222-222222222222"
SERVER_C = "33333333-3333-4333-8333-333333333333"


def freeze(client, moment="2026-03-01T12:00:00Z"):
    """Freeze the app clock, so event times are known."""
    assert client.put("/_mock/clock", json={"now": moment, "freeze": True}).status_code == 200


def test_upload_plain_and_encrypted(client, scenario, main, owner):
    """201 with the summary; plain as a JSON body, encrypted as multipart (the form's shape)."""
    freeze(client)
    first = upload(client, main.slug, owner, export_for(scenario.ghes[0]))
    assert first.status_code == 201
    body = first.get_json()
    assert body == {"server_id": scenario.ghes[0].server_id, "host_name": scenario.ghes[0].host_name,
                    "users_received": body["users_received"], "event": "Server usage uploaded",
                    "uploaded_at": "2026-03-01T12:00:00Z", "replaced_previous": False, "warnings": []}
    second = upload(client, main.slug, owner, export_for(scenario.ghes[1], encrypted=True), multipart=True)
    assert second.status_code == 201 and second.get_json()["server_id"] == scenario.ghes[1].server_id
    status = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner).get_json()
    assert [s["last_sync"]["date"] for s in status["server_instances"]] == ["2026-03-01T12:00:00Z"] * 2


def test_reupload_replaces_that_servers_contribution(client, main, owner):
    """Same server twice: the second file replaces the first (never adds); other servers stay."""
    a1 = export_bytes(SERVER_A, "a.example", [user(1, "x1@nowhere.example"), user(2, "x2@nowhere.example")])
    b = export_bytes(SERVER_B, "b.example", [user(5, "y@nowhere.example")])
    upload(client, main.slug, owner, a1)
    upload(client, main.slug, owner, b)
    base = len(main.members)
    consumed = client.get(f"/enterprises/{main.slug}/consumed-licenses", headers=owner).get_json()
    assert consumed["total_seats_consumed"] == base + 3
    again = upload(client, main.slug, owner, a1)
    assert again.get_json()["replaced_previous"] is True
    rows = all_rows(client, main.slug, owner)
    assert len(rows) == base + 3
    a2 = export_bytes(SERVER_A, "a.example", [user(2, "x2@nowhere.example")])
    upload(client, main.slug, owner, a2)
    ids = sorted(i for r in all_rows(client, main.slug, owner) for i in r["enterprise_server_user_ids"])
    assert ids == ["a.example:2", "b.example:5"]


def test_several_servers_add_up_and_share_a_person(client, main, owner):
    """A person on two servers is one license; different people add up."""
    member = main.members[5]
    email = member.verified_emails[0]
    upload(client, main.slug, owner, export_bytes(SERVER_A, "a.example", [user(1, email), user(2, "solo@n.example")]))
    upload(client, main.slug, owner, export_bytes(SERVER_B, "b.example", [user(9, email.upper())]))
    rows = all_rows(client, main.slug, owner)
    assert len(rows) == len(main.members) + 1
    [row] = [r for r in rows if r["github_com_login"] == member.login]
    assert row["enterprise_server_user_ids"] == ["a.example:1", "b.example:9"] and row["total_user_accounts"] == 3


FILES = {
    SERVER_A: [user(1, "p@n.example"), user(2, "q@n.example", "r@n.example")],
    SERVER_B: [user(1, "P@n.example"), user(3, "s@n.example")],
    SERVER_C: [user(4, "q@n.example"), user(5, "t@n.example")],
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(sorted(FILES)), repeat=st.sampled_from(sorted(FILES)))
def test_uploads_are_order_independent(make_app, main, owner, order, repeat):
    """Any upload order (and a repeated upload) ends in the same consumed-license rows."""
    results = []
    for sequence in (sorted(FILES), [*order, repeat]):
        client = make_app().test_client()
        for server_id in sequence:
            assert upload(client, main.slug, owner, export_bytes(server_id, f"h-{server_id[:2]}.example",
                                                                 FILES[server_id])).status_code == 201
        results.append(all_rows(client, main.slug, owner))
    assert results[0] == results[1]


def test_not_json_is_400_and_changes_nothing(client, main, owner):
    """Bytes that are not JSON: 400 with the problem; state byte-for-byte unchanged."""
    upload(client, main.slug, owner, export_bytes(SERVER_A, "a.example", [user(1, "p@n.example")]))
    before = snapshot(client)
    response = upload(client, main.slug, owner, b"\x89PNG not json")
    assert response.status_code == 400
    body = response.get_json()
    assert body["message"] == "The license usage file is not valid." and body["status"] == "400"
    assert body["problems"] and "documentation_url" in body
    assert snapshot(client) == before


def test_invalid_file_lists_every_problem_and_changes_nothing(client, main, owner):
    """422 with every problem (path + message); nothing changes, not even the server list."""
    good = json.loads(export_bytes(SERVER_A, "a.example", [user(1, "p@n.example"), user(2, "q@n.example")]))
    good["users"][0]["login"] = "leaked-login"
    good["users"][1]["emails"][0]["primary"] = False
    good["instance"]["version"] = "latest"
    before = snapshot(client)
    response = upload(client, main.slug, owner, json.dumps(good).encode())
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "The license usage file is not valid." and body["status"] == "422"
    paths = {p["path"] for p in body["problems"]}
    assert {"$.users[0].login", "$.users[1].emails", "$.instance.version"} <= paths
    assert snapshot(client) == before


def test_encrypted_for_another_key_is_refused(client, main, owner):
    """A file encrypted to a key GHEC does not hold: 422 naming $.encryption.key_id; nothing changes."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    import export_format
    raw = export_format.build_export(instance_block(SERVER_A, "a.example"), users=[user(1, "p@n.example")],
                                     encrypt_to=other_key, generated_at="2026-01-01T00:00:00Z")
    before = snapshot(client)
    response = upload(client, main.slug, owner, raw)
    assert response.status_code == 422
    assert any(p["path"] == "$.encryption.key_id" for p in response.get_json()["problems"])
    assert snapshot(client) == before


def test_too_large_is_413(make_app, main, owner):
    """Over MAX_UPLOAD_BYTES: 413 with a problem, for a JSON body and for multipart."""
    client = make_app(MAX_UPLOAD_BYTES=2000).test_client()
    raw = export_bytes(SERVER_A, "a.example", [user(i, f"u{i}@n.example") for i in range(1, 60)])
    assert len(raw) > 2000
    before = snapshot(client)
    for multipart in (False, True):
        response = upload(client, main.slug, owner, raw + b" " * 2_000_000 if multipart else raw, multipart=multipart)
        assert response.status_code == 413
        assert response.get_json()["problems"][0]["path"] == "$"
    assert snapshot(client) == before


def test_multipart_without_file(client, main, owner):
    """A form without the `file` field is refused with a problem saying so."""
    import io
    response = client.post(f"/enterprises/{main.slug}/server-usage", headers=owner,
                           data={"other": (io.BytesIO(b"{}"), "x.json")})
    assert response.status_code == 422 and "file" in response.get_json()["problems"][0]["message"]


def test_upload_auth(client, scenario, main, member, other_owner, connect):
    """Only the enterprise's owners upload: member 403, outsider 404, none 401, Connect token 401."""
    raw = export_for(scenario.ghes[0])
    assert upload(client, main.slug, {}, raw).status_code == 401
    assert upload(client, main.slug, member, raw).status_code == 403
    assert upload(client, main.slug, other_owner, raw).status_code == 404
    assert upload(client, main.slug, connect, raw).status_code == 401


# -- GitHub Connect -------------------------------------------------------------------------

def register(client, slug, headers, server_id=SERVER_A, host="a.example"):
    """PUT the Connect registration."""
    return client.put(f"/enterprises/{slug}/connect/servers/{server_id}", headers=headers,
                      json={"host_name": host, "version": "3.15.2"})


def push(client, slug, headers, raw):
    """POST a Connect push."""
    return client.post(f"/enterprises/{slug}/connect/server-usage", data=raw,
                       headers={**headers, "Content-Type": "application/json"})


def test_connect_register_then_push(client, main, owner, connect):
    """Registered: "never synced"; a push: "synced", usage counted; re-registering keeps the event."""
    freeze(client, "2026-04-01T00:00:00Z")
    created = register(client, main.slug, connect)
    assert created.status_code == 201
    assert created.get_json()["event"] == "GitHub Connect server usage never synced"
    assert register(client, main.slug, connect).status_code == 200
    status = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner).get_json()
    [instance] = status["server_instances"]
    assert instance["last_sync"] == {"date": "2026-04-01T00:00:00Z", "status": "never_synced", "error": ""}
    client.post("/_mock/clock/advance", json={"hours": 1})
    raw = export_format_encrypted(SERVER_A, [user(1, "p@n.example")])
    response = push(client, main.slug, connect, raw)
    assert response.status_code == 201 and response.get_json()["event"] == "GitHub Connect server usage synced"
    status = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner).get_json()
    [instance] = status["server_instances"]
    assert instance["last_sync"] == {"date": "2026-04-01T01:00:00Z", "status": "success", "error": ""}
    register(client, main.slug, connect)
    page_event = client.application.extensions["ghec_store"].db.one("SELECT event FROM ghes_servers")[0]
    assert page_event == "GitHub Connect server usage synced"


def export_format_encrypted(server_id, users):
    """An encrypted export (Connect pushes are encrypted by default)."""
    return export_bytes(server_id, "a.example", users, encrypted=True)


def test_refused_push_records_failed_sync_and_nothing_else(client, main, owner, connect):
    """A bad push: 422, that server's last sync is an error with the message; rows unchanged."""
    register(client, main.slug, connect)
    push(client, main.slug, connect, export_format_encrypted(SERVER_A, [user(1, "p@n.example")]))
    rows_before = all_rows(client, main.slug, owner)
    bad = json.loads(export_bytes(SERVER_A, "a.example", [user(1, "p@n.example")]))
    bad["users"][0]["name"] = "Pat"
    response = push(client, main.slug, connect, json.dumps(bad).encode())
    assert response.status_code == 422
    status = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner).get_json()
    [instance] = status["server_instances"]
    assert instance["last_sync"]["status"] == "error" and "$.users[0].name" in instance["last_sync"]["error"]
    assert all_rows(client, main.slug, owner) == rows_before
    ok = push(client, main.slug, connect, export_format_encrypted(SERVER_A, [user(1, "p@n.example")]))
    assert ok.status_code == 201
    status = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner).get_json()
    [instance] = status["server_instances"]
    assert instance["last_sync"]["status"] == "success" and instance["last_sync"]["error"] == ""


def test_push_from_unregistered_server_is_refused(client, main, connect):
    """Connect needs the registration first: 422, and nothing is recorded."""
    before = snapshot(client)
    response = push(client, main.slug, connect, export_format_encrypted(SERVER_B, [user(1, "p@n.example")]))
    assert response.status_code == 422 and response.get_json()["problems"][0]["path"] == "$.instance.server_id"
    assert snapshot(client) == before


def test_connect_auth(client, main, other, owner, connect, scenario):
    """The enterprise's Connect token only: none 401, bad 401, a person's token 404, another's Connect token 404."""
    assert register(client, main.slug, {}).status_code == 401
    assert register(client, main.slug, {"Authorization": "token nope"}).status_code == 401
    assert register(client, main.slug, owner).status_code == 404
    other_connect = {"Authorization": f"token {scenario.tokens[f'connect:{other.slug}']}"}
    assert register(client, main.slug, other_connect).status_code == 404
    assert register(client, "no-such-enterprise", connect).status_code == 404


@pytest.mark.parametrize("server_id,body,status", [
    ("not-a-uuid", {"host_name": "a.example"}, 422),
    (SERVER_A, {"host_name": "bad host!"}, 422),
    (SERVER_A, {"host_name": "a.example", "login": "x"}, 422),
    (SERVER_A, {}, 422),
])
def test_connect_registration_validation(client, main, connect, server_id, body, status):
    """Registration bodies are validated with GitHub's 422 shape."""
    response = client.put(f"/enterprises/{main.slug}/connect/servers/{server_id}", headers=connect, json=body)
    assert response.status_code == status and response.get_json()["errors"]
    assert client.put(f"/enterprises/{main.slug}/connect/servers/{SERVER_A}", headers=connect,
                      data=b"{", content_type="application/json").status_code == 400


# -- privacy ledger -------------------------------------------------------------------------

def test_ledger_records_field_paths_only(client, scenario, main, owner, connect):
    """Each accepted payload: time, source, server_id and the set of paths; never values."""
    upload(client, main.slug, owner, export_for(scenario.ghes[0]))
    register(client, main.slug, connect, scenario.ghes[1].server_id, scenario.ghes[1].host_name)
    push(client, main.slug, connect, export_for(scenario.ghes[1], encrypted=True))
    entries = client.get("/_mock/ledger").get_json()["entries"]
    assert [(e["source"], e["server_id"], e["encrypted"]) for e in entries] == [
        ("upload", scenario.ghes[0].server_id, False), ("connect", scenario.ghes[1].server_id, True)]
    user_paths = {"$.users[].id", "$.users[].emails[].address", "$.users[].emails[].primary"}
    for entry in entries:
        assert user_paths <= set(entry["paths"])
        assert {p for p in entry["paths"] if p.startswith("$.users")} == user_paths
        assert {"$.format", "$.format_version", "$.generated_at", "$.instance.server_id",
                "$.instance.host_name"} <= set(entry["paths"])
    assert "$.encryption.key_id" in entries[1]["paths"] and "$.encryption.key_id" not in entries[0]["paths"]
    text = json.dumps(entries)
    assert "@" not in text and "canary" not in text
    assert client.get(f"/_mock/ledger?enterprise={main.slug}").get_json()["entries"] == entries
    assert client.get("/_mock/ledger?enterprise=nobody").get_json()["entries"] == []


def test_only_ids_and_emails_are_kept(client, scenario, main, owner):
    """Nothing but user ids and addresses of GHES users reaches GHEC's tables (no logins, names, canaries)."""
    upload(client, main.slug, owner, export_for(scenario.ghes[0], encrypted=True))
    state = snapshot(client).decode()
    for u in scenario.ghes[0].users:
        assert u.canary not in state
    kept = json.loads(client.application.extensions["ghec_store"].db.one("SELECT users FROM ghes_usage")[0])
    assert all(isinstance(k[0], int) and all("@" in a for a in k[1:]) for k in kept)
    columns = [r[1] for r in client.application.extensions["ghec_store"].db.query("PRAGMA table_info(ghes_usage)")]
    assert columns == ["server_ref", "users"]
    assert load_public_key() is not None
