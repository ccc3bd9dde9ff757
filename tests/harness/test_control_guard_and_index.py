"""Who may use `/_mock/` (loopback, or anyone with the control key) and the self-describing index."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

OUTSIDE = {"REMOTE_ADDR": "10.1.2.3"}  # simulated in the test client: no real non-loopback traffic


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_callers_are_served(app: Flask, address: str) -> None:
    """Without a control key, any loopback address (IPv4, IPv6, IPv4-mapped) may drive the mock."""
    assert app.test_client().get("/_mock/clock", environ_base={"REMOTE_ADDR": address}).status_code == 200


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.5", "::ffff:10.0.0.1", "not-an-ip", ""])
def test_everyone_else_is_refused_but_the_api_still_answers(app: Flask, address: str) -> None:
    """The control plane is for the test on this machine; the mocked API itself is for anyone."""
    client = app.test_client()
    response = client.post("/_mock/reset", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 403
    assert response.get_json()["message"].startswith("The control plane answers only on loopback")
    assert client.get("/api/widgets", environ_base={"REMOTE_ADDR": address}).status_code == 200


def test_a_control_key_is_then_required_from_everyone(make_app: Callable[..., Flask]) -> None:
    """With CONTROL_KEY set, the header decides (from loopback too), compared in constant time."""
    client = make_app(CONTROL_KEY="s3cret").test_client()
    assert client.get("/_mock/clock").status_code == 403
    assert client.get("/_mock/clock", headers={"X-Mock-Control-Key": "wrong"}).status_code == 403
    assert client.get("/_mock/clock", headers={"X-Mock-Control-Key": "s3cret"}).status_code == 200
    assert client.get("/_mock/clock", headers={"X-Mock-Control-Key": "s3cret"},
                      environ_base=OUTSIDE).status_code == 200
    assert "X-Mock-Control-Key" in client.get("/_mock/clock").get_json()["message"]


def test_the_control_key_is_redacted_from_the_journal(make_app: Callable[..., Flask]) -> None:
    """Secrets a client sends (control key, cookie, token) are not kept in the journal."""
    client = make_app(CONTROL_KEY="s3cret").test_client()
    client.set_cookie("session", "abc")
    client.get("/api/widgets", headers={"X-Mock-Control-Key": "s3cret", "Authorization": "token t"})
    [entry] = client.get("/_mock/journal", headers={"X-Mock-Control-Key": "s3cret"}).get_json()
    headers = entry["request_headers"]
    assert headers["X-Mock-Control-Key"] == headers["Cookie"] == headers["Authorization"] == "[redacted]"


def _shape(path: str) -> str:
    """A route path with its converters erased, so `<id>` and `<int:fault_id>` compare equal."""
    return re.sub(r"<[^>]*>", "<>", path).rstrip("/") or "/"


def test_index_lists_exactly_the_routes_that_exist(app: Flask, client: FlaskClient) -> None:
    """The index is the control plane's documentation: nothing missing, nothing invented."""
    listed = {(r["method"], _shape(r["path"])) for r in client.get("/_mock/").get_json()}
    served = {(method, _shape(rule.rule)) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/_mock") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert listed == served
    assert ("GET", "/_mock/ticks") in listed  # the app's own extension is listed too
    assert all(r["description"] for r in client.get("/_mock/").get_json())


def test_control_plane_errors_are_json(client: FlaskClient) -> None:
    """Routing errors under /_mock/ answer in GitHub's JSON, like the API."""
    missing = client.get("/_mock/nope")
    assert missing.status_code == 404 and missing.get_json()["message"] == "Not Found"
    wrong = client.patch("/_mock/clock")
    assert wrong.status_code == 405 and set(wrong.headers["Allow"].split(", ")) >= {"GET", "PUT"}


def test_openapi_route_serves_the_apps_document(client: FlaskClient) -> None:
    """Each app hands its OpenAPI document to the shared route."""
    assert client.get("/_mock/openapi.json").get_json()["openapi"] == "3.0.3"
