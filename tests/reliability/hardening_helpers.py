"""Apps, callers and state comparisons shared by the hardening suites (issue 18's repros,
the hostile-input corpus): both mocks in-process on the small scenario, with their tokens.

Everything goes through public contracts: the REST API, the pages and `/_mock/`.
"""
from __future__ import annotations

import re
from typing import Any

import requests
from flask import Flask

import scenarios
from mock_ghec import create_app as create_ghec
from mock_ghes import create_app as create_ghes

SEED = 5
#: Werkzeug's test client is not a loopback caller unless told so.
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
SERVER_ID = "11111111-2222-3333-4444-555555555555"


class OfflineSession(requests.Session):
    """A requests.Session that never connects anywhere (GHES's calls to GHEC in these tests)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        raise requests.ConnectionError("network is off in this test")


def ghec_app(**config: Any) -> Flask:
    """A small GHEC with its own ephemeral state."""
    return create_ghec({"TESTING": True, "SCENARIO": "small", "SEED": SEED, "JOURNAL": False, **config})


def ghes_app(**config: Any) -> Flask:
    """A small GHES whose Connect calls never leave the process."""
    return create_ghes({"TESTING": True, "SCENARIO": "small", "SEED": SEED, "JOURNAL": False,
                        "CONNECT_SESSION": OfflineSession(), "CONNECT_TIMEOUT": 0.5, **config})


def ghec_tokens() -> dict[str, str]:
    """The main enterprise's slug, owner and Connect tokens."""
    scenario = scenarios.build(SEED, "small")
    slug = scenario.enterprises[0].slug
    return {"slug": slug, "owner": scenario.tokens[f"ghec:{slug}:owner"],
            "connect": scenario.tokens[f"connect:{slug}"]}


def ghes_admin() -> dict[str, str]:
    """The site admin's token header and login."""
    token = scenarios.tokens.token_for(SEED, "ghes:1:admin")
    return {"Authorization": f"token {token}"}


def auth(token: str) -> dict[str, str]:
    """GitHub's token header."""
    return {"Authorization": f"token {token}"}


def snapshot(client: Any) -> bytes:
    """The app's whole state, byte for byte (`GET /_mock/snapshot`)."""
    response = client.get("/_mock/snapshot", environ_base=LOOPBACK)
    assert response.status_code == 200
    return response.get_data()


def csrf_of(html: str) -> str:
    """The CSRF token rendered into a page's form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def is_github_error(response: Any) -> bool:
    """Whether a response is GitHub's error JSON: message, documentation_url, status as text."""
    body = response.get_json(silent=True)
    return (isinstance(body, dict) and isinstance(body.get("message"), str)
            and isinstance(body.get("documentation_url"), str) and body.get("status") == str(response.status_code))
