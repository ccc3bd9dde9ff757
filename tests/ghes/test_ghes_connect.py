"""GitHub Connect license sync: registration, Sync now, the weekly job on the app clock, failures.

GHES's session is routed in-process: into mock GHEC's test client for the real exchange, or
into a scripted stub for refusals and outages. No sockets, no sleeps: time moves through
`/_mock/clock`, which runs the due sync before it answers.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from ghes_helpers import make_app, token_auth
from ghes_routing import Step, StubAdapter, WsgiAdapter, routed_session

import export_format

CONNECT = "/api/v3/enterprise/connect"
SYNC = "/api/v3/enterprise/connect/license-sync"
GHEC = "http://ghec.test"


def _enable(client: Any, admin: dict[str, str], token: str = "ghp_connect", enterprise: str = "acme") -> Any:
    """Configure Connect with license sync on (registers with GHEC)."""
    return client.put(CONNECT, headers=admin, json={"ghec_url": GHEC, "enterprise": enterprise,
                                                    "token": token, "license_sync": True})


@pytest.fixture
def stub(app) -> StubAdapter:
    """A scripted GHEC on GHES's session (answers 201 until told otherwise)."""
    adapter = StubAdapter()
    app.extensions["connect_session"] = routed_session(adapter, GHEC)
    return adapter


@pytest.fixture
def ghec(app) -> Any:
    """Mock GHEC, same seed, wired behind GHES's session: (ghec app, slug, connect token, owner headers)."""
    mock_ghec = pytest.importorskip("mock_ghec")
    other = mock_ghec.create_app({"TESTING": True})
    app.extensions["connect_session"] = routed_session(WsgiAdapter(other), GHEC)
    main = other.test_client().get("/_mock/scenario").json["enterprises"][0]
    yield other, main["slug"], main["tokens"]["connect"], token_auth(main["tokens"]["owner"])
    other.extensions["mock"].db.close()


def test_connect_is_off_until_configured(client, admin):
    state = client.get(CONNECT, headers=admin).json
    assert state["license_sync"] is False and state["token_configured"] is False
    assert state["last_sync"] is None and state["next_sync_at"] is None
    refused = client.post(SYNC, headers=admin)
    assert refused.status_code == 422 and "not enabled" in refused.json["message"]


def test_license_sync_needs_a_complete_configuration(client, admin):
    response = client.put(CONNECT, headers=admin, json={"ghec_url": GHEC, "license_sync": True})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "enterprise"
    bad = client.put(CONNECT, headers=admin, json={"ghec_url": "ftp://x", "license_sync": False})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "ghec_url"


def test_real_exchange_with_mock_ghec(client, admin, runtime, ghec):
    other, slug, connect_token, owner = ghec
    state = _enable(client, admin, connect_token, slug).json
    assert state["registered"] is True and state["registration_error"] is None
    assert "token" not in state and state["token_configured"] is True
    status = other.test_client().get(f"/enterprises/{slug}/license-sync-status", headers=owner).json
    (server,) = status["server_instances"]
    assert server["server_id"] == runtime.store.instance()["server_id"]
    assert server["last_sync"]["status"] == "never_synced"

    attempt = client.post(SYNC, headers=admin)
    assert attempt.status_code == 200
    assert attempt.json["result"] == "success", attempt.json
    assert attempt.json["trigger"] == "manual" and attempt.json["users_sent"] == runtime.store.seats_used()
    status = other.test_client().get(f"/enterprises/{slug}/license-sync-status", headers=owner).json
    assert status["server_instances"][0]["last_sync"]["status"] == "success"


def test_weekly_sync_runs_when_the_clock_moves(client, admin, runtime, ghec):
    other, slug, connect_token, _owner = ghec
    # Only GHES's clock moves below; GHEC's runs two months ahead so no push is from its future (refused).
    assert other.test_client().post("/_mock/clock/advance", json={"days": 60}).status_code == 200
    _enable(client, admin, connect_token, slug)
    assert client.post("/_mock/clock/advance", json={"days": 3}).status_code == 200
    assert client.get(CONNECT, headers=admin).json["attempts"] == []
    client.post("/_mock/clock/advance", json={"days": 4, "seconds": 1})
    attempts = client.get(CONNECT, headers=admin).json["attempts"]
    assert [(a["trigger"], a["result"]) for a in attempts] == [("scheduled", "success")]
    client.post("/_mock/clock/advance", json={"days": 7})
    assert len(client.get(CONNECT, headers=admin).json["attempts"]) == 2
    client.post("/_mock/clock/advance", json={"days": 30})  # missed weeks run once, not four times
    assert len(client.get(CONNECT, headers=admin).json["attempts"]) == 3


def test_a_request_after_time_passed_runs_the_due_sync(client, admin, runtime, stub):
    _enable(client, admin)
    due = client.get(CONNECT, headers=admin).json["next_sync_at"]
    # Another worker (or plain time) moved the clock: no listener ran here.
    runtime.db.set_kv("clock", json.dumps({"offset": 0, "frozen": due}))
    client.get("/api/v3/enterprise/settings/license", headers=admin)
    attempts = runtime.connect.attempts()
    assert [(a["trigger"], a["result"]) for a in attempts] == [("scheduled", "success")]


def test_the_push_carries_the_encrypted_export(client, admin, runtime, stub):
    state = _enable(client, admin).json
    assert state["registered"] is True
    register, = stub.sent
    assert register.method == "PUT"
    assert register.url == f"{GHEC}/enterprises/acme/connect/servers/{runtime.store.instance()['server_id']}"
    assert json.loads(register.body) == {"host_name": runtime.store.instance()["host_name"],
                                         "version": runtime.store.instance()["version"]}
    assert register.headers["Authorization"] == "token ghp_connect"
    client.post(SYNC, headers=admin)
    push = stub.sent[-1]
    assert push.method == "POST" and push.url == f"{GHEC}/enterprises/acme/connect/server-usage"
    assert push.headers["Content-Type"] == "application/json"
    assert push.headers["Authorization"] == "token ghp_connect"
    document = export_format.parse_export(push.body, private_key=export_format.load_private_key())
    assert len(document.users) == runtime.store.seats_used()
    feature, = document.instance["features"]
    assert feature["name"] == "license_usage_sync"
    assert feature["enabled_at"] == client.get(CONNECT, headers=admin).json["license_sync_enabled_at"]


@pytest.mark.parametrize("step, http_status, words", [
    (Step(error=requests.ConnectionError("Connection refused")), None,
     "cannot reach GHEC at http://ghec.test: connection refused"),
    (Step(status=500, body=b'{"message": "Server Error"}'), 500, "Server Error"),
    (Step(status=403, body=b'{"message": "Bad token"}'), 403, "Bad token"),
    (Step(status=422, body=b"not json"), 422, "not json"),
])
def test_failures_are_recorded_and_the_next_weekly_run_retries(client, admin, runtime, stub, step,
                                                                http_status, words):
    _enable(client, admin)
    stub.steps = [step]
    attempt = client.post(SYNC, headers=admin).json
    assert attempt["result"] == "failure" and attempt["http_status"] == http_status
    assert words in attempt["error"]
    client.post("/_mock/clock/advance", json={"days": 7, "seconds": 1})  # still failing: recorded again
    stub.steps = [Step(status=201)]
    client.post("/_mock/clock/advance", json={"days": 7})
    attempts = client.get(CONNECT, headers=admin).json["attempts"]
    assert [(a["trigger"], a["result"]) for a in attempts] == [
        ("scheduled", "success"), ("scheduled", "failure"), ("manual", "failure")]
    assert attempts[0]["users_sent"] == runtime.store.seats_used()


def test_registration_failure_keeps_the_settings_and_is_retried(client, admin, stub):
    stub.steps = [Step(error=requests.ConnectionError("Connection refused"))]
    state = _enable(client, admin).json
    assert state["license_sync"] is True and state["registered"] is False
    assert "cannot reach GHEC" in state["registration_error"]
    stub.steps = [Step(status=201)]
    attempt = client.post(SYNC, headers=admin).json
    assert attempt["result"] == "success"
    assert [r.method for r in stub.sent] == ["PUT", "PUT", "POST"]  # registered again, then pushed
    assert client.get(CONNECT, headers=admin).json["registered"] is True


def test_a_refused_push_registers_again_next_time(client, admin, stub):
    _enable(client, admin)
    stub.steps = [Step(status=422, body=b'{"message": "server is not registered"}'), Step(status=201)]
    assert client.post(SYNC, headers=admin).json["result"] == "failure"
    assert client.post(SYNC, headers=admin).json["result"] == "success"
    assert [r.method for r in stub.sent] == ["PUT", "POST", "PUT", "POST"]


def test_disabling_stops_the_schedule_and_the_feature(client, admin, stub):
    _enable(client, admin)
    off = client.put(CONNECT, headers=admin, json={"license_sync": False}).json
    assert off["license_sync"] is False and off["next_sync_at"] is None and off["token_configured"]
    client.post("/_mock/clock/advance", json={"days": 30})
    assert client.get(CONNECT, headers=admin).json["attempts"] == []
    plain = json.loads(client.get("/api/v3/enterprise/license-usage/export?encrypted=false", headers=admin).data)
    assert plain["instance"]["features"] == []


def test_preconfigured_from_settings():
    stub = StubAdapter()
    app = make_app(CONNECT_URL=GHEC, CONNECT_ENTERPRISE="acme", CONNECT_TOKEN="ghp_connect",
                   CONNECT_SESSION=routed_session(stub, GHEC))
    try:
        client, runtime = app.test_client(), app.extensions["ghes"].runtime
        admin = token_auth(runtime.tokens()["admin"])
        state = client.get(CONNECT, headers=admin).json
        assert state["license_sync"] is True and state["registered"] is False  # registers on first use
        assert state["license_sync_enabled_at"] <= state["next_sync_at"]
        assert client.post(SYNC, headers=admin).json["result"] == "success"
        assert [r.method for r in stub.sent] == ["PUT", "POST"]
    finally:
        app.extensions["mock"].db.close()


def test_reset_forgets_connect_and_attempts(client, admin, stub):
    _enable(client, admin)
    client.post(SYNC, headers=admin)
    assert client.post("/_mock/reset").status_code == 204
    state = client.get(CONNECT, headers=admin).json
    assert state["license_sync"] is False and state["attempts"] == []
