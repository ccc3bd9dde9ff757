"""`GET /api/v3/user` on the mock GHES: its hot path (api_hot.py) answers what the Flask route answers.

Two apps on one state file, one with hot paths (the default) and one without: the same status,
bytes and headers from both (the request id aside). The plain case is served without Flask;
everything else by the Flask route, which stays the reference.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from app_factory import answer_of, count_flask_calls
from flask import Flask
from ghes_helpers import make_app

VARYING = frozenset({"x-github-request-id"})
URL = "/api/v3/user"


@pytest.fixture
def pair(tmp_path: Any) -> Iterator[tuple[Flask, Flask, list[int]]]:
    """(hot app, Flask-only app, requests the hot app handed to Flask) over one state file."""
    path = str(tmp_path / "ghes.sqlite3")
    hot = make_app(STATE_PATH=path)
    cold = make_app(STATE_PATH=path, HOT_PATHS=False)
    calls = count_flask_calls(hot)
    yield hot, cold, calls
    for app in (hot, cold):
        app.extensions["mock"].db.close()


def _answer(app: Flask, url: str, headers: dict[str, str], method: str = "GET",
            base_url: str = "http://localhost/") -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers with the request id blanked) of one request."""
    return answer_of(app, url, headers, method=method, base_url=base_url, varying=VARYING)


def _token(app: Flask, role: str) -> dict[str, str]:
    """`Authorization` of one of the tokens the app prints (admin, member)."""
    return {"Authorization": f"token {app.extensions['ghes'].runtime.tokens()[role]}"}


def test_a_known_token_is_served_hot_with_the_routes_answer(pair: tuple[Flask, Flask, list[int]]) -> None:
    """Admin and member, `token` and `Bearer`, any supported version, any host: the same bytes, no Flask."""
    hot, cold, calls = pair
    admin, member = _token(hot, "admin"), _token(hot, "member")
    bearer = {"Authorization": admin["Authorization"].replace("token ", "Bearer ")}
    for headers in (admin, member, bearer, {**admin, "X-GitHub-Api-Version": "2022-11-28"}):
        for base in ("http://localhost/", "http://127.0.0.1:8081/", "https://ghes.example.test/"):
            answer = _answer(hot, URL, headers, base_url=base)
            assert answer == _answer(cold, URL, headers, base_url=base), (headers, base)
            assert answer[0] == 200 and base.rstrip("/") + "/api/v3/users/" in answer[1].decode()
            assert answer[2]["x-github-enterprise-version"]
    assert calls == []


def test_everything_else_goes_to_the_flask_route(pair: tuple[Flask, Flask, list[int]]) -> None:
    """No token, a bad one, an App installation token, a query, an unknown version, a suspended user."""
    hot, cold, calls = pair
    kinds = hot.test_client().get("/_mock/scenario").get_json()["tokens"]
    admin, member = _token(hot, "admin"), _token(hot, "member")
    cases = [(URL, {}), (URL, {"Authorization": "token nobody"}), (f"{URL}?x=1", admin),
             (URL, {**admin, "X-GitHub-Api-Version": "1999-01-01"}),
             (URL, {"Authorization": f"token {kinds['admin:installation']}"})]
    for url, headers in cases:
        before = len(calls)
        assert _answer(hot, url, headers) == _answer(cold, url, headers), (url, headers)
        assert len(calls) == before + 1, (url, headers)
    name = hot.test_client().get(URL, headers=member).get_json()["login"]
    assert hot.test_client().put(f"/api/v3/users/{name}/suspended", headers=admin, json={}).status_code == 204
    before = len(calls)
    suspended = _answer(hot, URL, member)
    assert suspended == _answer(cold, URL, member) and suspended[0] == 403 and len(calls) == before + 1


def test_head_and_a_conditional_get_are_the_same_hot_and_cold(pair: tuple[Flask, Flask, list[int]]) -> None:
    """The ETag, HEAD and 304 come from api_wire.py for both."""
    hot, cold, calls = pair
    admin = _token(hot, "admin")
    get = _answer(hot, URL, admin)
    assert _answer(hot, URL, admin, method="HEAD") == _answer(cold, URL, admin, method="HEAD")
    conditional = {**admin, "If-None-Match": get[2]["etag"]}
    assert _answer(hot, URL, conditional) == _answer(cold, URL, conditional)
    assert _answer(hot, URL, conditional)[0] == 304 and calls == []


def test_a_due_weekly_sync_runs_before_the_hot_answer(pair: tuple[Flask, Flask, list[int]]) -> None:
    """The route's hook runs the weekly Connect sync when due; the hot path runs the same check."""
    hot, _, calls = pair
    seen: list[int] = []
    syncer = hot.extensions["ghes"].syncer
    original = syncer.run_if_due

    def counted() -> Any:
        """The per-request check, counted."""
        seen.append(1)
        return original()

    syncer.run_if_due = counted  # type: ignore[method-assign]
    assert hot.test_client().get(URL, headers=_token(hot, "admin")).status_code == 200
    assert calls == [] and seen == [1]  # served hot, after the check
