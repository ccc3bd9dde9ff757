"""The consumed-licenses hot path (api_hot.py) answers exactly what the Flask route answers.

Two apps on one state file, one with hot paths (the default) and one without: every request
here must get the same status, body and headers from both (the request id and the rate-limit
reset second aside). The plain cases must be served by the hot path and everything else by
the Flask route, which stays the reference.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from app_factory import answer_of, count_flask_calls
from ghec_helpers import export_for, upload

import scenarios

#: Values that differ between any two answers: compared by presence only.
VARYING = frozenset({"x-github-request-id", "x-ratelimit-reset", "x-ratelimit-remaining", "x-ratelimit-used"})


@pytest.fixture
def pair(make_app: Any, tmp_path: Any, scenario: scenarios.Scenario, main: Any,
         owner: dict[str, str]) -> Iterator[tuple[Any, Any, list[int]]]:
    """(hot app, Flask-only app, requests the hot app handed to Flask) over one state with both kinds of rows."""
    path = str(tmp_path / "state.sqlite3")
    hot = make_app(STATE_PATH=path)
    assert upload(hot.test_client(), main.slug, owner, export_for(scenario.ghes[0])).status_code == 201
    cold = make_app(STATE_PATH=path, HOT_PATHS=False)
    calls = count_flask_calls(hot)
    yield hot, cold, calls


def _answer(app: Any, method: str, url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers with varying values blanked) of one request."""
    return answer_of(app, url, headers, method=method, varying=VARYING)


def _plain(slug: str) -> list[str]:
    """Requests in the plain case: every page size and position, including past the end."""
    base = f"/enterprises/{slug}/consumed-licenses"
    return [base, f"{base}?per_page=100", f"{base}?page=2", f"{base}?per_page=100&page=2",
            f"{base}?page=3&per_page=7", f"{base}?per_page=1&page=1", f"{base}?per_page=0",
            f"{base}?per_page=500&page=1", f"{base}?page=0", f"{base}?per_page=30&page=999999",
            f"{base}?per_page=100&page=3"]


def test_the_plain_case_is_served_by_the_hot_path_with_the_routes_answer(
        pair: tuple[Any, Any, list[int]], main: Any, owner: dict[str, str]) -> None:
    """Same status, bytes and headers; Flask never sees these requests."""
    hot, cold, calls = pair
    bearer = {"Authorization": owner["Authorization"].replace("token ", "Bearer ")}
    for headers in (owner, bearer, {**owner, "X-GitHub-Api-Version": "2026-03-10"},
                    {**owner, "X-GitHub-Api-Version": " "}):
        for url in _plain(main.slug):
            hot_answer = _answer(hot, "GET", url, headers)
            assert hot_answer == _answer(cold, "GET", url, headers), (url, headers)
            assert hot_answer[0] == 200
    assert calls == []


def test_everything_else_goes_to_the_flask_route(pair: tuple[Any, Any, list[int]], main: Any, other: Any,
                                                 owner: dict[str, str], member: dict[str, str],
                                                 other_owner: dict[str, str]) -> None:
    """Errors, other methods, other parameters and other paths get the route's own answers."""
    hot, cold, calls = pair
    base = f"/enterprises/{main.slug}/consumed-licenses"
    cases = [("GET", base, {}), ("GET", base, {"Authorization": "token nobody"}),
             ("GET", base, {"Authorization": "Basic Zm9vOmJhcg=="}), ("GET", base, member),
             ("GET", base, other_owner), ("GET", base, {**owner, "X-GitHub-Api-Version": "1999-01-01"}),
             ("GET", f"{base}?page=2&page=3", owner), ("GET", f"{base}?page=abc", owner),
             ("GET", f"{base}?per_page=10&sort=login", owner), ("GET", f"{base}?page=+2", owner),
             ("GET", f"/enterprises/{other.slug}-nope/consumed-licenses", owner)]
    for method, url, headers in cases:
        before = len(calls)
        assert _answer(hot, method, url, headers) == _answer(cold, method, url, headers), (method, url)
        assert len(calls) == before + 1, (method, url)  # answered by Flask, not the hot path


def test_head_etag_and_304_are_the_same_from_the_hot_path_and_flask(
        pair: tuple[Any, Any, list[int]], main: Any, owner: dict[str, str]) -> None:
    """A HEAD is the GET without its body (so the hot path serves it); the ETag, the caching
    headers and a conditional 304 are byte-identical from both, as api_wire.py gives both."""
    hot, cold, calls = pair
    url = f"/enterprises/{main.slug}/consumed-licenses?per_page=100"
    get = _answer(hot, "GET", url, owner)
    head = _answer(hot, "HEAD", url, owner)
    assert head == _answer(cold, "HEAD", url, owner)
    assert head[0] == 200 and head[1] == b"" and head[2] == get[2]
    assert get[2]["etag"].startswith('W/"') and get[2]["cache-control"] == "private, max-age=60, s-maxage=60"
    conditional = {**owner, "If-None-Match": get[2]["etag"]}
    not_modified = _answer(hot, "GET", url, conditional)
    assert not_modified == _answer(cold, "GET", url, conditional)
    assert not_modified[0] == 304 and not_modified[1] == b"" and "content-type" not in not_modified[2]
    assert calls == []


def test_the_hot_path_goes_through_the_faults_and_the_journal(pair: tuple[Any, Any, list[int]], main: Any,
                                                             owner: dict[str, str]) -> None:
    """A fault rule still fires on the route and each hot answer is journaled like any other."""
    hot, _, calls = pair
    client = hot.test_client()
    url = f"/enterprises/{main.slug}/consumed-licenses"
    client.post("/_mock/faults", json={"path": url, "status": 503, "times": 1})
    before = len(calls)
    assert client.get(url, headers=owner).status_code == 503
    assert client.get(f"{url}?page=2", headers=owner).status_code == 200 and len(calls) == before
    entries = client.get("/_mock/journal", query_string={"path": url}).get_json()
    assert [(e["status"], e["query"]) for e in entries][-2:] == [(503, ""), (200, "page=2")]


def test_a_hook_added_after_the_app_was_built_turns_the_hot_path_off(
        make_app: Any, main: Any, owner: dict[str, str]) -> None:
    """Whoever adds a request hook to the built app (before serving, as Flask requires) sees it
    run on the plain case too: the hot path steps aside."""
    app = make_app()
    url = f"/enterprises/{main.slug}/consumed-licenses?page=2"

    @app.after_request
    def _mark(response: Any) -> Any:
        """A later extension's hook."""
        response.headers["X-Extended"] = "yes"
        return response

    answer = app.test_client().get(url, headers=owner)
    assert answer.status_code == 200 and answer.headers["X-Extended"] == "yes"
    plain = make_app().test_client().get(url, headers=owner)
    assert plain.status_code == 200 and "X-Extended" not in plain.headers and plain.data == answer.data


def test_every_token_kind_gets_the_same_answer_hot_and_cold(pair: tuple[Any, Any, list[int]], main: Any,
                                                            scenario: scenarios.Scenario) -> None:
    """Kinds and scopes the license endpoints accept are served hot; the refused ones (a classic
    token without read:enterprise, an App installation token) go to Flask, which says why."""
    hot, cold, calls = pair
    url = f"/enterprises/{main.slug}/consumed-licenses?per_page=100"
    for suffix, served_hot in (("", True), (":oauth_app", True), (":fine_grained", True),
                               (":no_scopes", False), (":installation", False)):
        headers = {"Authorization": f"token {scenario.tokens[f'ghec:{main.slug}:owner{suffix}']}"}
        before = len(calls)
        answer = _answer(hot, "GET", url, headers)
        assert answer == _answer(cold, "GET", url, headers), suffix
        assert answer[0] == (200 if served_hot else 403), suffix
        assert len(calls) == before + (0 if served_hot else 1), suffix
