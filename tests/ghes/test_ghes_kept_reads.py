"""What the mock GHES keeps between requests until the next write (`Database.cached_read`): the
caller behind a token, `GET /api/v3/user`'s body and the version every answer names. Each must
follow a write at once: this app's own, and one another process (another gunicorn worker) made
in the same state file.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from ghes_helpers import make_app

from github_http.auth import token_digest


@pytest.fixture
def shared(tmp_path: Any) -> Iterator[tuple[Flask, str]]:
    """An app on a state file, and the file's path (for another connection's writes)."""
    path = str(tmp_path / "ghes.sqlite3")
    app = make_app(STATE_PATH=path)
    yield app, path
    app.extensions["mock"].db.close()


def test_the_user_body_follows_a_rename_through_the_api(client: Any, admin: dict[str, str]) -> None:
    """Renamed by the admin API, the same token's `GET /api/v3/user` names the new login."""
    before = client.get("/api/v3/user", headers=admin).get_json()
    assert client.get("/api/v3/user", headers=admin).get_json() == before  # now kept
    renamed = client.patch(f"/api/v3/admin/users/{before['login']}", headers=admin, json={"login": "renamed-admin"})
    assert renamed.status_code == 202
    after = client.get("/api/v3/user", headers=admin).get_json()
    assert after["login"] == "renamed-admin" and after["id"] == before["id"]
    assert after["url"].endswith("/api/v3/users/renamed-admin")


def test_a_write_by_another_process_shows_at_once(shared: tuple[Flask, str], admin_of: Any) -> None:
    """A name, a suspension and the version changed through another connection: the next answer shows each."""
    app, path = shared
    client, admin = app.test_client(), admin_of(app)
    first = client.get("/api/v3/user", headers=admin)
    assert first.status_code == 200 and first.get_json()["name"] != "Another Worker"
    with sqlite3.connect(path) as other:
        other.execute("UPDATE ghes_users SET name = 'Another Worker' WHERE login = ?", (first.get_json()["login"],))
        other.execute("UPDATE ghes_instance SET version = '3.99.0'")
    second = client.get("/api/v3/user", headers=admin)
    assert second.get_json()["name"] == "Another Worker"
    assert second.headers["X-GitHub-Enterprise-Version"] == "3.99.0"
    with sqlite3.connect(path) as other:
        other.execute("UPDATE ghes_users SET suspended = 1 WHERE login = ?", (first.get_json()["login"],))
    assert client.get("/api/v3/user", headers=admin).status_code == 403


def test_a_token_given_to_someone_else_is_theirs_at_once(client: Any, runtime: Any, admin: dict[str, str],
                                                         member: dict[str, str]) -> None:
    """The caller behind a token is read again after a write: a token moved to another user names them."""
    admin_login = client.get("/api/v3/user", headers=admin).get_json()["login"]
    member_login = client.get("/api/v3/user", headers=member).get_json()["login"]
    token = member["Authorization"].split(" ", 1)[1]
    runtime.store.set_token(admin_login, token_digest(token))
    assert client.get("/api/v3/user", headers=member).get_json()["login"] == admin_login != member_login


@pytest.fixture
def admin_of() -> Any:
    """The site admin's headers of an app."""
    def headers(app: Flask) -> dict[str, str]:
        """`Authorization` with the admin token the app prints."""
        return {"Authorization": f"token {app.extensions['ghes'].runtime.tokens()['admin']}"}
    return headers
