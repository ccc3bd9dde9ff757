"""The shared control plane on both real mocks: the same routes behave the same on GHES and GHEC."""
from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from license_mocks_pytest.control import MockControlError

# One cheap authenticated API read per app: what the faults and the journal are tried on.
PROBES = {"ghes": lambda m: "/api/v3/enterprise/settings/license",
          "ghec": lambda m: f"/enterprises/{m.enterprise}/consumed-licenses"}
APP_ROUTES = {"ghes": {("GET", "/_mock/users"), ("POST", "/_mock/users/<>/sign-in")},
              "ghec": {("GET", "/_mock/explain"), ("GET", "/_mock/explain/summary"), ("GET", "/_mock/ledger")}}


@pytest.fixture(params=["ghes", "ghec"])
def mock(request: pytest.FixtureRequest) -> Any:
    """Each test once per mock (the fixture of that name, freshly reset)."""
    return request.getfixturevalue(request.param)


def _shape(path: str) -> str:
    """A route with its converters erased, so `<login>` and `<int:x>` compare equal."""
    return re.sub(r"<[^>]*>", "<>", path).rstrip("/") or "/"


def test_index_matches_the_served_routes(mock: Any) -> None:
    """Each app's `/_mock/` lists exactly its control routes, its own extensions included."""
    listed = {(r["method"], _shape(r["path"])) for r in mock.routes()}
    served = {(method, _shape(rule.rule)) for rule in mock.app.url_map.iter_rules()
              if rule.rule.startswith("/_mock") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert listed == served
    kind = "ghes" if "/_mock/users" in {r["path"] for r in mock.routes()} else "ghec"
    assert APP_ROUTES[kind] <= listed


def test_fault_and_journal_on_a_real_api_route(mock: Any, request: pytest.FixtureRequest) -> None:
    """Fail twice then succeed on the app's own API; the journal tells the three attempts apart."""
    path = PROBES[request.node.callspec.params["mock"]](mock)
    rule = mock.add_fault(method="GET", path=path, status=502, times=2)
    assert [mock.session.get(path).status_code for _ in range(3)] == [502, 502, 200]
    entries = mock.journal(path=path)
    assert [(e["status"], e["fault_id"]) for e in entries] == [(502, rule["id"]), (502, rule["id"]), (200, None)]
    assert entries[-1]["request_headers"]["Authorization"] == "[redacted]"


def test_rate_limit_fault_on_a_real_api_route(mock: Any, request: pytest.FixtureRequest) -> None:
    """A client of either app sees GitHub's secondary rate limit exactly as documented."""
    path = PROBES[request.node.callspec.params["mock"]](mock)
    mock.add_fault(path=path, action="rate_limit", rate_limit="secondary", retry_after=7, times=1)
    limited = mock.session.get(path)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert mock.session.get(path).status_code == 200


def test_snapshot_restore_round_trip(mock: Any) -> None:
    """Snapshot, load another scenario, restore: the state is what it was, byte for byte."""
    before = mock.snapshot()
    described = mock.scenario_info()
    mock.control("PUT", "scenario", json={"seed": described["seed"] + 1, "preset": described["preset"]})
    assert mock.snapshot() != before
    mock.restore(before)
    assert mock.snapshot() == before
    assert mock.scenario_info()["seed"] == described["seed"]


def test_clock_moves_and_reset_puts_it_back(mock: Any) -> None:
    """Set, advance, then reset: a test never inherits a moved clock."""
    assert mock.set_time("2031-01-01T00:00:00Z", freeze=True)["now"] == "2031-01-01T00:00:00Z"
    assert mock.advance(days=1)["now"] == "2031-01-02T00:00:00Z"
    mock.reset()
    assert mock.clock()["frozen"] is False and mock.clock()["offset_seconds"] == 0


def test_a_bad_scenario_is_refused_and_changes_nothing(mock: Any) -> None:
    """An unknown preset is a 422 naming the valid ones; the running scenario stays."""
    before = mock.scenario_info()
    with pytest.raises(MockControlError) as refused:
        mock.control("PUT", "scenario", json={"seed": 1, "preset": "no-such-preset"})
    assert refused.value.status == 422 and "small" in refused.value.body["message"]
    assert mock.scenario_info() == before


def test_guard_on_the_real_apps(mock: Any) -> None:
    """Off loopback the control plane refuses (simulated in the test client), the API does not."""
    outside = {"REMOTE_ADDR": "10.1.2.3"}
    assert mock.client.post("/_mock/reset", environ_base=outside).status_code == 403
    assert mock.client.get("/_mock/journal", environ_base=outside).status_code == 403


def test_openapi_is_served(mock: Any) -> None:
    """Each app documents its own routes in OpenAPI 3."""
    document = mock.openapi()
    assert document["openapi"].startswith("3.") and document["paths"]


def test_dropped_connection_on_a_real_mock(mock: Any, request: pytest.FixtureRequest) -> None:
    """`drop` works on the mocks' real server as on the tiny app."""
    path = PROBES[request.node.callspec.params["mock"]](mock)
    mock.add_fault(path=path, action="drop", times=1)
    with pytest.raises(requests.ConnectionError):
        mock.session.get(path)
    assert mock.session.get(path).status_code == 200
