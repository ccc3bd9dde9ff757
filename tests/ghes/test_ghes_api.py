"""The public REST API: GitHub's shapes (validated against its description) and real state changes."""
from __future__ import annotations

from typing import Any

import pytest
from ghes_helpers import make_app, token_auth
from ghes_spec_check import checked


def _truth(client: Any) -> list[dict[str, Any]]:
    """Every user with every attribute (the control plane's ground truth)."""
    return client.get("/_mock/users").json


def _seats_used(client: Any, admin: dict[str, str]) -> int:
    """seats_used as the API reports it."""
    return client.get("/api/v3/enterprise/settings/license", headers=admin).json["seats_used"]


def test_license_information_matches_the_reference_and_the_counting_rule(client, admin, runtime):
    response = checked(client, "GET", "/api/v3/enterprise/settings/license", headers=admin)
    body = response.json
    consuming = [u for u in _truth(client) if u["consumes_license"]]
    assert body["seats"] == runtime.store.instance()["seats"]
    assert body["seats_used"] == len(consuming)
    assert body["seats_available"] == body["seats"] - body["seats_used"]
    assert body["kind"] == "standard"
    assert isinstance(body["days_until_expiration"], int)
    assert list(body) == ["seats", "seats_used", "seats_available", "kind", "days_until_expiration", "expire_at"]


def test_consuming_users_exclude_suspended_ghost_and_scim_admin(client):
    users = _truth(client)
    by_kind = {u["kind"]: u for u in users}
    assert not by_kind["ghost"]["consumes_license"]
    assert not by_kind["scim-admin"]["consumes_license"]
    assert all(not u["consumes_license"] for u in users if u["suspended"])
    never = [u for u in users if u["last_active_at"] is None and not u["suspended"]
             and u["kind"] not in ("ghost", "scim-admin")]
    assert never and all(u["consumes_license"] for u in never)  # default rule: they count
    bots = [u for u in users if u["kind"] == "bot" and not u["suspended"]]
    assert bots and all(u["consumes_license"] for u in bots)  # COUNT_BOTS defaults to true


def test_counting_settings_change_seats_used():
    default, no_bots, never = make_app(), make_app(COUNT_BOTS=False), make_app(COUNT_NEVER_SIGNED_IN=False)
    try:
        users = default.test_client().get("/_mock/users").json
        bots = sum(1 for u in users if u["kind"] == "bot" and not u["suspended"] and u["last_active_at"])
        never_in = sum(1 for u in users if u["last_active_at"] is None and not u["suspended"]
                       and u["kind"] not in ("ghost", "scim-admin"))
        used = {name: app.extensions["ghes"].runtime.store.seats_used()
                for name, app in (("default", default), ("no_bots", no_bots), ("never", never))}
        assert bots > 0 and never_in > 0
        assert used["no_bots"] == used["default"] - bots
        assert used["never"] == used["default"] - never_in
    finally:
        for app in (default, no_bots, never):
            app.extensions["mock"].db.close()


def test_unlimited_seats_are_the_string_unlimited():
    app = make_app(SCENARIO="edge-cases", INSTANCE=2)
    try:
        client = app.test_client()
        headers = token_auth(app.extensions["ghes"].runtime.tokens()["admin"])
        body = checked(client, "GET", "/api/v3/enterprise/settings/license", headers=headers).json
        assert body["seats"] == "unlimited" and body["seats_available"] == "unlimited"
        assert isinstance(body["seats_used"], int)
    finally:
        app.extensions["mock"].db.close()


def test_days_until_expiration_follows_the_app_clock(client, admin):
    before = client.get("/api/v3/enterprise/settings/license", headers=admin).json
    assert client.post("/_mock/clock/advance", json={"days": 10}).status_code == 200
    after = client.get("/api/v3/enterprise/settings/license", headers=admin).json
    assert after["days_until_expiration"] == before["days_until_expiration"] - 10
    assert before["expire_at"] == after["expire_at"]


def test_user_statistics(client, admin):
    body = checked(client, "GET", "/api/v3/enterprise/stats/users", headers=admin).json
    users = [u for u in _truth(client) if u["kind"] != "ghost"]
    assert body == {"total_users": len(users), "admin_users": sum(u["site_admin"] for u in users),
                    "suspended_users": sum(u["suspended"] for u in users)}


@pytest.mark.parametrize("asked, created", [("octo_cat", "octo-cat"), ("a__b--c", "a-b-c"),
                                            ("-Mona.Lisa-", "Mona-Lisa")])
def test_create_user_normalises_the_login(client, admin, asked, created):
    response = checked(client, "POST", "/api/v3/admin/users", headers=admin,
                       json={"login": asked, "email": f"{created.lower()}@example.com"})
    assert response.status_code == 201
    assert response.json["login"] == created
    assert response.json["url"].endswith(f"/api/v3/users/{created}")
    user = next(u for u in _truth(client) if u["login"] == created)
    assert user["has_token"] is False and user["person_id"] is None
    assert user["emails"] == [{"address": f"{created.lower()}@example.com", "primary": True}]


def test_create_user_refuses_an_existing_login_or_email(client, admin, runtime):
    someone = next(u for u in _truth(client) if u["kind"] == "user" and len(u["emails"]) > 1)
    taken_login = client.post("/api/v3/admin/users", headers=admin,
                              json={"login": someone["login"].upper(), "email": "fresh@example.com"})
    assert taken_login.status_code == 422
    assert taken_login.json["errors"] == [{"resource": "User", "field": "login", "code": "already_exists"}]
    secondary = next(e["address"] for e in someone["emails"] if not e["primary"])
    taken_email = client.post("/api/v3/admin/users", headers=admin,
                              json={"login": "brand-new", "email": secondary.upper()})
    assert taken_email.status_code == 422
    assert taken_email.json["errors"][0]["field"] == "email"
    assert set(taken_email.json) >= {"message", "documentation_url", "status"}
    assert taken_email.json["status"] == "422"


@pytest.mark.parametrize("body, field, code", [
    ({"email": "x@example.com"}, "login", "missing_field"),
    ({"login": "someone"}, "email", "missing_field"),
    ({"login": "someone", "email": "not an email"}, "email", "invalid"),
    ({"login": "___", "email": "x@example.com"}, "login", "invalid"),
    ({"login": "a" * 40, "email": "x@example.com"}, "login", "invalid"),
])
def test_create_user_validation(client, admin, body, field, code):
    response = client.post("/api/v3/admin/users", headers=admin, json=body)
    assert response.status_code == 422
    assert {"resource": "User", "field": field, "code": code} in response.json["errors"]


def test_unparsable_json_is_400(client, admin):
    response = client.post("/api/v3/admin/users", headers={**admin, "Content-Type": "application/json"},
                           data=b"{not json")
    assert response.status_code == 400
    assert response.json["message"] == "Problems parsing JSON"


def test_rename_happens_and_answers_202(client, admin):
    target = next(u for u in _truth(client) if u["kind"] == "user" and not u["site_admin"])
    response = checked(client, "PATCH", f"/api/v3/admin/users/{target['login']}", headers=admin,
                       json={"login": "the_new_name"})
    assert response.status_code == 202
    assert response.json["message"].startswith("Job queued to rename user")
    assert response.json["url"].endswith(f"/api/v3/user/{target['id']}")
    assert client.get(response.json["url"], headers=admin).json["login"] == "the-new-name"
    assert client.get("/api/v3/users/the-new-name", headers=admin).json["id"] == target["id"]
    assert client.get(f"/api/v3/users/{target['login']}", headers=admin).status_code == 404


def test_rename_refuses_a_taken_login_and_unknown_users(client, admin, runtime):
    users = [u for u in _truth(client) if u["kind"] == "user"]
    clash = client.patch(f"/api/v3/admin/users/{users[1]['login']}", headers=admin,
                         json={"login": users[2]["login"]})
    assert clash.status_code == 422 and clash.json["errors"][0]["code"] == "already_exists"
    assert client.patch("/api/v3/admin/users/nobody-here", headers=admin, json={"login": "x"}).status_code == 404
    assert client.patch(f"/api/v3/admin/users/{users[1]['login']}", headers=admin, json={}).status_code == 422


def test_delete_user_changes_seats_and_stats(client, admin):
    target = next(u for u in _truth(client) if u["consumes_license"] and not u["site_admin"])
    seats, stats = _seats_used(client, admin), client.get("/api/v3/enterprise/stats/users", headers=admin).json
    assert checked(client, "DELETE", f"/api/v3/admin/users/{target['login']}", headers=admin).status_code == 204
    assert _seats_used(client, admin) == seats - 1
    after = client.get("/api/v3/enterprise/stats/users", headers=admin).json
    assert after["total_users"] == stats["total_users"] - 1
    assert client.get(f"/api/v3/users/{target['login']}", headers=admin).status_code == 404
    assert client.delete(f"/api/v3/admin/users/{target['login']}", headers=admin).status_code == 404


def test_nobody_deletes_or_suspends_themselves(client, admin, runtime):
    me = runtime.store.instance()["admin_login"]
    delete = client.delete(f"/api/v3/admin/users/{me}", headers=admin)
    suspend = client.put(f"/api/v3/users/{me}/suspended", headers=admin)
    assert delete.status_code == 403 and suspend.status_code == 403
    assert "yourself" in suspend.json["message"]
    assert runtime.store.user(me)["suspended"] is False


def test_the_ghost_user_cannot_be_changed(client, admin):
    assert client.delete("/api/v3/admin/users/ghost", headers=admin).status_code == 403
    assert client.put("/api/v3/users/ghost/suspended", headers=admin).status_code == 403


def test_suspend_and_unsuspend_release_and_take_a_seat(client, admin, runtime):
    target = next(u for u in _truth(client) if u["consumes_license"] and not u["site_admin"])
    seats = _seats_used(client, admin)
    suspended = client.get("/api/v3/enterprise/stats/users", headers=admin).json["suspended_users"]
    response = checked(client, "PUT", f"/api/v3/users/{target['login']}/suspended", headers=admin,
                       json={"reason": "Leave of absence"})
    assert response.status_code == 204
    assert _seats_used(client, admin) == seats - 1
    assert client.get("/api/v3/enterprise/stats/users", headers=admin).json["suspended_users"] == suspended + 1
    user = runtime.store.user(target["login"])
    assert user["suspended"] and user["suspension_reason"] == "Leave of absence" and user["suspended_at"]
    assert checked(client, "DELETE", f"/api/v3/users/{target['login']}/suspended", headers=admin).status_code == 204
    assert _seats_used(client, admin) == seats
    assert client.put("/api/v3/users/nobody-here/suspended", headers=admin).status_code == 404


def test_suspending_without_a_body_uses_the_default_reason(client, admin, runtime):
    target = next(u for u in _truth(client) if u["consumes_license"] and not u["site_admin"])
    assert client.put(f"/api/v3/users/{target['login']}/suspended", headers={**admin, "Content-Length": "0"}
                      ).status_code == 204
    admin_login = runtime.store.instance()["admin_login"]
    assert runtime.store.user(target["login"])["suspension_reason"] == f"Suspended via API by {admin_login}"


def test_an_optional_body_may_be_null_but_not_garbage(client, admin):
    target = next(u for u in _truth(client) if u["consumes_license"] and not u["site_admin"])
    path = f"/api/v3/users/{target['login']}/suspended"
    assert client.put(path, headers={**admin, "Content-Type": "application/json"}, data=b"null").status_code == 204
    garbage = client.delete(path, headers={**admin, "Content-Type": "application/json"}, data=b"{oops")
    assert garbage.status_code == 400 and garbage.json["message"] == "Problems parsing JSON"
    assert client.put(path, headers=admin, json=["not", "an", "object"]).status_code == 400


def test_users_can_check_their_token(client, tokens, runtime):
    for scheme in ("token", "Bearer", "bearer"):
        me = client.get("/api/v3/user", headers=token_auth(tokens["member"], scheme))
        assert me.status_code == 200 and me.json["login"] == runtime.store.instance()["member_login"]
        assert me.json["site_admin"] is False and me.json["type"] == "User"
    other = client.get(f"/api/v3/users/{runtime.store.instance()['admin_login']}",
                       headers=token_auth(tokens["member"]))
    assert other.status_code == 200 and other.json["site_admin"] is True


def test_every_api_response_carries_the_enterprise_version(client, admin, runtime):
    version = runtime.store.instance()["version"]
    for path, headers in (("/api/v3/user", admin), ("/api/v3/user", {}), ("/api/v3/nothing", admin),
                          ("/manage/v1/config/license", {}), ("/login", {}), ("/_mock/scenario", {}),
                          ("/api/v3/enterprise/license-usage/export", admin)):
        response = client.get(path, headers=headers)
        assert response.headers["X-GitHub-Enterprise-Version"] == version, path


def test_api_version_negotiation(client, admin):
    default = client.get("/api/v3/user", headers=admin)
    assert default.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    unknown = client.get("/api/v3/user", headers={**admin, "X-GitHub-Api-Version": "1999-01-01"})
    assert unknown.status_code == 400 and unknown.json["status"] == "400"
