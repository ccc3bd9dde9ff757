"""Faults that only exist on a real socket (dropped connection, truncated body), over loopback HTTP."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from license_mocks_pytest.control import MockControl, MockControlError


@pytest.fixture
def control(live_url: str) -> MockControl:
    """The plugin's control helper, pointed at the live tiny app."""
    helper = MockControl(live_url)
    yield helper
    helper.close()


def test_dropped_connection_is_a_connection_error(control: MockControl) -> None:
    """`drop` closes the socket without an answer, as a crashed proxy does; the journal says which rule."""
    rule = control.add_fault(path="/api/widgets", action="drop", times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{control.base_url}/api/widgets", timeout=10)
    assert requests.get(f"{control.base_url}/api/widgets", timeout=10).status_code == 200
    dropped, served = control.journal(path="/api/widgets")
    assert (dropped["status"], dropped["fault_id"]) == (0, rule["id"])
    assert served["status"] == 200


def test_truncated_body_breaks_mid_response(control: MockControl) -> None:
    """`truncate` sends the status and half the body under the full Content-Length, then hangs up."""
    control.add_fault(path="/api/widgets", action="truncate", times=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        requests.get(f"{control.base_url}/api/widgets", timeout=10)
    assert requests.get(f"{control.base_url}/api/widgets", timeout=10).json()[0]["id"] == 1


def test_dropped_upload_is_still_journaled_whole(control: MockControl, live: object,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The body that arrived is recorded even when the connection is dropped (privacy proofs scan it),
    and before the client sees the drop: a slow journal write must not let the client read first."""
    journal = live.app.extensions["mock"].journal  # type: ignore[attr-defined]
    real_record = journal.record

    def slow_record(entry: dict) -> None:
        """Widen the window in which a late journal write would lose the race."""
        time.sleep(0.3)
        real_record(entry)

    monkeypatch.setattr(journal, "record", slow_record)
    control.add_fault(method="POST", path="/api/widgets", action="drop")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{control.base_url}/api/widgets", json={"name": "lost"}, timeout=10)
    [entry] = control.journal(method="POST", bodies=True)
    assert entry["request_body"] == '{"name": "lost"}'


def test_rate_limit_headers_survive_the_real_server(control: MockControl) -> None:
    """What a real client sees of a 429: the status and every rate-limit header."""
    control.add_fault(path="/api/widgets", action="rate_limit", rate_limit="secondary", retry_after=0)
    response = requests.get(f"{control.base_url}/api/widgets", timeout=10)
    assert response.status_code == 429 and response.headers["Retry-After"] == "0"
    assert response.headers["X-RateLimit-Remaining"] == "0"


def test_times_holds_exactly_under_parallel_clients(control: MockControl) -> None:
    """"Fail twice, then succeed" is counted in the database, so 12 concurrent requests see exactly 2 failures."""
    control.add_fault(path="/api/widgets", status=500, times=2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: requests.get(f"{control.base_url}/api/widgets", timeout=30).status_code,
                                 range(12)))
    assert sorted(statuses) == [200] * 10 + [500] * 2
    assert control.faults()[0]["hits"] == 2


def test_threaded_server_does_not_leak_database_connections(control: MockControl, live: object) -> None:
    """Each request runs on a new thread; their SQLite connections must not pile up."""
    with requests.Session() as http:
        for _ in range(60):
            http.get(f"{control.base_url}/api/widgets", timeout=10)
    open_connections = live.app.extensions["mock"].db.open_connections()  # type: ignore[attr-defined]
    assert open_connections < 20


def test_control_helper_round_trip(control: MockControl) -> None:
    """The plugin's helper drives every shared route of a live app."""
    assert {r["path"] for r in control.routes()} >= {"/_mock/reset", "/_mock/journal"}
    assert control.scenario_info()["seed"] == 1
    control.load_scenario(seed=5, people=1)
    assert requests.get(f"{control.base_url}/api/widgets", timeout=10).json() == [{"id": 1, "name": "widget-5-1"}]
    snap = control.snapshot()
    requests.post(f"{control.base_url}/api/widgets", json={"name": "extra"}, timeout=10)
    control.restore(snap)
    assert len(requests.get(f"{control.base_url}/api/widgets", timeout=10).json()) == 1
    before = control.now()
    assert control.advance(days=7)["offset_seconds"] >= 7 * 86400
    assert (control.now() - before).days >= 7
    assert control.set_time("2031-05-01T00:00:00Z", freeze=True)["now"] == "2031-05-01T00:00:00Z"
    assert control.journal(since=control.now(), path="/api/*")  == []
    with pytest.raises(MockControlError) as refused:
        control.add_fault(action="explode")
    assert refused.value.status == 422
    control.load_scenario(seed=1, people=3)
