"""`GET /user` on the mock GHEC: its hot path (api_hot.py) answers what the Flask route answers,
and the kept body (`private_user_body`, read again after any write) never outlives a change.

Two apps on one state file, one with hot paths (the default) and one without, as in
test_ghec_hot_paths.py: the same status, bytes and headers from both.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from app_factory import answer_of, count_flask_calls

import scenarios

#: Values that differ between any two answers: compared by presence only.
VARYING = frozenset({"x-github-request-id", "x-ratelimit-reset", "x-ratelimit-remaining", "x-ratelimit-used"})


@pytest.fixture
def pair(make_app: Any, tmp_path: Any) -> Iterator[tuple[Any, Any, list[int], str]]:
    """(hot app, Flask-only app, requests the hot app handed to Flask, state file path)."""
    path = str(tmp_path / "state.sqlite3")
    hot = make_app(STATE_PATH=path)
    cold = make_app(STATE_PATH=path, HOT_PATHS=False)
    calls = count_flask_calls(hot)
    yield hot, cold, calls, path


def _answer(app: Any, url: str, headers: dict[str, str], method: str = "GET",
            base_url: str = "http://localhost/") -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers with varying values blanked) of one request."""
    return answer_of(app, url, headers, method=method, base_url=base_url, varying=VARYING)


def test_a_known_token_is_served_hot_with_the_routes_answer(
        pair: tuple[Any, Any, list[int], str], owner: dict[str, str], member: dict[str, str]) -> None:
    """Owners and members, `token` and `Bearer`, any supported version, any host: the same bytes, no Flask."""
    hot, cold, calls, _ = pair
    bearer = {"Authorization": owner["Authorization"].replace("token ", "Bearer ")}
    for headers in (owner, member, bearer, {**owner, "X-GitHub-Api-Version": "2026-03-10"}):
        for base in ("http://localhost/", "http://127.0.0.1:8082/", "https://api.example.test/"):
            answer = _answer(hot, "/user", headers, base_url=base)
            assert answer == _answer(cold, "/user", headers, base_url=base), (headers, base)
            assert answer[0] == 200 and base.rstrip("/") + "/users/" in answer[1].decode()
    assert calls == []


def test_everything_else_goes_to_the_flask_route(pair: tuple[Any, Any, list[int], str], owner: dict[str, str],
                                                 connect: dict[str, str], scenario: scenarios.Scenario,
                                                 main: Any) -> None:
    """No token, a bad one, an App installation token, the Connect token, a query, an unknown version."""
    hot, cold, calls, _ = pair
    installation = {"Authorization": f"token {scenario.tokens[f'ghec:{main.slug}:owner:installation']}"}
    cases = [("/user", {}), ("/user", {"Authorization": "token nobody"}), ("/user", installation),
             ("/user", connect), ("/user?x=1", owner), ("/user", {**owner, "X-GitHub-Api-Version": "1999-01-01"})]
    for url, headers in cases:
        before = len(calls)
        answer = _answer(hot, url, headers)
        assert answer == _answer(cold, url, headers), (url, headers)
        assert len(calls) == before + 1, (url, headers)  # answered by Flask
    assert _answer(hot, "/user", installation)[0] == 403


def test_head_and_a_conditional_get_are_the_same_hot_and_cold(
        pair: tuple[Any, Any, list[int], str], owner: dict[str, str]) -> None:
    """The ETag, HEAD and 304 come from api_wire.py for both."""
    hot, cold, calls, _ = pair
    get = _answer(hot, "/user", owner)
    assert _answer(hot, "/user", owner, method="HEAD") == _answer(cold, "/user", owner, method="HEAD")
    conditional = {**owner, "If-None-Match": get[2]["etag"]}
    assert _answer(hot, "/user", conditional) == _answer(cold, "/user", conditional)
    assert _answer(hot, "/user", conditional)[0] == 304 and calls == []


def test_the_kept_body_follows_a_write_by_another_process(
        pair: tuple[Any, Any, list[int], str], owner: dict[str, str]) -> None:
    """A name changed in the state file by another connection (another worker) shows at once, hot and cold."""
    hot, cold, _, path = pair
    assert '"name":"Renamed Owner"' not in _answer(hot, "/user", owner)[1].decode()  # now kept
    with sqlite3.connect(path) as other_worker:
        other_worker.execute("UPDATE ghec_accounts SET name = 'Renamed Owner' WHERE login = ?",
                             (_login(hot, owner),))
    for app in (hot, cold):
        assert '"name":"Renamed Owner"' in _answer(app, "/user", owner)[1].decode()


def _login(app: Any, headers: dict[str, str]) -> str:
    """The caller's login, as `GET /user` says."""
    return app.test_client().get("/user", headers=headers).get_json()["login"]
