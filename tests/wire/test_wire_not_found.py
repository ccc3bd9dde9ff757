"""404 as GitHub answers it (DOMAIN §10): unknown paths and methods are JSON 404s on the API, never 405."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}


def _ghec_cases(slug: str) -> list[tuple[str, str]]:
    """Unknown paths and unsupported methods on GHEC's API (at the root, as api.github.com)."""
    return [("GET", "/nope"), ("GET", "/repos/a/b"), ("POST", "/nope"), ("DELETE", "/user"),
            ("POST", f"/enterprises/{slug}/consumed-licenses"), ("PUT", f"/enterprises/{slug}/license-sync-status"),
            ("GET", f"/enterprises/{slug}/nope"), ("GET", "/favicon.ico")]


GHES_CASES = [("GET", "/api/v3/nope"), ("GET", "/api/v3/admin/users"), ("POST", "/api/v3/enterprise/settings/license"),
              ("GET", "/api/v3/users/x/suspended"), ("PATCH", "/api/v3/user"), ("POST", "/api/v3/nope")]


@pytest.mark.parametrize("index", range(8), ids=lambda i: f"ghec-{i}")
def test_ghec_unknown_paths_and_methods_are_githubs_json_404(ghec: Flask, slug: str, owner: dict[str, str],
                                                             index: int) -> None:
    """JSON `Not Found`, charset named, no `Allow`: for anyone, with or without a token."""
    method, path = _ghec_cases(slug)[index]
    for headers in ({}, owner):
        response = ghec.test_client().open(path, method=method, headers=headers)
        assert response.status_code == 404, (method, path)
        assert response.get_json() == NOT_FOUND
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert "Allow" not in response.headers


@pytest.mark.parametrize(("method", "path"), GHES_CASES, ids=[f"{m}-{p}" for m, p in GHES_CASES])
def test_ghes_unknown_paths_and_methods_are_githubs_json_404(ghes: Flask, admin: dict[str, str],
                                                             method: str, path: str) -> None:
    """The same under `/api/v3`, with the enterprise version header GHES always sends."""
    response = ghes.test_client().open(path, method=method, headers=admin)
    assert response.status_code == 404 and response.get_json() == NOT_FOUND
    assert "Allow" not in response.headers and response.headers["X-GitHub-Enterprise-Version"]


@pytest.mark.parametrize("app_name", ["ghec", "ghes"])
def test_pages_keep_an_html_404_in_the_shared_layout(request: Any, app_name: str) -> None:
    """A wrong page address (GET or a form POST) is the layout's HTML 404, not JSON, not a CSRF refusal."""
    app: Flask = request.getfixturevalue(app_name)
    path = "/enterprises/x/settings/nope" if app_name == "ghec" else "/enterprise/nope"
    for method in ("GET", "POST"):
        response = app.test_client().open(path, method=method)
        assert response.status_code == 404 and response.mimetype == "text/html", method
        page = response.get_data(as_text=True)
        assert 'class="Header"' in page and "primer-lite" in page and "not the page" in page
        assert "CSRF" not in page


def test_a_post_to_an_unknown_api_path_is_not_a_csrf_page(ghec: Flask) -> None:
    """GHEC's root is the API: a POST that matches nothing is GitHub's JSON 404."""
    response = ghec.test_client().post("/some/where", data={"x": "1"})
    assert response.status_code == 404 and response.get_json() == NOT_FOUND


def test_the_control_plane_keeps_405_with_allow(ghec: Flask) -> None:
    """`/_mock/` is the mock's own: a wrong method there says which ones exist."""
    response = ghec.test_client().patch("/_mock/clock")
    assert response.status_code == 405 and {"GET", "PUT"} <= set(response.headers["Allow"].split(", "))
