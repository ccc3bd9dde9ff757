"""`/rate_limit`, `/meta`, `/user`, `/user/emails` validate against GitHub's descriptions (openapi-core).

GHEC's answers are replayed as if sent to api.github.com (reference/ghec-membership-endpoints.json),
GHES's to its `{protocol}://{hostname}/api/v3` (reference/ghes-wire-endpoints.json). The 304 and
the GHES rate-limits-off 404 are statuses the descriptions list, so they are checked too.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from wire_helpers import reference


@functools.lru_cache(maxsize=2)
def _spec(name: str) -> OpenAPI:
    """One extract, parsed once."""
    return OpenAPI.from_dict(reference(name))


def _check(spec: OpenAPI, host: str, path: str, response: Any) -> None:
    """Raise unless `response` to GET `path` is what the description allows."""
    request = MockRequest(host, "get", path)
    spec.validate_response(request, MockResponse(response.data, status_code=response.status_code,
                                                 content_type=response.mimetype or "application/json"))


GHEC_PATHS = ["/rate_limit", "/meta", "/user", "/user/emails"]


@pytest.mark.parametrize("path", GHEC_PATHS)
def test_ghec_answers_validate_against_githubs_description(ghec: Flask, owner: dict[str, str], path: str) -> None:
    """Each 200, and a 304 on revalidation."""
    client = ghec.test_client()
    response = client.get(path, headers=owner)
    assert response.status_code == 200
    _check(_spec("ghec-membership-endpoints.json"), "https://api.github.com", path, response)
    again = client.get(path, headers={**owner, "If-None-Match": response.headers["ETag"]})
    if path != "/rate_limit":  # its body moves with every other request, so its tag does too
        assert again.status_code == 304


@pytest.mark.parametrize("path", GHEC_PATHS)
def test_ghes_answers_validate_against_githubs_description(make_ghes: Callable[..., Flask], path: str) -> None:
    """The same four under /api/v3 (rate limits on, so /rate_limit has a body to check)."""
    app = make_ghes(RATE_LIMIT=True)
    admin = {"Authorization": f"token {app.extensions['ghes'].runtime.tokens()['admin']}"}
    response = app.test_client().get(f"/api/v3{path}", headers=admin)
    assert response.status_code == 200
    _check(_spec("ghes-wire-endpoints.json"), "http://localhost", f"/api/v3{path}", response)


def test_ghes_rate_limit_off_is_a_described_404_and_meta_names_the_version(ghes: Flask, admin: dict[str, str]) -> None:
    """Off by default: the 404 is one the description lists; /meta carries installed_version."""
    client = ghes.test_client()
    spec = _spec("ghes-wire-endpoints.json")
    off = client.get("/api/v3/rate_limit", headers=admin)
    assert off.status_code == 404
    _check(spec, "http://localhost", "/api/v3/rate_limit", off)
    meta = client.get("/api/v3/meta").get_json()
    assert meta["installed_version"] == ghes.extensions["ghes"].enterprise_version()


def test_user_is_the_tokens_owner_and_emails_are_theirs(ghec: Flask, scenario: Any, slug: str,
                                                        owner: dict[str, str]) -> None:
    """GHEC's `/user` is the owner the token was issued to; its email is the primary of `/user/emails`."""
    client = ghec.test_client()
    me = client.get("/user", headers=owner).get_json()
    owner_login = next(m.login for m in scenario.enterprises[0].members if m.role == "owner")
    assert me["login"].lower() == owner_login.lower()
    mails = client.get("/user/emails", headers=owner).get_json()
    assert [m["email"] for m in mails if m["primary"]] == [me["email"]]
    assert client.get("/user/emails").status_code == 401
