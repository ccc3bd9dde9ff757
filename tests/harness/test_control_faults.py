"""Fault rules through the Flask test client: where they apply, how often, and what they answer."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient


def _fault(client: FlaskClient, **rule: Any) -> dict:
    """Add a rule and return it (with its id); the test fails here if the rule is refused."""
    response = client.post("/_mock/faults", json=rule)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _statuses(client: FlaskClient, method: str, path: str, n: int) -> list[int]:
    """The statuses of `n` identical requests, in order."""
    return [client.open(path, method=method, json={"name": "n"} if method == "POST" else None).status_code
            for _ in range(n)]


def test_applies_only_to_the_configured_method_and_glob(client: FlaskClient) -> None:
    """A rule for POST /api/widget* leaves GETs, other paths and the control plane alone."""
    _fault(client, method="post", path="/api/widget*", status=500)
    assert _statuses(client, "POST", "/api/widgets", 1) == [500]
    assert _statuses(client, "GET", "/api/widgets", 1) == [200]
    assert client.get("/page").status_code == 200
    assert client.get("/_mock/faults").status_code == 200


def test_a_catch_all_rule_never_breaks_the_control_plane(client: FlaskClient) -> None:
    """`path: *` must not lock the test out of removing it."""
    _fault(client, status=500)
    assert client.get("/api/widgets").status_code == 500
    assert client.delete("/_mock/faults").status_code == 204
    assert client.get("/api/widgets").status_code == 200


def test_fail_twice_then_succeed(client: FlaskClient) -> None:
    """`times: 2` fires exactly twice; the rule stays listed with its counters spent."""
    rule = _fault(client, path="/api/widgets", status=502, times=2)
    assert _statuses(client, "GET", "/api/widgets", 4) == [502, 502, 200, 200]
    [listed] = client.get("/_mock/faults").get_json()
    assert (listed["id"], listed["hits"], listed["times_remaining"]) == (rule["id"], 2, 0)


def test_after_skips_the_first_matches(client: FlaskClient) -> None:
    """`after: 2` lets two requests through, then fires; with `times` it then stops again."""
    _fault(client, path="/api/widgets", status=503, after=2, times=1)
    assert _statuses(client, "GET", "/api/widgets", 4) == [200, 200, 503, 200]


def test_first_matching_rule_wins_and_a_spent_rule_falls_through(client: FlaskClient) -> None:
    """Rules are tried in order of creation; a spent one lets the next one fire."""
    _fault(client, path="/api/*", status=500, times=1)
    _fault(client, path="/api/widgets", status=404)
    assert _statuses(client, "GET", "/api/widgets", 2) == [500, 404]


def test_error_status_has_githubs_shape_and_custom_body_and_headers(client: FlaskClient) -> None:
    """A 5xx fault is JSON like GitHub's; `body` (text or object) and `headers` override."""
    _fault(client, path="/api/widgets", status=503, times=1)
    response = client.get("/api/widgets")
    assert response.status_code == 503
    assert response.get_json() == {"message": "Fault injected by /_mock/faults",
                                   "documentation_url": "https://docs.github.com/rest", "status": "503"}
    _fault(client, path="/api/widgets", status=500, body={"oops": True}, headers={"X-Trace": 7}, times=1)
    response = client.get("/api/widgets")
    assert response.get_json() == {"oops": True} and response.headers["X-Trace"] == "7"


def test_secondary_rate_limit_is_429_with_retry_after(client: FlaskClient) -> None:
    """GitHub's secondary limit: 429, `retry-after`, and x-ratelimit-* with nothing remaining."""
    _fault(client, path="/api/widgets", action="rate_limit", rate_limit="secondary", retry_after=0, times=1)
    response = client.get("/api/widgets")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "0"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-limit"] == response.headers["x-ratelimit-used"] == "5000"
    assert response.headers["x-ratelimit-resource"] == "core"
    assert int(response.headers["x-ratelimit-reset"]) > 0
    assert "secondary rate limit" in response.get_json()["message"]


def test_primary_rate_limit_is_403_with_exhausted_headers(client: FlaskClient) -> None:
    """GitHub's primary limit: 403 with x-ratelimit-remaining 0 and a reset time, no retry-after."""
    _fault(client, path="/api/widgets", action="rate_limit", retry_after=120, times=1)
    response = client.get("/api/widgets")
    assert response.status_code == 403
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert "retry-after" not in response.headers
    assert response.get_json()["message"].startswith("API rate limit exceeded")


def test_latency_is_applied_and_then_the_app_answers(client: FlaskClient) -> None:
    """A latency rule delays, then serves normally; the journal shows the delay and the rule."""
    rule = _fault(client, path="/api/widgets", action="latency", latency_ms=40, times=1)
    assert _statuses(client, "GET", "/api/widgets", 2) == [200, 200]
    delayed, normal = client.get("/_mock/journal").get_json()
    assert delayed["fault_id"] == rule["id"] and delayed["duration_ms"] >= 40
    assert normal["fault_id"] is None
    assert client.get("/_mock/faults").get_json()[0]["hits"] == 1


def test_removing_one_rule(client: FlaskClient) -> None:
    """DELETE /_mock/faults/<id> removes that rule only; an unknown id is 404."""
    first = _fault(client, path="/api/widgets", status=500)
    second = _fault(client, path="/page", status=500)
    assert client.delete(f"/_mock/faults/{first['id']}").status_code == 204
    assert [r["id"] for r in client.get("/_mock/faults").get_json()] == [second["id"]]
    assert client.delete(f"/_mock/faults/{first['id']}").status_code == 404


@pytest.mark.parametrize("rule, problem", [
    ({"action": "explode"}, "action must be one of"),
    ({"path": "api/x"}, "path is a glob"),
    ({"status": 42}, "status is an HTTP status code"),
    ({"rate_limit": "tertiary"}, "rate_limit is primary"),
    ({"latency_ms": -1}, "latency_ms is a number"),
    ({"times": 0}, "times is a whole number"),
    ({"headers": []}, "headers is an object"),
    ({"colour": "red"}, "unknown field 'colour'"),
])
def test_a_malformed_rule_is_a_422_naming_the_problem(client: FlaskClient, rule: dict, problem: str) -> None:
    """A rule that cannot apply is refused whole, saying why, and nothing is stored."""
    response = client.post("/_mock/faults", json=rule)
    assert response.status_code == 422
    assert problem in response.get_json()["message"]
    assert client.get("/_mock/faults").get_json() == []


def test_every_problem_is_named_at_once(client: FlaskClient) -> None:
    """One round trip tells the author everything wrong with the rule."""
    message = client.post("/_mock/faults", json={"times": 0, "status": 1000}).get_json()["message"]
    assert "times" in message and "status" in message


def test_unparsable_body_is_githubs_400(client: FlaskClient) -> None:
    """Control routes read JSON like the API does: garbage is 400 Problems parsing JSON."""
    response = client.post("/_mock/faults", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == "Problems parsing JSON"
