"""Secrets are looked up by digest and compared in constant time; the control plane guards every route.

* Tokens: the database only ever sees SHA-256 digests (SQLite's trace of every statement,
  with its bound values expanded, never contains a presented token), so a lookup's timing
  cannot reveal how much of a guessed token was right.
* Secrets compared directly (Manage API password, control key, CSRF token) go through
  `hmac.compare_digest`; a source scan finds no `==` on anything named like a secret.
* `/_mock/`: every control route of both apps (from url_map) refuses non-loopback callers,
  and with a control key refuses anyone without it (tests/harness covers the guard itself
  on a tiny app; this is the per-route sweep over the real apps).
"""
from __future__ import annotations

import ast
import hmac
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from rel_auth import BAD_TOKEN, basic, bearer, control_routes, url

from github_http.auth import token_digest
from mock_ghec import create_app as create_ghec
from mock_ghes import create_app as create_ghes

ROOT = Path(__file__).resolve().parents[2]
SECRET_WORDS = ("token", "password", "secret", "control_key", "csrf")


def _traced(app: Flask) -> list[str]:
    """Every SQL statement this thread's connection runs from now on (bound values expanded)."""
    statements: list[str] = []
    app.extensions["mock"].db.connection().set_trace_callback(statements.append)
    return statements


def test_ghec_tokens_reach_the_database_only_as_digests(ghec_app: Flask, tokens: dict[str, str]) -> None:
    client, sql = ghec_app.test_client(), _traced(ghec_app)
    presented = [tokens["owner"], tokens["member"], tokens["connect"], BAD_TOKEN]
    for token in presented:
        client.get(f"/enterprises/{tokens['slug']}/consumed-licenses", headers=bearer(token))
        client.get("/user", headers=bearer(token))
        client.post(f"/enterprises/{tokens['slug']}/connect/server-usage", headers=bearer(token), data=b"{}")
    ghec_app.extensions["mock"].db.connection().set_trace_callback(None)
    text = "\n".join(sql)
    assert not [t for t in presented if t in text], "a token reached SQL in clear"
    assert all(token_digest(t) in text for t in presented), "tokens must be looked up by their digest"


def test_ghes_tokens_reach_the_database_only_as_digests() -> None:
    app = create_ghes({"TESTING": True, "SCENARIO": "small"})
    try:
        client, tokens = app.test_client(), app.extensions["ghes"].runtime.tokens()
        sql = _traced(app)
        presented = [tokens["admin"], tokens["member"], BAD_TOKEN]
        for token in presented:
            client.get("/api/v3/enterprise/settings/license", headers=bearer(token))
            client.get("/manage/v1/config/license", headers=basic("api_key", token))
        client.get("/manage/v1/config/license", headers=basic("api_key", tokens["manage"]))
        app.extensions["mock"].db.connection().set_trace_callback(None)
        text = "\n".join(sql)
        assert not [t for t in [*presented, tokens["manage"]] if t in text], "a secret reached SQL in clear"
        assert all(token_digest(t) in text for t in [tokens["admin"], tokens["member"], BAD_TOKEN])
    finally:
        app.extensions["mock"].db.close()


def test_direct_secret_comparisons_are_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Manage API password, the control key and the CSRF token all go through hmac.compare_digest."""
    seen: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    app = create_ghes({"TESTING": True, "SCENARIO": "small", "CONTROL_KEY": "the-control-key"})
    try:
        client, tokens = app.test_client(), app.extensions["ghes"].runtime.tokens()
        assert client.get("/manage/v1/config/license", headers=basic("api_key", "guess")).status_code == 401
        assert (token_digest("guess").encode(), token_digest(tokens["manage"]).encode()) in seen
        seen.clear()
        assert client.get("/_mock/clock", headers={"X-Mock-Control-Key": "guess"}).status_code == 403
        assert (b"guess", b"the-control-key") in seen
        seen.clear()
        with client.session_transaction() as session:
            session["csrf"] = "the-session-token"
        assert client.post("/logout", data={"csrf_token": "guess"}).status_code == 400
        assert (b"guess", b"the-session-token") in seen
    finally:
        app.extensions["mock"].db.close()


def _secret_name(node: ast.AST) -> str | None:
    """The name of an operand that looks like a secret (a variable, attribute or string subscript)."""
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name = str(node.slice.value)
    else:
        return None
    lowered = name.lower()
    return name if any(w in lowered for w in SECRET_WORDS) and "digest" not in lowered else None


def _offenders(source: str, where: str) -> list[str]:
    """`==`/`!=` comparisons with an operand named like a secret (literals aside) in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(o, (ast.Eq, ast.NotEq)) for o in node.ops):
            if any(isinstance(o, ast.Constant) for o in (node.left, *node.comparators)):
                continue  # `kind == "bot"`, `x != None`: not a secret comparison
            for operand in (node.left, *node.comparators):
                if name := _secret_name(operand):
                    found.append(f"{where}:{node.lineno} {name}")
    return found


def test_no_secret_is_compared_with_equals() -> None:
    """Code review as a test: `==`/`!=` on a token, password, secret or key leaks timing; use secrets_equal."""
    assert _offenders("ok = presented_token == stored\nsame = request.form['csrf_token'] != expected", "x")
    offenders = [hit for folder in ("github_http", "mock_ghes", "mock_ghec")
                 for path in sorted((ROOT / folder).glob("*.py"))
                 for hit in _offenders(path.read_text(), str(path.relative_to(ROOT)))]
    assert not offenders, offenders


@pytest.fixture(scope="module", params=["ghec", "ghes"])
def guarded(request: pytest.FixtureRequest) -> Any:
    """Each mock twice: without a control key (loopback only) and with one."""
    create = create_ghec if request.param == "ghec" else create_ghes
    plain = create({"TESTING": True, "SCENARIO": "small"})
    keyed = create({"TESTING": True, "SCENARIO": "small", "CONTROL_KEY": "k3y"})
    yield plain, keyed
    for app in (plain, keyed):
        app.extensions["mock"].db.close()


def test_every_control_route_is_guarded(guarded: tuple[Flask, Flask]) -> None:
    plain, keyed = guarded
    routes = sorted(control_routes(plain))
    assert routes == sorted(control_routes(keyed)) and len(routes) >= 16
    outside = {"REMOTE_ADDR": "10.1.2.3"}
    for method, rule in routes:
        path = url(rule)
        for app, kwargs in ((plain, {"environ_base": outside}),
                            (plain, {"environ_base": {"REMOTE_ADDR": "192.168.0.7"},
                                     "headers": {"X-Mock-Control-Key": "k3y"}}),
                            (keyed, {}), (keyed, {"headers": {"X-Mock-Control-Key": "wrong"}}),
                            (keyed, {"environ_base": outside, "headers": {"X-Mock-Control-Key": "K3Y"}})):
            answer = app.test_client().open(path, method=method, **kwargs)
            assert answer.status_code == 403 and answer.get_json()["status"] == "403", (method, path, kwargs)
        if method == "GET":
            ok = keyed.test_client().open(path, method=method, headers={"X-Mock-Control-Key": "k3y"},
                                          environ_base=outside)
            assert ok.status_code in (200, 404), (method, path, ok.status_code)
