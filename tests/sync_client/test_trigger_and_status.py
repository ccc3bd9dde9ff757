"""`trigger` polls with a deadline (fakes, injected clock), and `status` needs only GitHub's public API."""
from __future__ import annotations

import pytest
from flask import Flask, jsonify, request

from github_http.live import LiveServer
from sync_client.cli import main
from sync_client.flows import TimedOut, trigger_sync


class FakeGhes:
    """Connect configured; Sync now answers with a finished attempt."""

    where = "GHES at fake"

    def __init__(self, result: str = "success") -> None:
        """Remember the attempt's result and how often Sync now was pressed."""
        self.result, self.pressed = result, 0

    def connect(self) -> dict:
        """Connect is configured with license sync on."""
        return {"server_id": "s-1", "ghec_url": "http://ghec", "license_sync": True}

    def sync_now(self) -> dict:
        """Sync now: the attempt finished with the configured result."""
        self.pressed += 1
        return {"result": self.result}


class FakeGhec:
    """license-sync-status answers scripted per poll (the last one repeats)."""

    root = "http://ghec"

    def __init__(self, answers: list[dict | None]) -> None:
        """Script the answers, one per poll."""
        self.answers, self.calls = answers, 0

    def license_sync_status(self) -> dict:
        """The next scripted answer."""
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return {"server_instances": [answer] if answer else []}


def row(date: str, status: str = "success") -> dict:
    """A license-sync-status row for server s-1."""
    return {"server_id": "s-1", "hostname": "ghes-1", "last_sync": {"date": date, "status": status, "error": None}}


class FakeTime:
    """A clock that moves only when the code under test 'sleeps'."""

    def __init__(self) -> None:
        """Start at 0 with no sleeps."""
        self.now, self.sleeps = 0.0, []

    def clock(self) -> float:
        """The fake monotonic clock."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the fake clock instead of sleeping."""
        self.sleeps.append(seconds)
        self.now += seconds


def test_trigger_polls_until_the_new_sync_shows():
    """trigger keeps polling (with growing intervals) until last_sync changes."""
    # before the trigger; then unchanged, briefly not listed, and finally the new sync
    ghec = FakeGhec([row("2026-01-01T00:00:00Z"), row("2026-01-01T00:00:00Z"), None, row("2026-01-02T00:00:00Z")])
    t = FakeTime()
    ghes = FakeGhes()
    result = trigger_sync(ghes, ghec, deadline=60, clock=t.clock, sleep=t.sleep)
    assert ghes.pressed == 1
    assert result["last_sync"]["date"] == "2026-01-02T00:00:00Z" and result["polls"] == 3
    assert t.sleeps == [0.05, 0.1]


def test_trigger_gives_up_at_the_deadline_with_one_line():
    """trigger never waits past its deadline, and says what it saw."""
    t = FakeTime()
    ghec = FakeGhec([row("2026-01-01T00:00:00Z", "error")])
    with pytest.raises(TimedOut) as caught:
        trigger_sync(FakeGhes(), ghec, deadline=5, clock=t.clock, sleep=t.sleep)
    assert "did not show a new sync for server s-1 within 5s" in caught.value.message
    assert t.now <= 6.5 and max(t.sleeps) <= 1.0


def test_trigger_accepts_a_same_second_resync_that_agrees_with_ghes():
    """A re-sync in the same second is recognised from GHES's finished attempt."""
    t = FakeTime()
    ghec = FakeGhec([row("2026-01-01T00:00:00Z")])  # same date before and after
    result = trigger_sync(FakeGhes("success"), ghec, deadline=60, clock=t.clock, sleep=t.sleep)
    assert result["polls"] == 3


def public_only_ghec() -> tuple[Flask, list[str]]:
    """A GHEC with nothing but the two public endpoints (no /_mock/), paging by Link."""
    app = Flask("public-ghec")
    seen: list[str] = []
    rows = [{"github_com_login": f"u{i}", "github_com_user": True, "enterprise_server_user": i % 2 == 0,
             "enterprise_server_user_ids": [f"ghes.example:{i}"] if i % 2 == 0 else []} for i in range(5)]

    @app.before_request
    def record():
        """Remember every path asked for, and require the token."""
        seen.append(request.path)
        if request.headers.get("Authorization") != "token t":
            return jsonify(message="Bad credentials"), 401

    @app.get("/enterprises/acme/consumed-licenses")
    def consumed():
        """Five rows, two per page, chained by Link."""
        page, per_page = int(request.args.get("page", 1)), 2
        body = {"total_seats_consumed": 5, "total_seats_purchased": 10,
                "users": rows[(page - 1) * per_page: page * per_page]}
        headers = {"Link": f'<{request.base_url}?page={page + 1}>; rel="next"'} if page * per_page < 5 else {}
        return jsonify(body), 200, headers

    @app.get("/enterprises/acme/license-sync-status")
    def status():
        """One server, synced."""
        return jsonify(server_instances=[row("2026-01-01T00:00:00Z")])

    @app.get("/ready")
    def ready():
        """Readiness probe for LiveServer."""
        return "ok"

    return app, seen


def test_status_uses_only_public_endpoints_and_follows_links(capsys, monkeypatch):
    """status works against a GHEC that has only GitHub's public endpoints."""
    app, seen = public_only_ghec()
    server = LiveServer(app).start(ready_path="/ready")
    try:
        code = main(["status", "--ghec-url", server.url, "--ghec-token", "t", "--ghec-enterprise", "acme", "--json"])
    finally:
        server.stop()
    assert code == 0
    import json
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 5 and data["pages"] == 3 and data["server_accounts"] == 3
    assert set(seen) - {"/ready"} == {"/enterprises/acme/consumed-licenses", "/enterprises/acme/license-sync-status"}
