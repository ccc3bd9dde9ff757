"""The license-usage export: attachment, encryption, contents, and that state changes reach it."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from ghes_helpers import make_app, sign_in, token_auth

import export_format

EXPORT = "/api/v3/enterprise/license-usage/export"
NAME = re.compile(r'attachment; filename="license-usage-(?P<host>[a-z0-9.-]+)-(?P<date>\d{4}-\d{2}-\d{2})\.json"')


def _plain(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    """The plain export, checked by the format's own validator."""
    response = client.get(f"{EXPORT}?encrypted=false", headers=headers)
    assert response.status_code == 200
    result = export_format.validate_bytes(response.data)
    assert result.ok, result.problems
    return json.loads(response.data)


def _ids(document: dict[str, Any]) -> set[int]:
    """The user ids in an export."""
    return {u["id"] for u in document["users"]}


def _consuming(client: Any) -> dict[int, dict[str, Any]]:
    """Ground truth: license-consuming users by id."""
    return {u["id"]: u for u in client.get("/_mock/users").json if u["consumes_license"]}


def test_encrypted_by_default_as_an_attachment(client, admin, runtime):
    response = client.get(EXPORT, headers=admin)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    match = NAME.fullmatch(response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    assert match["host"] == runtime.store.instance()["host_name"]
    assert match["date"] == runtime.clock.now().strftime("%Y-%m-%d")
    assert response.headers["X-GitHub-Enterprise-Version"] == runtime.store.instance()["version"]
    body = json.loads(response.data)
    assert isinstance(body["users"], str) and body["encryption"]["scheme"] == export_format.encryption.SCHEME
    document = export_format.parse_export(response.data, private_key=export_format.load_private_key())
    assert {u["id"] for u in document.users} == set(_consuming(client))


def test_plain_export_holds_exactly_the_consuming_users_and_only_ids_and_emails(client, admin):
    document = _plain(client, admin)
    consuming = _consuming(client)
    assert _ids(document) == set(consuming)
    plain = client.get(f"{EXPORT}?encrypted=false", headers=admin)
    assert int(plain.headers["X-License-Usage-Users"]) == len(consuming)
    for record in document["users"]:
        assert set(record) == {"id", "emails"}
        assert record["emails"] == consuming[record["id"]]["emails"]
    truth = client.get("/_mock/users").json
    excluded = {u["id"] for u in truth if u["suspended"] or u["kind"] in ("ghost", "scim-admin")}
    assert excluded and not excluded & _ids(document)
    text = client.get(f"{EXPORT}?encrypted=false", headers=admin).text
    for user in truth:  # nothing but ids and emails: no login, name or canary crosses
        assert user["canary"] not in text
        assert f'"{user["login"]}"' not in text


def test_instance_block_is_consistent_with_license_and_settings(client, admin, runtime):
    instance = _plain(client, admin)["instance"]
    stored = runtime.store.instance()
    assert instance == {"server_id": stored["server_id"], "host_name": stored["host_name"],
                        "version": stored["version"], "http_only": True, "license": stored["license_hash"],
                        "public_key": stored["public_key"], "features": []}
    assert instance["public_key"].startswith("-----BEGIN PUBLIC KEY-----")


def test_http_only_and_host_name_follow_settings():
    app = make_app(HTTP_ONLY=False, HOST_NAME="ghes.test:8443")
    try:
        client, runtime = app.test_client(), app.extensions["ghes"].runtime
        document = _plain(client, token_auth(runtime.tokens()["admin"]))
        assert document["instance"]["http_only"] is False
        assert document["instance"]["host_name"] == "ghes.test:8443"
        disposition = client.get(EXPORT, headers=token_auth(runtime.tokens()["admin"])).headers["Content-Disposition"]
        assert "license-usage-ghes.test-8443-" in disposition
    finally:
        app.extensions["mock"].db.close()


def test_uploading_a_new_license_changes_the_license_hash(client, admin, manage):
    before = _plain(client, admin)["instance"]["license"]
    upload = client.put("/manage/v1/config/license", headers=manage, data={
        "license": json.dumps({"seats": 500, "kind": "standard", "expire_at": "2031-01-01T00:00:00Z"})})
    assert upload.status_code == 202
    assert _plain(client, admin)["instance"]["license"] != before
    assert client.get("/api/v3/enterprise/settings/license", headers=admin).json["seats"] == 500


def test_state_changes_reach_the_next_export(client, admin, runtime):
    consuming = _consuming(client)
    victim = next(u for u in consuming.values() if not u["site_admin"])
    client.put(f"/api/v3/users/{victim['login']}/suspended", headers=admin)
    assert victim["id"] not in _ids(_plain(client, admin))
    client.delete(f"/api/v3/users/{victim['login']}/suspended", headers=admin)
    assert victim["id"] in _ids(_plain(client, admin))

    client.patch(f"/api/v3/admin/users/{victim['login']}", headers=admin, json={"login": "renamed"})
    assert victim["id"] in _ids(_plain(client, admin))  # a rename keeps the id, and no login is exported

    created = client.post("/api/v3/admin/users", headers=admin,
                          json={"login": "fresh", "email": "fresh@example.com"}).json
    assert created["id"] in _ids(_plain(client, admin))  # counted at once by default
    document = _plain(client, admin)
    record = next(u for u in document["users"] if u["id"] == created["id"])
    assert record["emails"] == [{"address": "fresh@example.com", "primary": True}]

    client.delete("/api/v3/admin/users/renamed", headers=admin)
    assert victim["id"] not in _ids(_plain(client, admin))
    assert len(_plain(client, admin)["users"]) == runtime.store.seats_used()


def test_users_created_suspended_do_not_consume():
    app = make_app(COUNT_NEVER_SIGNED_IN=True)
    try:
        client, headers = app.test_client(), token_auth(app.extensions["ghes"].runtime.tokens()["admin"])
        active = client.post("/api/v3/admin/users", headers=headers, json={"login": "a", "email": "a@example.com"}).json
        parked = client.post("/api/v3/admin/users", headers=headers,
                             json={"login": "b", "email": "b@example.com", "suspended": True}).json
        ids = _ids(_plain(client, headers))
        assert active["id"] in ids and parked["id"] not in ids
    finally:
        app.extensions["mock"].db.close()


def test_the_license_page_link_downloads_the_same_file(client, tokens, admin):
    assert client.get("/enterprise/settings/license/export").status_code == 302  # not signed in
    sign_in(client, tokens["admin"])
    page = client.get("/enterprise/settings/license").text
    assert 'href="/enterprise/settings/license/export"' in page
    assert 'href="/enterprise/settings/license/export?encrypted=false"' in page
    encrypted = client.get("/enterprise/settings/license/export")
    assert NAME.fullmatch(encrypted.headers["Content-Disposition"])
    assert "encryption" in json.loads(encrypted.data)
    plain = client.get("/enterprise/settings/license/export?encrypted=false")
    assert export_format.validate_bytes(plain.data).ok
    assert _ids(json.loads(plain.data)) == _ids(_plain(client, admin))


@pytest.mark.parametrize("flag", ["false", "0", "no", "False"])
def test_plain_on_request(client, admin, flag):
    assert isinstance(json.loads(client.get(f"{EXPORT}?encrypted={flag}", headers=admin).data)["users"], list)


def test_a_larger_population_exports_every_consuming_user():
    app = make_app(SCENARIO_PARAMS={"people": 3000})
    try:
        runtime = app.extensions["ghes"].runtime
        document = _plain(app.test_client(), token_auth(runtime.tokens()["admin"]))
        assert len(document["users"]) == runtime.store.seats_used() > 1000
    finally:
        app.extensions["mock"].db.close()
