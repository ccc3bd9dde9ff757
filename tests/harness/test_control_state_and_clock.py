"""Reset, scenario switching, snapshot/restore and the clock of the shared control plane."""
from __future__ import annotations

import sqlite3

from flask import Flask
from flask.testing import FlaskClient


def _names(client: FlaskClient) -> list[str]:
    """Every widget name (the tiny app's domain state)."""
    return [w["name"] for w in client.get("/api/widgets?per_page=5").get_json()]


def test_reset_rebuilds_state_and_clears_journal_faults_and_clock(client: FlaskClient) -> None:
    """One call back to the scenario's start: no leftovers from the previous test."""
    client.post("/api/widgets", json={"name": "extra"})
    client.post("/_mock/faults", json={"path": "/nowhere"})
    client.post("/_mock/clock/advance", json={"days": 2})
    assert client.post("/_mock/reset").status_code == 204
    assert _names(client) == ["widget-1-1", "widget-1-2", "widget-1-3"]
    assert client.get("/_mock/faults").get_json() == []
    assert client.get("/_mock/clock").get_json()["offset_seconds"] == 0
    assert [e["path"] for e in client.get("/_mock/journal").get_json()] == ["/api/widgets"]


def test_scenario_switch_and_refusal(client: FlaskClient) -> None:
    """PUT /_mock/scenario rebuilds from the new spec; a bad spec is 422 and changes nothing."""
    assert client.put("/_mock/scenario", json={"seed": 9, "params": {"people": 1}}).get_json()["seed"] == 9
    assert _names(client) == ["widget-9-1"]
    assert client.put("/_mock/scenario", json={"seed": "nine"}).status_code == 422
    assert client.put("/_mock/scenario", json=[1]).status_code == 422
    assert client.get("/_mock/scenario").get_json()["seed"] == 9
    assert _names(client) == ["widget-9-1"]


def test_snapshot_restore_round_trip(client: FlaskClient) -> None:
    """What a snapshot held comes back exactly; what happened after it is gone."""
    client.post("/api/widgets", json={"name": "before"})
    client.put("/_mock/clock", json={"now": "2030-06-01T12:00:00Z", "freeze": True})
    snapshot = client.get("/_mock/snapshot").get_json()
    assert snapshot["format"] == "license-mock-snapshot/1" and "mock_journal" not in snapshot["tables"]
    client.post("/api/widgets", json={"name": "after"})
    client.post("/_mock/clock/advance", json={"days": 1})
    assert client.put("/_mock/snapshot", json=snapshot).status_code == 204
    assert _names(client)[-1] == "before"
    assert client.get("/_mock/clock").get_json()["now"] == "2030-06-01T12:00:00Z"
    assert client.get("/_mock/snapshot").get_json() == snapshot


def test_restore_refuses_what_is_not_a_snapshot_and_keeps_state(client: FlaskClient) -> None:
    """A wrong format or an unknown table is 422 and the state is untouched (all or nothing)."""
    snapshot = client.get("/_mock/snapshot").get_json()
    bad_table = {**snapshot, "tables": {**snapshot["tables"], "nope": {"columns": ["x"], "rows": []}}}
    bad_rows = {**snapshot, "tables": {"widgets": {"columns": ["id", "nope"], "rows": [[1, 2]]}}}
    for body in ({"format": "other"}, bad_table, bad_rows):
        assert client.put("/_mock/snapshot", json=body).status_code == 422
    assert len(_names(client)) == 3


def test_a_snapshot_breaking_a_foreign_key_is_refused_and_later_writes_still_commit(
        app: Flask, client: FlaskClient) -> None:
    """A deferred key violation fails at COMMIT; the restore is a 422 and the connection is not left mid-transaction."""
    snapshot = client.get("/_mock/snapshot").get_json()
    snapshot["tables"]["tags"]["rows"] = [[1, 999]]  # a tag on a widget that does not exist
    assert client.put("/_mock/snapshot", json=snapshot).status_code == 422
    client.post("/api/widgets", json={"name": "committed"})
    with sqlite3.connect(app.extensions["mock"].db.path) as other:  # another connection sees only committed rows
        assert other.execute("SELECT COUNT(*) FROM widgets").fetchone()[0] == 4


def test_clock_get_set_freeze_and_advance(client: FlaskClient) -> None:
    """Set (frozen or running) and advance; a frozen clock stays put between calls."""
    frozen = client.put("/_mock/clock", json={"now": "2030-01-01T00:00:00+02:00", "freeze": True}).get_json()
    assert frozen == {"now": "2029-12-31T22:00:00Z", "frozen": True, "offset_seconds": 0}
    assert client.get("/_mock/clock").get_json()["now"] == "2029-12-31T22:00:00Z"
    moved = client.post("/_mock/clock/advance", json={"days": 1, "hours": 2, "seconds": 30}).get_json()
    assert moved["now"] == "2030-01-02T00:00:30Z"
    running = client.put("/_mock/clock", json={"now": "2040-01-01T00:00:00Z"}).get_json()
    assert running["frozen"] is False and running["offset_seconds"] > 0


def test_clock_refuses_bad_input(client: FlaskClient) -> None:
    """Going backwards by advance, a missing or garbled time: 422, clock unchanged."""
    client.put("/_mock/clock", json={"now": "2030-01-01T00:00:00Z", "freeze": True})
    for path, body in (("/_mock/clock/advance", {"days": -1}), ("/_mock/clock/advance", {"days": "x"}),
                       ("/_mock/clock", {}), ("/_mock/clock", {"now": "yesterday"})):
        method = client.post if path.endswith("advance") else client.put
        assert method(path, json=body).status_code == 422, (path, body)
    assert client.get("/_mock/clock").get_json()["now"] == "2030-01-01T00:00:00Z"


def test_listeners_run_before_the_control_call_returns(client: FlaskClient) -> None:
    """Due work (GHES's weekly sync) is done by the time set/advance answers: no waiting in tests."""
    client.put("/_mock/clock", json={"now": "2030-01-01T00:00:00Z", "freeze": True})
    client.post("/_mock/clock/advance", json={"days": 7})
    assert client.get("/_mock/ticks").get_json() == ["2030-01-01T00:00:00+00:00", "2030-01-08T00:00:00+00:00"]


def test_requests_are_journaled_on_the_mock_clock(client: FlaskClient) -> None:
    """A journal entry's time is the app's time, so moving the clock moves what tests see."""
    client.put("/_mock/clock", json={"now": "2035-03-03T03:03:03Z", "freeze": True})
    client.get("/api/widgets")
    assert client.get("/_mock/journal").get_json()[0]["at"] == "2035-03-03T03:03:03Z"
