"""The request journal: bounded, filterable, and clearable without touching anything else."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing

from flask import Flask
from flask.testing import FlaskClient


def _journal(client: FlaskClient, **query: object) -> list[dict]:
    """The journal entries matching `query` (GET /_mock/journal)."""
    response = client.get("/_mock/journal", query_string=query)
    assert response.status_code == 200
    return response.get_json()


def test_records_api_requests_but_not_the_control_plane(client: FlaskClient) -> None:
    """The journal is about the app's traffic; control calls would drown it."""
    client.get("/api/widgets?page=2", headers={"Authorization": "token secret"})
    client.get("/_mock/clock")
    [entry] = _journal(client)
    assert (entry["method"], entry["path"], entry["query"], entry["status"]) == ("GET", "/api/widgets", "page=2", 200)
    assert entry["request_headers"]["Authorization"] == "[redacted]"
    assert entry["fault_id"] is None


def test_bound_holds_below_and_above_the_trim_interval(make_app: Callable[..., Flask]) -> None:
    """JOURNAL_MAX_ENTRIES is a hard bound on what a reader sees, whatever the bound is."""
    for bound, sent in ((5, 12), (60, 130)):
        client = make_app(JOURNAL_MAX_ENTRIES=bound).test_client()
        for i in range(sent):
            client.get(f"/api/widgets?n={i}")
        entries = _journal(client, limit=10_000)
        assert len(entries) == bound
        assert [e["query"] for e in entries] == [f"n={i}" for i in range(sent - bound, sent)]


def test_filters_by_method_path_and_status(client: FlaskClient) -> None:
    """Each filter narrows to exactly the requests it names."""
    client.get("/api/widgets")
    client.post("/api/widgets", json={"name": "x"})
    client.post("/api/widgets", json={})
    client.get("/page")
    assert [e["status"] for e in _journal(client, method="post")] == [201, 422]
    assert [e["path"] for e in _journal(client, path="/api/*")] == ["/api/widgets"] * 3
    assert [e["path"] for e in _journal(client, path="/page")] == ["/page"]
    assert [e["method"] for e in _journal(client, status=422)] == ["POST"]
    assert len(_journal(client, limit=2)) == 2  # the newest two
    assert _journal(client, limit=1)[0]["path"] == "/page"


def test_path_filter_is_a_glob_not_a_pattern_language(client: FlaskClient) -> None:
    """`_` and case are literal: /API/* must not match /api/..., as fault globs do not."""
    client.get("/api/widgets")
    assert _journal(client, path="/API/*") == []
    assert _journal(client, path="/api_widgets") == []
    assert len(_journal(client, path="/api/widget?")) == 1


def test_filters_by_time_on_the_mock_clock(client: FlaskClient) -> None:
    """`since`/`until` compare the app's clock, so a test can bracket requests by moving it."""
    client.put("/_mock/clock", json={"now": "2030-01-01T00:00:00Z", "freeze": True})
    client.get("/api/widgets?n=1")
    client.post("/_mock/clock/advance", json={"days": 1})
    client.get("/api/widgets?n=2")
    assert [e["query"] for e in _journal(client, since="2030-01-02T00:00:00Z")] == ["n=2"]
    assert [e["query"] for e in _journal(client, until="2030-01-01T23:59:59Z")] == ["n=1"]
    assert _journal(client, since="2030-01-01T00:00:00Z")[0]["at"] == "2030-01-01T00:00:00Z"


def test_bodies_only_on_request(client: FlaskClient) -> None:
    """Bodies are large; they come back only with bodies=1, as text or base64."""
    client.post("/api/widgets", json={"name": "w"})
    client.post("/api/widgets", data=b"\xff\xfe", content_type="application/octet-stream")
    plain, binary = _journal(client, bodies=1)
    assert plain["request_body"] == '{"name": "w"}' and plain["response_body"] == '{"id":4,"name":"w"}\n'
    assert binary["request_body_base64"] == "//4=" and binary["request_body_bytes"] == 2
    assert "request_body" not in _journal(client)[0]


def test_clearing_the_journal_touches_nothing_else(client: FlaskClient) -> None:
    """DELETE /_mock/journal forgets requests, not faults, clock or domain state."""
    client.post("/api/widgets", json={"name": "kept"})
    client.post("/_mock/faults", json={"path": "/nowhere"})
    client.post("/_mock/clock/advance", json={"days": 3})
    assert client.delete("/_mock/journal").status_code == 204
    assert _journal(client) == []
    assert len(client.get("/_mock/faults").get_json()) == 1
    assert client.get("/_mock/clock").get_json()["offset_seconds"] >= 3 * 86400
    assert len(client.get("/api/widgets?per_page=5").get_json()) == 4


def test_journal_off_records_nothing(make_app: Callable[..., Flask]) -> None:
    """JOURNAL=false (benchmarks) records nothing but serves the same."""
    client = make_app(JOURNAL=False).test_client()
    assert client.get("/api/widgets").status_code == 200
    assert _journal(client) == []


def test_the_journal_lives_in_its_own_file_beside_the_state(app: Flask, client: FlaskClient) -> None:
    """Recording a request writes the side file only: the state's database is never written by a read."""
    db = app.extensions["mock"].db
    side = db.path.with_name(f"{db.path.stem}.requests.sqlite3")
    state_changes = db.connection().total_changes
    client.get("/api/widgets")
    assert db.connection().total_changes == state_changes
    assert len(_journal(client)) == 1 and side.exists()
    with closing(sqlite3.connect(side)) as look:
        tables = {r[0] for r in look.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"mock_journal"}


def test_a_successful_read_keeps_no_response_body(client: FlaskClient) -> None:
    """GET answers can be asked again: their body is null in the journal; an error's is kept."""
    client.get("/api/widgets")
    client.get("/api/nowhere")
    ok, missing = _journal(client, bodies=1)
    assert ok["status"] == 200 and ok["response_body"] is None
    assert missing["status"] == 404 and missing["response_body"]
