"""Helpers shared by the mock GHES tests (a uniquely named module: other suites have conftests too)."""
from __future__ import annotations

import base64
import re
from typing import Any

from flask import Flask

from mock_ghes import create_app


def token_auth(token: str, scheme: str = "token") -> dict[str, str]:
    """The Authorization header GitHub's clients send."""
    return {"Authorization": f"{scheme} {token}"}


def basic_auth(user: str, password: str) -> dict[str, str]:
    """An HTTP Basic Authorization header (the Manage API)."""
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def make_app(**config: Any) -> Flask:
    """A mock GHES with test settings; keyword arguments are settings (SEED=..., COUNT_BOTS=...)."""
    return create_app({"TESTING": True, **config})


def csrf_of(html: str) -> str:
    """The CSRF token rendered into a page's form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: Any, token: str) -> Any:
    """Sign a page session in through the login form (with its CSRF token)."""
    form = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_of(form.text), "token": token})
