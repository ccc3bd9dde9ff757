"""GitHub's primary rate limit (DOMAIN §10) on the app clock: per token, per IP without one."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask


def _left(response: object) -> tuple[int, int, int]:
    """(limit, remaining, used) of an answer's x-ratelimit-* headers."""
    headers = response.headers  # type: ignore[attr-defined]
    return (int(headers["x-ratelimit-limit"]), int(headers["x-ratelimit-remaining"]),
            int(headers["x-ratelimit-used"]))


def test_a_tokens_budget_counts_down_per_request(ghec: Flask, slug: str, owner: dict[str, str]) -> None:
    """5,000 an hour for a token; each answer says what is left; the resource is core."""
    client = ghec.test_client()
    seen = [_left(client.get(f"/enterprises/{slug}/license-sync-status", headers=owner)) for _ in range(80)]
    assert seen[0] == (5000, 4999, 1) and seen[-1] == (5000, 4920, 80)
    response = client.get("/user", headers=owner)
    assert response.headers["x-ratelimit-resource"] == "core"
    assert int(response.headers["x-ratelimit-reset"]) > ghec.extensions["mock"].clock.now().timestamp()


def test_unauthenticated_and_bad_tokens_count_against_the_ip_at_60(ghec: Flask) -> None:
    """A 401 is counted against the caller's address with GitHub's 60, not a token's 5,000."""
    client = ghec.test_client()
    assert _left(client.get("/user")) == (60, 59, 1)
    assert _left(client.get("/user", headers={"Authorization": "token nobody"})) == (60, 58, 2)


def test_a_spent_budget_is_githubs_403_until_the_reset(ghec: Flask, slug: str, owner: dict[str, str],
                                                       owner_token: str) -> None:
    """Set to 1 left through /_mock/: one more answer, then 403 with GitHub's words; after
    x-ratelimit-reset on the mock clock the full budget is back."""
    client = ghec.test_client()
    budget = client.put("/_mock/rate-limit", json={"token": owner_token, "remaining": 1}).get_json()
    assert budget["remaining"] == 1 and budget["limit"] == 5000 and budget["enabled"] is True
    url = f"/enterprises/{slug}/consumed-licenses"
    assert client.get(url, headers=owner).status_code == 200
    refused = client.get(url, headers=owner)
    assert refused.status_code == 403 and _left(refused) == (5000, 0, 5000)
    body = refused.get_json()
    assert body["message"].startswith("API rate limit exceeded for user ID ")
    assert body["documentation_url"].startswith("https://docs.github.com/rest")
    reset = int(refused.headers["x-ratelimit-reset"])
    clock = ghec.extensions["mock"].clock
    client.post("/_mock/clock/advance", json={"seconds": reset - clock.now().timestamp() + 1})
    assert _left(client.get(url, headers=owner)) == (5000, 4999, 1)


def test_the_unauthenticated_refusal_names_the_address(ghec: Flask) -> None:
    """GitHub's longer message for an IP, with its hint that a token gets more."""
    client = ghec.test_client()
    client.put("/_mock/rate-limit", json={"ip": "127.0.0.1", "remaining": 0})
    refused = client.get("/meta")
    assert refused.status_code == 403
    assert refused.get_json()["message"].startswith("API rate limit exceeded for 127.0.0.1. (But here's the good news")


def test_rate_limit_reports_the_same_numbers_and_does_not_count(ghec: Flask, slug: str,
                                                                owner: dict[str, str]) -> None:
    """`GET /rate_limit` shows core as the headers do, and asking it twice spends nothing."""
    client = ghec.test_client()
    client.get("/user", headers=owner)
    first = client.get("/rate_limit", headers=owner)
    second = client.get("/rate_limit", headers=owner).get_json()
    assert second["rate"] == second["resources"]["core"] == first.get_json()["rate"]
    assert second["rate"]["remaining"] == 4999 and second["rate"]["used"] == 1
    assert _left(first) == (5000, 4999, 1)
    assert client.get("/rate_limit").get_json()["rate"]["limit"] == 60


def test_a_304_does_not_count(ghec: Flask, owner: dict[str, str]) -> None:
    """Revalidating with the ETag costs nothing, as on GitHub."""
    client = ghec.test_client()
    tag = client.get("/user", headers=owner).headers["ETag"]
    for _ in range(5):
        not_modified = client.get("/user", headers={**owner, "If-None-Match": tag})
        assert not_modified.status_code == 304 and _left(not_modified) == (5000, 4999, 1)


def test_fault_rules_answer_first_and_spend_nothing(ghec: Flask, owner: dict[str, str]) -> None:
    """A `rate_limit` fault is still the fault's answer; the budget is untouched by it."""
    client = ghec.test_client()
    client.post("/_mock/faults", json={"path": "/user", "action": "rate_limit", "rate_limit": "secondary", "times": 1})
    assert client.get("/user", headers=owner).status_code == 429
    assert _left(client.get("/user", headers=owner)) == (5000, 4999, 1)


def test_reset_fills_every_budget(ghec: Flask, owner_token: str, owner: dict[str, str]) -> None:
    """`/_mock/reset` (and `DELETE /_mock/rate-limit`) give every caller the full hour again."""
    client = ghec.test_client()
    client.put("/_mock/rate-limit", json={"token": owner_token, "remaining": 0})
    assert client.post("/_mock/reset").status_code == 204
    assert _left(client.get("/user", headers=owner)) == (5000, 4999, 1)
    client.put("/_mock/rate-limit", json={"token": owner_token, "remaining": 0})
    assert client.delete("/_mock/rate-limit").status_code == 204
    assert client.get("/user", headers=owner).status_code == 200


def test_a_bad_budget_is_a_422(ghec: Flask) -> None:
    """Neither or both of token/ip, or a remaining outside the limit, is refused with the reason."""
    client = ghec.test_client()
    for body in ({"remaining": 1}, {"token": "t", "ip": "x", "remaining": 1}, {"token": "t", "remaining": -1},
                 {"token": "t", "remaining": 6000}, {"token": "t"}, [1],
                 {"token": "t", "limit": 2**63, "remaining": 1}, {"token": "t", "remaining": 1, "reset_in": 2**63}):
        response = client.put("/_mock/rate-limit", json=body)
        assert response.status_code == 422 and response.get_json()["message"].startswith("Invalid rate limit"), body


def test_ghes_ships_with_rate_limits_off(ghes: Flask, admin: dict[str, str]) -> None:
    """No x-ratelimit-* headers; `/rate_limit` is GHES's 404 "Rate limiting is not enabled."."""
    client = ghes.test_client()
    response = client.get("/api/v3/user", headers=admin)
    assert response.status_code == 200 and "x-ratelimit-limit" not in response.headers
    off = client.get("/api/v3/rate_limit", headers=admin)
    assert off.status_code == 404 and off.get_json()["message"] == "Rate limiting is not enabled."


def test_ghes_with_the_setting_counts_like_github(make_ghes: Callable[..., Flask]) -> None:
    """`RATE_LIMIT=True` (MOCK_GHES_RATE_LIMIT) turns it on, with its own budgets."""
    app = make_ghes(RATE_LIMIT=True, RATE_LIMIT_PER_HOUR=100)
    client = app.test_client()
    admin = {"Authorization": f"token {app.extensions['ghes'].runtime.tokens()['admin']}"}
    assert _left(client.get("/api/v3/user", headers=admin)) == (100, 99, 1)
    assert client.get("/api/v3/rate_limit", headers=admin).get_json()["rate"]["remaining"] == 99
    assert _left(client.get("/api/v3/meta")) == (60, 59, 1)
    client.put("/_mock/rate-limit", json={"ip": "127.0.0.1", "remaining": 0})
    refused = client.get("/api/v3/meta")
    assert refused.status_code == 403 and refused.headers["X-GitHub-Enterprise-Version"]
    assert refused.headers["X-GitHub-Media-Type"] == "github.v3; format=json"


def test_ghec_can_turn_it_off(make_ghec: Callable[..., Flask], owner: dict[str, str]) -> None:
    """`RATE_LIMIT=False`: no counting, no headers, /rate_limit says it is off."""
    client = make_ghec(RATE_LIMIT=False).test_client()
    assert "x-ratelimit-limit" not in client.get("/user", headers=owner).headers
    assert client.get("/rate_limit").status_code == 404


def test_workers_on_one_state_share_one_budget(make_ghec: Callable[..., Flask], tmp_path: object,
                                               owner: dict[str, str]) -> None:
    """Two apps on one state file (two gunicorn workers) count against the same budget: the
    counters live in SQLite beside the state, not in a process."""
    path = str(tmp_path / "state.sqlite3")  # type: ignore[operator]
    first, second = make_ghec(STATE_PATH=path), make_ghec(STATE_PATH=path)
    assert _left(first.test_client().get("/user", headers=owner)) == (5000, 4999, 1)
    assert _left(second.test_client().get("/user", headers=owner)) == (5000, 4998, 2)
    assert _left(first.test_client().get("/user", headers=owner)) == (5000, 4997, 3)
