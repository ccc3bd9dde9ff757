"""Issue 18's input repros, each as found (e8a6a59), now a 4xx or the safe behaviour named.

1-2 sign-in `next`; 3 lone surrogates; 4 deep nesting; 5 Connect registration; 8 sizes;
10 fault rule headers; 13 messages in the user's terms. (6, 7, 9, 11, 12: test_hardening_plane.py.)
"""
from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from hardening_helpers import (
    LOOPBACK,
    SERVER_ID,
    auth,
    csrf_of,
    ghec_app,
    ghec_tokens,
    ghes_admin,
    ghes_app,
    is_github_error,
    snapshot,
)
from rel_helpers import export, synthetic_users

import scenarios

TOKENS = ghec_tokens()
DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE_NEXT = ["/%09/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example",
                "/%5cevil.example", "/%0ax", "/\r\nSet-Cookie:x=y", "https://evil.example", "/%2F/evil.example"]


@pytest.fixture(scope="module")
def ghec() -> Any:
    app = ghec_app()
    yield app
    app.extensions["mock"].db.close()


@pytest.fixture(scope="module")
def ghes() -> Any:
    app = ghes_app()
    yield app
    app.extensions["mock"].db.close()


def _sign_in(client: Any, token: str, next_url: str) -> Any:
    """Post the sign-in form (with its CSRF token) asking to go to `next_url` after."""
    form = client.get("/login", query_string={"next": next_url})
    return client.post("/login", query_string={"next": next_url},
                       data={"csrf_token": csrf_of(form.get_data(as_text=True)), "token": token, "next": next_url})


@pytest.mark.parametrize("target", HOSTILE_NEXT, ids=[f"next-{n}" for n in range(len(HOSTILE_NEXT))])
def test_1_2_sign_in_never_redirects_off_site_nor_fails(ghec: Any, ghes: Any, target: str) -> None:
    """Both apps: after sign-in, a hostile `next` sends the user to a page of this site, never 500."""
    for app, token in ((ghec, TOKENS["owner"]), (ghes, ghes_admin()["Authorization"].split()[1])):
        response = _sign_in(app.test_client(), token, target)
        assert response.status_code == 302, response.get_data()[:300]
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_1_same_site_paths_still_work() -> None:
    from github_http.web import safe_next_path  # the shared check both apps' sign-in uses
    assert safe_next_path("/enterprises/x/settings/license?q=a%20b") == "/enterprises/x/settings/license?q=a%20b"
    assert all(safe_next_path(target) is None for target in HOSTILE_NEXT)


def test_3_lone_surrogates_are_400_and_never_stored(ghec: Any, ghes: Any) -> None:
    client, admin = ghes.test_client(), ghes_admin()
    before = snapshot(client)
    for method, path, body in (("PUT", "/api/v3/users/ghost/suspended", '{"reason":"\\udc00"}'),
                               ("DELETE", "/api/v3/users/ghost/suspended", '{"reason":"\\udc00"}'),
                               ("PUT", "/api/v3/enterprise/connect", '{"token":"\\udc00"}')):
        response = client.open(path, method=method, data=body, content_type="application/json", headers=admin)
        assert response.status_code == 400 and is_github_error(response), (path, response.get_data()[:200])
    assert snapshot(client) == before
    cloud = ghec.test_client()
    response = cloud.put(f"/enterprises/{TOKENS['slug']}/connect/servers/{SERVER_ID}",
                         data='{"host_name":"h.example","version":"\\ud800"}', content_type="application/json",
                         headers=auth(TOKENS["connect"]))
    assert response.status_code == 400 and is_github_error(response)


def test_3_a_push_with_a_surrogate_key_is_refused_and_its_failure_stored_readably(ghec: Any) -> None:
    client, slug = ghec.test_client(), TOKENS["slug"]
    assert client.put(f"/enterprises/{slug}/connect/servers/{SERVER_ID}", json={"host_name": "h.example",
                      "version": "3.15.2"}, headers=auth(TOKENS["connect"])).status_code in (200, 201)
    plain = export(SERVER_ID, "h.example", synthetic_users(2, "x.example")).decode()
    push = plain.rstrip().rstrip("}") + ', "\\ud800": 1, "' + "k" * 1_000_000 + '": 2}'
    response = client.post(f"/enterprises/{slug}/connect/server-usage", data=push, content_type="application/json",
                           headers=auth(TOKENS["connect"]))
    assert 400 <= response.status_code < 500
    status = client.get(f"/enterprises/{slug}/license-sync-status", headers=auth(TOKENS["owner"]))
    assert status.status_code == 200
    errors = [s["last_sync"]["error"] for s in status.get_json()["server_instances"]
              if s["last_sync"] and s["last_sync"].get("error")]
    assert errors and all(len(e) <= 500 for e in errors)
    assert all(e.encode("utf-8") for e in errors)  # storable text: any lone surrogate arrives escaped


JSON_ROUTES_GHES = [("POST", "/api/v3/admin/users"), ("PATCH", "/api/v3/admin/users/ghost"),
                    ("PUT", "/api/v3/users/ghost/suspended"), ("PUT", "/api/v3/enterprise/connect"),
                    ("PUT", "/_mock/snapshot"), ("PUT", "/_mock/scenario"), ("POST", "/_mock/faults")]
JSON_ROUTES_GHEC = [("PUT", f"/enterprises/{TOKENS['slug']}/connect/servers/{SERVER_ID}"),
                    ("PUT", "/_mock/snapshot"), ("PUT", "/_mock/clock"), ("POST", "/_mock/clock/advance")]


DEEP_CASES = [("ghes", m, p) for m, p in JSON_ROUTES_GHES] + [("ghec", m, p) for m, p in JSON_ROUTES_GHEC]


@pytest.mark.parametrize(("app_name", "method", "path"), DEEP_CASES, ids=[f"{a}-{m}-{p}" for a, m, p in DEEP_CASES])
def test_4_json_nested_100000_deep_is_400(ghec: Any, ghes: Any, app_name: str, method: str, path: str) -> None:
    app = ghes if app_name == "ghes" else ghec
    headers = ghes_admin() if app_name == "ghes" else auth(TOKENS["connect"])
    response = app.test_client().open(path, method=method, data=DEEP, content_type="application/json",
                                      headers=headers, environ_base=LOOPBACK)
    assert response.status_code == 400 and is_github_error(response)
    assert response.get_json()["message"] == "Problems parsing JSON"


@pytest.mark.parametrize("body", [
    {"host_name": "h.example", "version": "<script>"}, {"host_name": "h.example", "version": "3.1\u0000"},
    {"host_name": "h.example", "version": "3" * 5_000_000}, {"host_name": "h.example\n", "version": "3.15.2"},
    {"host_name": "../../x", "version": "3.15.2"}, {"host_name": "h.example", "version": 3},
], ids=["version-markup", "version-nul", "version-5MB", "host-trailing-newline", "host-path", "version-number"])
def test_5_connect_registration_validates_every_field(ghec: Any, body: dict) -> None:
    client = ghec.test_client()
    before = snapshot(client)
    response = client.put(f"/enterprises/{TOKENS['slug']}/connect/servers/{SERVER_ID}",
                          data=json.dumps(body), content_type="application/json", headers=auth(TOKENS["connect"]))
    assert 400 <= response.status_code < 500 and is_github_error(response)
    assert snapshot(client) == before


def test_5_server_id_must_match_whole(ghec: Any) -> None:
    response = ghec.test_client().put(f"/enterprises/{TOKENS['slug']}/connect/servers/{SERVER_ID}%0A",
                                      json={"host_name": "h.example"}, headers=auth(TOKENS["connect"]))
    assert response.status_code == 422


@pytest.mark.parametrize(("app_name", "method", "path", "body"), [
    ("ghec", "PUT", "/_mock/scenario", {"params": {"people": 1_000_000_000}}),
    ("ghes", "PUT", "/_mock/scenario", {"params": {"people": 1_000_001}}),
    ("ghes", "PUT", "/_mock/scenario", {"params": {"ghes_instances": 10_000}}),
    ("ghec", "PUT", "/_mock/scenario", {"seed": 2**70}),
    ("ghec", "GET", "/_mock/journal?limit=10001", None), ("ghec", "GET", "/_mock/journal?limit=-5", None),
    ("ghes", "GET", "/_mock/journal?status=99999999999999999999", None),
    ("ghec", "GET", f"/enterprises/{TOKENS['slug']}/consumed-licenses?page=1000001", None),
    ("ghec", "POST", "/_mock/clock/advance", {"days": 1e300}),
    ("ghec", "PUT", "/_mock/clock", {"now": "9999-12-31T00:00:00Z"}),
    ("ghec", "PUT", "/_mock/scenario", {"params": {"locales": ["en_US"] * 17}}),
    ("ghes", "PUT", "/_mock/scenario", {"params": {"overlap": 1e308}}),
    ("ghec", "POST", "/_mock/faults", {"path": "/x", "times": 2**70}),
    ("ghes", "POST", "/_mock/faults", {"path": "/x", "after": 1_000_001}),
    ("ghec", "POST", "/_mock/faults", {"path": "/x", "latency_ms": 60_001}),
    ("ghec", "POST", "/_mock/faults", {"path": "/x", "retry_after": 86_401}),
    ("ghes", "POST", "/_mock/faults", {"path": "/x" * 1025}),
    ("ghec", "PUT", "/_mock/rate-limit", {"token": "t", "remaining": 1, "limit": 2**70}),
    ("ghes", "PUT", "/_mock/rate-limit", {"token": "t", "remaining": 1, "limit": 1_000_000_001}),
    ("ghec", "PUT", "/_mock/rate-limit", {"token": "t", "remaining": 1, "reset_in": 86_401}),
], ids=["people-1e9", "people-over-1M", "instances-10000", "seed-70-bits", "journal-limit-10001",
        "journal-limit-negative", "journal-status-huge", "page-over-1M", "advance-1e300-days", "clock-year-9999",
        "locales-17", "overlap-1e308", "fault-times-70-bits", "fault-after-over-1M", "fault-latency-over-a-minute",
        "fault-retry-after-over-a-day", "fault-path-over-2048", "budget-70-bits", "budget-over-1e9",
        "budget-reset-over-a-day"])
def test_8_every_size_has_an_upper_bound_and_a_422_beyond(ghec: Any, ghes: Any, app_name: str, method: str,
                                                          path: str, body: Any) -> None:
    app = ghes if app_name == "ghes" else ghec
    client = app.test_client()
    before = snapshot(client)
    response = client.open(path, method=method, json=body, headers=auth(TOKENS["owner"]), environ_base=LOOPBACK)
    assert response.status_code == 422 and is_github_error(response), response.get_data()[:300]
    assert snapshot(client) == before


@pytest.mark.parametrize("headers", [{"X": "b\r\nSet-Cookie: x=y"}, {"Set-Cookie: x": "y"}, {"X": "a\u0000"},
                                     {"X y": "1"}, {"X": ["list"]}],
                         ids=["value-crlf", "name-colon", "value-nul", "name-space", "value-list"])
def test_10_fault_rule_headers_are_validated(ghec: Any, headers: dict) -> None:
    client = ghec.test_client()
    response = client.post("/_mock/faults", json={"path": "/user", "headers": headers}, environ_base=LOOPBACK)
    assert response.status_code in (400, 422) and is_github_error(response)
    assert client.get("/_mock/faults", environ_base=LOOPBACK).get_json() == []


def test_10_valid_fault_headers_still_apply(ghec: Any) -> None:
    client = ghec.test_client()
    assert client.post("/_mock/faults", json={"path": "/user", "status": 503, "headers": {"X-Why": "because"}},
                       environ_base=LOOPBACK).status_code == 201
    try:
        assert client.get("/user", headers=auth(TOKENS["owner"])).headers["X-Why"] == "because"
    finally:
        client.delete("/_mock/faults", environ_base=LOOPBACK)


def test_13_a_huge_number_is_explained_in_the_users_terms(ghec: Any) -> None:
    client = ghec.test_client()
    for path, headers in ((f"/enterprises/{TOKENS['slug']}/server-usage", auth(TOKENS["owner"])),
                          ("/_mock/clock/advance", {})):
        response = client.post(path, data='{"seconds": ' + "1" * 5000 + "}", content_type="application/json",
                               headers=headers, environ_base=LOOPBACK)
        assert response.status_code == 400, response.get_data()[:300]
        text = response.get_data(as_text=True)
        assert "4,300 digits" in text and "sys." not in text and "set_int_max_str_digits" not in text


LICENSES = [DEEP.encode(), b'{"seats": 10, "kind": "\\ud800", "expire_at": "2030-01-01T00:00:00Z"}',
            b'{"seats": 1' + b"0" * 5000 + b"}"]


@pytest.mark.parametrize("content", LICENSES, ids=["deep", "surrogate", "huge-number"])
def test_4_the_manage_apis_license_part_is_read_by_the_same_guard(ghes: Any, content: bytes) -> None:
    """The Manage API's upload takes JSON in a multipart part: the same reader, so the same 4xx."""
    client = ghes.test_client()
    password = scenarios.tokens.token_for(5, "ghes:1:manage")
    manage = {"Authorization": "Basic " + base64.b64encode(f"api_key:{password}".encode()).decode()}
    before = snapshot(client)
    response = client.put("/manage/v1/config/license", headers=manage,
                          data={"license": (io.BytesIO(content), "enterprise.ghl")})
    assert response.status_code == 400 and is_github_error(response)
    assert snapshot(client) == before


def test_a_fault_id_past_sqlites_range_is_a_404_not_a_500() -> None:
    """`DELETE /_mock/faults/{id}` with an id no 64-bit integer holds (found by the schemathesis sweep)."""
    from mock_ghec import create_app

    client = create_app({"TESTING": True, "SCENARIO": "small"}).test_client()
    answer = client.delete("/_mock/faults/99999999999999999999999")
    assert answer.status_code == 404 and answer.get_json()["message"] == "Not Found"
