"""Helpers of the auth matrices: every route of an app from its url_map, concrete URLs, callers.

WHY from `app.url_map`: the matrices compare the routes an app really serves with their own
tables of expectations, so a route added later fails the suite until someone decides who may
call it.
"""
from __future__ import annotations

import base64
import re
from typing import Any

from flask import Flask

IGNORED_METHODS = {"HEAD", "OPTIONS"}
BAD_TOKEN = "ghp_" + "0" * 36  # well-formed, belongs to nobody
CSRF = "csrf-for-the-matrix"


def served_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, rule) for every route except the control plane (which has its own matrix)."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods - IGNORED_METHODS if not rule.endpoint.startswith("mock_control.")}


def control_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, rule) of every `/_mock/` route (the shared blueprint, its guard included)."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods - IGNORED_METHODS if rule.endpoint.startswith("mock_control.")}


def url(rule: str, **values: Any) -> str:
    """The rule with its <converter:name> parts filled from `values` (unknown names: a harmless default)."""
    defaults = {"filename": "no-such-asset.css", "server_id": "0b0c8f3e-2a71-4c9d-9e8f-1a2b3c4d5e6f",
                "rownum": 1, "user_id": 1, "fault_id": 999, "login": "nobody-here"}

    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        return str(values.get(name, defaults.get(name, "x")))
    return re.sub(r"<([^>]+)>", fill, rule)


def bearer(token: str) -> dict[str, str]:
    """A token header (the form half of GitHub's clients send)."""
    return {"Authorization": f"token {token}"}


def basic(user: str, password: str) -> dict[str, str]:
    """An HTTP Basic header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def page_client(app: Flask, login: str | None, csrf: bool = True) -> Any:
    """A test client whose page session is signed in as `login` (None: anonymous) with a CSRF token.

    WHY set the session directly: the matrix is about who gets in, not about the sign-in form
    (tests/ghes and tests/ghec cover the form); `who` and `csrf` are github_http.web's keys.
    """
    client = app.test_client()
    with client.session_transaction() as session:
        if login:
            session["who"] = login
        if csrf:
            session["csrf"] = CSRF
    return client


def call(client: Any, method: str, path: str, headers: dict[str, str] | None = None, form: bool = False) -> Any:
    """One request; page forms carry the session's CSRF token when `form`."""
    data = {"csrf_token": CSRF} if form else None
    return client.open(path, method=method, headers=headers or {}, data=data)


def json_error(response: Any, status: int, message: str | None = None) -> None:
    """GitHub's error: the status, JSON `{message, documentation_url, status}`, optionally the message."""
    assert response.status_code == status, (status, response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert body is not None and body["status"] == str(status) and "documentation_url" in body, body
    if message is not None:
        assert body["message"] == message, body


def to_login(response: Any) -> None:
    """A page's answer to an anonymous visitor: a redirect to the sign-in page, coming back afterwards."""
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:300])
    assert re.search(r"/login\?next=%2F|/login\?next=/", response.headers["Location"]), response.headers["Location"]


def same_answer(a: Any, name_a: str, b: Any, name_b: str) -> bool:
    """Same status and same body, once the enterprise name each caller sent is replaced by a placeholder."""
    body_a = a.get_data(as_text=True).replace(name_a, "{enterprise}")
    body_b = b.get_data(as_text=True).replace(name_b, "{enterprise}")
    return a.status_code == b.status_code and body_a == body_b
