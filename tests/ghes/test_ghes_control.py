"""GHES's `/_mock/` hooks: ground-truth users, scenario switching, reset, snapshot, OpenAPI."""
from __future__ import annotations

from ghes_helpers import make_app, token_auth
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

import scenarios


def test_mock_users_is_the_scenarios_ground_truth(client, runtime):
    users = client.get("/_mock/users").json
    instance = scenarios.build(seed=1, preset="demo").ghes[0]
    assert [u["login"] for u in users] == [u.login for u in instance.users]
    for got, want in zip(users, instance.users, strict=True):
        assert got["id"] == want.id and got["name"] == want.name and got["kind"] == want.kind
        assert got["emails"] == [{"address": e.address, "primary": e.primary} for e in want.emails]
        assert got["canary"] == want.canary and got["person_id"] == want.person_id
        assert got["suspended"] == want.suspended and got["site_admin"] == want.site_admin
    assert sum(u["consumes_license"] for u in users) == runtime.store.seats_used()
    assert sorted(u["login"] for u in users if u["has_token"]) == sorted(
        [instance.admin_login, instance.member_login])


def test_describe_scenario(client, runtime):
    described = client.get("/_mock/scenario").json
    instance = runtime.store.instance()
    assert {k: described[k] for k in ("seed", "preset", "instance", "server_id", "host_name")} == {
        "seed": 1, "preset": "demo", "instance": 1, "server_id": instance["server_id"],
        "host_name": instance["host_name"]}
    assert described["params"]["people"] == 200
    assert described["license_rules"]["count_bots"] is True


def test_load_another_scenario(client, runtime):
    before = client.get("/_mock/scenario").json
    switched = client.put("/_mock/scenario", json={"seed": 2, "instance": 2})
    assert switched.status_code == 200
    assert switched.json["seed"] == 2 and switched.json["instance"] == 2
    assert switched.json["server_id"] != before["server_id"]
    expected = scenarios.build(seed=2, preset="demo").ghes[1]
    assert switched.json["host_name"] == expected.host_name
    tokens = runtime.tokens()
    me = client.get("/api/v3/user", headers=token_auth(tokens["admin"]))
    assert me.status_code == 200 and me.json["login"] == expected.admin_login
    assert me.headers["X-GitHub-Enterprise-Version"] == expected.version


def test_a_bad_scenario_changes_nothing(client):
    before = client.get("/_mock/scenario").json
    for spec in ({"preset": "nope"}, {"instance": 7}, {"params": {"people": -1}}, {"seed": "x"}):
        response = client.put("/_mock/scenario", json=spec)
        assert response.status_code == 422, spec
    assert client.get("/_mock/scenario").json == before


def test_reset_undoes_admin_changes(client, admin, runtime):
    victim = next(u for u in runtime.store.all_users() if u["consumes_license"] and not u["site_admin"])
    client.put(f"/api/v3/users/{victim['login']}/suspended", headers=admin)
    client.post("/api/v3/admin/users", headers=admin, json={"login": "temp", "email": "temp@example.com"})
    assert client.post("/_mock/reset").status_code == 204
    assert runtime.store.user(victim["login"])["suspended"] is False
    assert client.get("/api/v3/users/temp", headers=admin).status_code == 404
    created = client.post("/api/v3/admin/users", headers=admin, json={"login": "t2", "email": "t2@example.com"})
    assert created.json["id"] == max(u.id for u in scenarios.build(seed=1).ghes[0].users) + 1


def test_snapshot_round_trip(client, admin, runtime):
    snapshot = client.get("/_mock/snapshot").json
    assert "ghes_users" in snapshot["tables"] and "ghes_connect" in snapshot["tables"]
    victim = next(u for u in runtime.store.all_users() if u["consumes_license"] and not u["site_admin"])
    client.delete(f"/api/v3/admin/users/{victim['login']}", headers=admin)
    assert client.put("/_mock/snapshot", json=snapshot).status_code == 204
    assert client.get(f"/api/v3/users/{victim['login']}", headers=admin).status_code == 200


def test_sign_in_hook_makes_a_created_user_count():
    app = make_app(COUNT_NEVER_SIGNED_IN=False)
    client, runtime = app.test_client(), app.extensions["ghes"].runtime
    admin = token_auth(runtime.tokens()["admin"])
    client.post("/api/v3/admin/users", headers=admin, json={"login": "newbie", "email": "newbie@example.com"})
    used = runtime.store.seats_used()
    response = client.post("/_mock/users/newbie/sign-in")
    assert response.status_code == 200 and response.json["consumes_license"] is True
    assert runtime.store.seats_used() == used + 1
    assert client.post("/_mock/users/nobody-here/sign-in").status_code == 404


def test_control_routes_are_listed(client):
    paths = {r["path"] for r in client.get("/_mock/").json}
    assert {"/_mock/users", "/_mock/users/<login>/sign-in", "/_mock/reset"} <= paths


def _rule_to_openapi(rule: str) -> str:
    """/users/<username>/x -> /users/{username}/x."""
    return rule.replace("<int:", "<").replace("<", "{").replace(">", "}")


def test_openapi_covers_every_route_of_the_app(app, client):
    document = client.get("/_mock/openapi.json").json
    OpenAPI.from_dict(document)  # a valid OpenAPI 3.0 document
    shared = {"/_mock/", "/_mock/reset", "/_mock/scenario", "/_mock/snapshot", "/_mock/journal", "/_mock/faults",
              "/_mock/faults/{fault_id}", "/_mock/clock", "/_mock/clock/advance", "/_mock/openapi.json",
              "/_mock/scenario/file", "/_mock/rate-limit"}
    routes = {(_rule_to_openapi(r.rule), m.lower()) for r in app.url_map.iter_rules()
              for m in r.methods - {"HEAD", "OPTIONS"} if not r.rule.startswith("/static")}
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}
    missing = {(p, m) for p, m in routes if p not in shared} - documented
    assert not missing, missing
    tags = {op["tags"][0] for ops in document["paths"].values() for op in ops.values()}
    assert tags == {"github", "mock", "control", "page"}


def test_our_own_routes_match_our_own_document(client, admin):
    spec = OpenAPI.from_dict({**client.get("/_mock/openapi.json").json,
                              "servers": [{"url": "http://localhost"}]})
    for method, path, body in (("GET", "/api/v3/enterprise/connect", None),
                               ("PUT", "/api/v3/enterprise/connect", {"license_sync": False}),
                               ("GET", "/_mock/users", None),
                               ("GET", "/api/v3/user", None)):
        response = client.open(path, method=method, headers=admin, json=body)
        request = Request(EnvironBuilder(path=path, method=method, headers=admin, json=body).get_environ())
        spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
