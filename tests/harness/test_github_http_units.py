"""Unit tests of github_http's pieces: pagination, auth header parsing, error shape, API headers."""
from __future__ import annotations

import base64
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from github_http.auth import basic_credentials, presented_token, require_basic, require_token
from github_http.errors import GitHubError, validation_failed
from github_http.pagination import Page, link_header, requested_page

BARE = Flask("units")


def _links(header: str | None) -> dict[str, str]:
    """A Link header as {rel: url}."""
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header or "")}


@pytest.mark.parametrize("query, expected", [
    ("", Page(1, 30)), ("?per_page=10&page=3", Page(3, 10)), ("?per_page=500", Page(1, 100)),
    ("?per_page=0&page=0", Page(1, 30)), ("?per_page=-5&page=-2", Page(1, 30)),
    ("?per_page=abc&page=x", Page(1, 30)),
])
def test_requested_page_caps_and_ignores_garbage(query: str, expected: Page) -> None:
    """GitHub caps per_page and quietly uses defaults for values it cannot read."""
    with BARE.test_request_context(f"/api/x{query}"):
        assert requested_page(default_size=30, max_size=100) == expected


def test_link_header_points_at_the_server_asked_and_keeps_other_args() -> None:
    """Links go to this host (never api.github.com) and keep the caller's filters."""
    with BARE.test_request_context("/api/x?state=open&per_page=10&page=2", base_url="http://127.0.0.1:9999"):
        links = _links(link_header(Page(2, 10), 35))
    assert set(links) == {"first", "prev", "next", "last"}
    assert links["next"] == "http://127.0.0.1:9999/api/x?state=open&per_page=10&page=3"
    assert links["last"].endswith("page=4") and links["first"].endswith("page=1") and links["prev"].endswith("page=1")


def test_link_header_absent_when_one_page_holds_all() -> None:
    """No Link header at all for a single page (GitHub omits it)."""
    with BARE.test_request_context("/api/x"):
        assert link_header(Page(1, 30), 0) is None
        assert link_header(Page(1, 30), 30) is None
        assert _links(link_header(Page(1, 30), 31)).keys() == {"next", "last"}


def test_link_header_past_the_end_points_back() -> None:
    """A page beyond the last links back to the last and the first, not forwards."""
    with BARE.test_request_context("/api/x"):
        links = _links(link_header(Page(9, 10), 35))
    assert set(links) == {"prev", "first"} and links["prev"].endswith("page=4")


@given(total=st.integers(0, 400), size=st.integers(1, 100), data=st.data())
def test_link_header_walk_visits_every_page_once(total: int, size: int, data: st.DataObject) -> None:
    """Following rel=next from any page reaches `last` = ceil(total/size), one page at a time."""
    last = max(-(-total // size), 1)
    number = data.draw(st.integers(1, last))
    with BARE.test_request_context("/api/x"):
        links = _links(link_header(Page(number, size), total))
    assert ("next" in links) == (number < last) == ("last" in links)
    assert ("prev" in links) == (number > 1) == ("first" in links)
    if "last" in links:
        assert links["last"].endswith(f"page={last}") and links["next"].endswith(f"page={number + 1}")


@pytest.mark.parametrize("header, token", [
    ("token abc123", "abc123"), ("Bearer abc123", "abc123"), ("bearer   abc123  ", "abc123"),
    ("TOKEN abc123", "abc123"), ("", None), ("   ", None),
])
def test_presented_token_accepts_token_and_bearer(header: str, token: str | None) -> None:
    """Clients send `token T` or `Bearer T`, any case; no header at all is no token."""
    with BARE.test_request_context(headers={"Authorization": header} if header else {}):
        assert presented_token() == token


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "token", "Bearer   ", "abc123", "Digest x=y"])
def test_garbled_or_foreign_auth_is_bad_credentials_not_missing(header: str) -> None:
    """A header that is there but unusable is GitHub's 401 Bad credentials."""
    with BARE.test_request_context(headers={"Authorization": header}), pytest.raises(GitHubError) as error:
        presented_token()
    assert (error.value.status, error.value.message) == (401, "Bad credentials")


def test_no_token_is_requires_authentication() -> None:
    """No Authorization header: 401 Requires authentication."""
    with BARE.test_request_context(), pytest.raises(GitHubError) as error:
        require_token()
    assert (error.value.status, error.value.message) == (401, "Requires authentication")


def _basic(text: str) -> dict[str, str]:
    """An HTTP Basic header for `text` ("user:password")."""
    return {"Authorization": "Basic " + base64.b64encode(text.encode()).decode()}


@pytest.mark.parametrize("headers, expected", [
    (_basic("api_key:pa:ss"), ("api_key", "pa:ss")), (_basic("nocolon"), None),
    ({"Authorization": "Basic !!!"}, None), ({"Authorization": "token x"}, None), ({}, None),
    ({"Authorization": "Basic " + base64.b64encode(b"\xff:\xfe").decode()}, None),
])
def test_basic_credentials_parsing(headers: dict[str, str], expected: tuple[str, str] | None) -> None:
    """Basic credentials split at the first colon; anything garbled counts as none."""
    with BARE.test_request_context(headers=headers):
        assert basic_credentials() == expected


def test_require_basic_asks_for_credentials() -> None:
    """The Manage API's 401s carry WWW-Authenticate so clients know to send Basic."""
    for headers, message in (({}, "Requires authentication"), (_basic("api_key:wrong"), "Bad credentials")):
        with BARE.test_request_context(headers=headers), pytest.raises(GitHubError) as error:
            require_basic("api_key", "right", "Management Console")
        assert error.value.message == message
        assert error.value.headers["WWW-Authenticate"] == 'Basic realm="Management Console"'


def test_error_body_key_order_and_string_status() -> None:
    """GitHub's order: message, errors, our extras, documentation_url, status as a string."""
    body = GitHubError(422, "Validation Failed", errors=[{"resource": "User", "field": "login", "code": "custom"}],
                       extra={"problems": []}).body()
    assert list(body) == ["message", "errors", "problems", "documentation_url", "status"]
    assert body["status"] == "422" and validation_failed([]).status == 422


def test_errors_on_the_api_are_github_json(client: FlaskClient) -> None:
    """Routing errors, validation and bugs all answer in GitHub's shape on API paths."""
    assert client.get("/api/nope").get_json() == {
        "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}
    wrong = client.delete("/api/widgets")  # GitHub answers a method a path lacks as an unknown path
    assert wrong.status_code == 404 and "Allow" not in wrong.headers
    assert wrong.get_json() == {"message": "Not Found", "documentation_url": "https://docs.github.com/rest",
                                "status": "404"}
    invalid = client.post("/api/widgets", json={}).get_json()
    assert invalid["errors"] == [{"resource": "Widget", "field": "name", "code": "missing_field"}]
    bug = client.get("/api/boom")
    assert bug.status_code == 500 and bug.get_json()["message"] == "Server Error"


def test_page_errors_stay_html(client: FlaskClient) -> None:
    """Outside the API, a 404 is a page, not JSON."""
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_api_responses_carry_githubs_headers_and_pages_do_not(client: FlaskClient) -> None:
    """Version, media type, request id, enterprise version and rate limits on the API only."""
    api = client.get("/api/widgets").headers
    assert api["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    assert api["X-GitHub-Media-Type"].startswith("github.v3")
    assert len(api["X-GitHub-Request-Id"]) == 20
    assert api["X-GitHub-Enterprise-Version"] == "3.15.0"
    assert api["x-ratelimit-limit"] == "5000" and api["x-ratelimit-remaining"] == "4999"
    assert "X-GitHub-Request-Id" not in client.get("/page").headers


def test_api_version_negotiation(client: FlaskClient) -> None:
    """A supported version is echoed; an unknown one is GitHub's 400."""
    chosen = client.get("/api/widgets", headers={"X-GitHub-Api-Version": "2026-03-10"})
    assert chosen.headers["X-GitHub-Api-Version-Selected"] == "2026-03-10"
    refused = client.get("/api/widgets", headers={"X-GitHub-Api-Version": "1999-01-01"})
    assert refused.status_code == 400 and "not supported" in refused.get_json()["message"]
    assert client.get("/page", headers={"X-GitHub-Api-Version": "1999-01-01"}).status_code == 200
