"""The wire behaviours through real client libraries over HTTP: githubkit (typed models, http_cache) and PyGithub.

What users' caching and throttling code sees: githubkit's `http_cache=True` answers a repeated
read from its cache after a 304; its typed `get_authenticated()` validates GitHub's private-user;
PyGithub's `get_rate_limit()`, `.etag` and `rate_limiting` read the same numbers the headers say,
and a spent budget raises its RateLimitExceededException.
"""
from __future__ import annotations

import github
import pytest
import requests
from githubkit import GitHub, TokenAuthStrategy
from githubkit.exception import RequestFailed

from github_http.live import LiveServer


def _journal(live: LiveServer, path: str) -> list[int]:
    """Statuses the server answered on `path`, oldest first."""
    return [e["status"] for e in requests.get(f"{live.url}/_mock/journal", params={"path": path}, timeout=5).json()]


def _ghes_admin(live: LiveServer) -> str:
    """The live GHES's admin token."""
    return live.app.extensions["ghes"].runtime.tokens()["admin"]


def test_githubkit_typed_user_and_a_cache_hit_on_ghec(live_ghec: LiveServer, owner_token: str) -> None:
    """The typed model validates; the second read is a revalidated cache hit (a 304 on the wire)."""
    with GitHub(TokenAuthStrategy(owner_token), base_url=live_ghec.url + "/", http_cache=True) as gh:
        first = gh.rest.users.get_authenticated()
        assert type(first.parsed_data).__name__ == "PrivateUser"
        second = gh.rest.users.get_authenticated()
    assert second.raw_response.extensions["hishel_from_cache"] is True
    assert second.parsed_data == first.parsed_data
    assert _journal(live_ghec, "/user") == [200, 304]


def test_githubkit_on_ghes_the_same(live_ghes: LiveServer) -> None:
    """Under /api/v3: typed user, cache hit, typed rate limit counted on GHES with the setting on."""
    with GitHub(TokenAuthStrategy(_ghes_admin(live_ghes)), base_url=live_ghes.url + "/api/v3/",
                http_cache=True) as gh:
        assert gh.rest.users.get_authenticated().parsed_data.site_admin is True
        assert gh.rest.users.get_authenticated().raw_response.extensions["hishel_from_cache"] is True
        core = gh.rest.rate_limit.get().parsed_data.resources.core
        assert (core.limit, core.remaining, core.used) == (5000, 4999, 1)  # the 304 did not count
        emails = gh.rest.users.list_emails_for_authenticated_user().parsed_data
        assert [e.primary for e in emails].count(True) == 1


def test_githubkit_sees_githubs_404_for_a_wrong_method(live_ghec: LiveServer, owner_token: str) -> None:
    """A route a client calls with a method GitHub does not serve there fails as GitHub's 404."""
    with GitHub(TokenAuthStrategy(owner_token), base_url=live_ghec.url + "/") as gh, \
            pytest.raises(RequestFailed) as failed:
        gh.request("POST", "/user/emails", json={})
    assert failed.value.response.status_code == 404
    assert failed.value.response.json()["message"] == "Not Found"


def test_pygithub_rate_limit_and_etag_on_ghec(live_ghec: LiveServer, owner_token: str) -> None:
    """`get_rate_limit()` parses GitHub's overview; `.etag` is the answer's tag; the budget counts down."""
    gh = github.Github(auth=github.Auth.Token(owner_token), base_url=live_ghec.url)
    me = gh.get_user()
    assert me.login and me.etag and me.etag.startswith('W/"')
    assert gh.get_rate_limit().resources.core.remaining == 4999
    assert gh.rate_limiting == (4999, 5000)


def test_pygithub_raises_its_rate_limit_exception_on_a_spent_budget(live_ghec: LiveServer, owner_token: str) -> None:
    """One `/_mock/` call spends the budget; PyGithub then raises what its users catch."""
    requests.put(f"{live_ghec.url}/_mock/rate-limit", json={"token": owner_token, "remaining": 0}, timeout=5)
    gh = github.Github(auth=github.Auth.Token(owner_token), base_url=live_ghec.url, retry=None)
    with pytest.raises(github.RateLimitExceededException):
        _ = gh.get_user().login  # PyGithub is lazy: reading an attribute sends the request
    assert gh.get_rate_limit().resources.core.remaining == 0  # /rate_limit itself still answers


def test_pygithub_on_ghes(live_ghes: LiveServer) -> None:
    """GHES under /api/v3 with rate limits on: etag and rate limit as on GitHub."""
    gh = github.Github(auth=github.Auth.Token(_ghes_admin(live_ghes)), base_url=live_ghes.url + "/api/v3")
    me = gh.get_user()
    assert me.site_admin is True and me.etag
    assert gh.get_rate_limit().resources.core.limit == 5000
