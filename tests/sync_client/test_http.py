"""The HTTP layer against a tiny local stub over real HTTP: retries, rate limits, Link paging, errors.

Waits are injected (a recording `sleep`), so nothing here sleeps or asserts on elapsed time.
"""
from __future__ import annotations

import time
from collections import defaultdict

import pytest
from flask import Flask, jsonify, request

from github_http.live import LiveServer
from sync_client.errors import ApiError, RateLimited, Unreachable
from sync_client.http import ApiClient, RetryPolicy


def make_stub() -> tuple[Flask, dict]:
    """A Flask app whose routes fail in scripted ways; `hits` counts calls per route."""
    app = Flask("stub")
    hits: dict[str, int] = defaultdict(int)
    state = {"hits": hits, "auth": []}

    @app.get("/ready")
    def ready():
        """Readiness probe for LiveServer."""
        return "ok"

    @app.get("/secondary")
    def secondary():
        """429 with Retry-After: 0 once, then 200 (GitHub's secondary rate limit)."""
        hits["secondary"] += 1
        if hits["secondary"] == 1:
            return jsonify(message="You have exceeded a secondary rate limit."), 429, {"Retry-After": "0"}
        return jsonify(ok=True)

    @app.get("/primary")
    def primary():
        """403 with an exhausted x-ratelimit-* once, then 200 (GitHub's primary rate limit)."""
        hits["primary"] += 1
        if hits["primary"] == 1:
            return (jsonify(message="API rate limit exceeded"), 403,
                    {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) - 5)})
        return jsonify(ok=True)

    @app.get("/far-reset")
    def far_reset():
        """A primary rate limit that resets in two hours: too long to wait."""
        hits["far"] += 1
        return (jsonify(message="API rate limit exceeded"), 403,
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 7200)})

    @app.get("/flaky")
    def flaky():
        """Two 502s, then 200."""
        hits["flaky"] += 1
        return (jsonify(message="boom"), 502) if hits["flaky"] < 3 else jsonify(ok=True)

    @app.get("/always-500")
    def always_500():
        """A server that never recovers."""
        hits["500"] += 1
        return jsonify(message="Server Error"), 500

    @app.get("/forbidden")
    def forbidden():
        """A permission 403 (no rate-limit headers): must not be retried."""
        hits["forbidden"] += 1
        return jsonify(message="Must have admin rights"), 403

    @app.get("/me")
    def me():
        """Checks the Authorization header the client sends."""
        state["auth"].append(request.headers.get("Authorization"))
        if request.headers.get("Authorization") != "token good":
            return jsonify(message="Bad credentials", status="401"), 401
        return jsonify(login="octo")

    @app.get("/items")
    def items():
        """Five items, two per page, chained by Link: rel=next."""
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 30))
        data = list(range((page - 1) * 2, min(page * 2, 5)))
        headers = {}
        if page < 3:
            headers["Link"] = f'<{request.base_url}?per_page={per_page}&page={page + 1}>; rel="next"'
        return jsonify(items=data), 200, headers

    @app.get("/elsewhere")
    def elsewhere():
        """A Link pointing at another origin, where the token must not go."""
        return jsonify(items=[1]), 200, {"Link": '<http://127.0.0.2:9/items?page=2>; rel="next"'}

    return app, state


@pytest.fixture(scope="module")
def stub():
    """One stub server for the module: real HTTP without a mock app."""
    app, state = make_stub()
    server = LiveServer(app).start(ready_path="/ready")
    yield server.url, state
    server.stop()


def client(url: str, sleeps: list[float], **kwargs) -> ApiClient:
    """A client that records its waits instead of sleeping."""
    return ApiClient(url, "good", sleep=sleeps.append, **kwargs)


def test_429_with_retry_after_zero_is_retried_after_the_asked_wait(stub):
    """429 is retried after exactly the Retry-After the server asked for."""
    url, state = stub
    sleeps: list[float] = []
    assert client(url, sleeps).get_json("/secondary") == {"ok": True}
    assert state["hits"]["secondary"] == 2
    assert sleeps == [0.0]


def test_403_exhausted_primary_limit_waits_for_reset_then_retries(stub):
    """403 with x-ratelimit-remaining: 0 waits for x-ratelimit-reset, then retries."""
    url, state = stub
    sleeps: list[float] = []
    assert client(url, sleeps).get_json("/primary") == {"ok": True}
    assert state["hits"]["primary"] == 2
    assert sleeps == [0.0]  # reset already passed: no wait, but a retry


def test_rate_limit_reset_beyond_the_cap_fails_at_once_with_one_line(stub):
    """A reset beyond the cap is not waited out: one line, no sleep."""
    url, state = stub
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        client(url, sleeps, retry=RetryPolicy(max_wait=60)).get_json("/far-reset")
    assert sleeps == [] and state["hits"]["far"] == 1
    assert "rate limiting" in caught.value.message and "\n" not in caught.value.message


def test_5xx_is_retried_with_growing_backoff(stub):
    """5xx backs off exponentially (with jitter) until it succeeds."""
    url, state = stub
    sleeps: list[float] = []
    assert client(url, sleeps, retry=RetryPolicy(attempts=4, backoff=0.1)).get_json("/flaky") == {"ok": True}
    assert state["hits"]["flaky"] == 3
    assert len(sleeps) == 2 and 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2


def test_5xx_gives_up_after_the_attempts(stub):
    """Retries are bounded; the last error is reported with the server's message."""
    url, state = stub
    sleeps: list[float] = []
    with pytest.raises(ApiError) as caught:
        client(url, sleeps, retry=RetryPolicy(attempts=3)).get_json("/always-500")
    assert state["hits"]["500"] == 3 and len(sleeps) == 2
    assert caught.value.status == 500 and "Server Error" in caught.value.message


def test_plain_403_is_not_retried(stub):
    """Permission errors are final (exit 4), not transient."""
    url, state = stub
    sleeps: list[float] = []
    with pytest.raises(ApiError) as caught:
        client(url, sleeps).get_json("/forbidden")
    assert state["hits"]["forbidden"] == 1 and sleeps == []
    assert caught.value.exit_code == 4


def test_bad_token_is_one_clear_line(stub):
    """401 becomes the exact one-line message the CLI prints."""
    url, _ = stub
    with pytest.raises(ApiError) as caught:
        ApiClient(url, "wrong", label="GHEC").get_json("/me")
    assert caught.value.message == f"GHEC at {url} rejected the token (401 Bad credentials)"


def test_token_is_sent_as_token_scheme(stub):
    """GitHub's classic `token T` scheme is what the client sends."""
    url, state = stub
    assert client(url, []).get_json("/me") == {"login": "octo"}
    assert state["auth"][-1] == "token good"


def test_link_pagination_follows_next_until_the_end(stub):
    """Every page is fetched by following rel=next, none twice."""
    url, _ = stub
    pages = [body["items"] for body, _ in client(url, []).paginate("/items", per_page=2)]
    assert pages == [[0, 1], [2, 3], [4]]


def test_link_to_another_origin_is_refused(stub):
    """The token never follows a Link to another server."""
    url, _ = stub
    with pytest.raises(ApiError) as caught:
        list(client(url, []).paginate("/elsewhere"))
    assert "another server" in caught.value.message


def test_unreachable_server_is_one_line_after_retries():
    """Connection refused is retried, then one line naming the server."""
    server = LiveServer(Flask("gone"))  # bound, then closed: nobody listens on that port any more
    url = server.url
    server._server.server_close()
    sleeps: list[float] = []
    with pytest.raises(Unreachable) as caught:
        ApiClient(url, label="GHES", sleep=sleeps.append, retry=RetryPolicy(attempts=2)).get_json("/x")
    assert caught.value.message == f"cannot reach GHES at {url}: connection refused"
    assert len(sleeps) == 1
