"""Every route an app serves is documented and has decided access: what docs/architecture.md's
"where a change goes" table promises, held by the code.

For each app, from its `url_map` (what it really serves):
- every API and page route, and every app-specific `/_mock/` route, is in the app's OpenAPI
  document (`/_mock/openapi.json`, built by `mock_*/openapi.py`) with that method;
- every route outside the control plane has a row in its auth matrix
  (`tests/reliability/test_auth_matrix_*.py`, `ROUTES`), which says who may call it;
- every documented GitHub or server-usage route is answered as API (`is_api` in `mock_*/app.py`:
  GitHub's error JSON and headers), and every page route is not.
A route added without those fails here, naming what is missing.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask

import mock_ghec
import mock_ghec.app
import mock_ghes
import mock_ghes.app
from github_http.control import SHARED_ROUTES

ROOT = Path(__file__).resolve().parents[2]
IGNORED_METHODS = {"HEAD", "OPTIONS"}
#: Routes every app shares (github_http's control plane and the page layout's assets), documented
#: once in docs/control-plane.md rather than in each app's OpenAPI document.
SHARED = {(method, re.sub(r"<[^>]*>", "{}", path)) for method, path, _ in SHARED_ROUTES}


def _matrix(app_name: str) -> dict[tuple[str, str], str]:
    """The `ROUTES` table of an app's auth matrix (tests/reliability is not a package: load by path)."""
    path = ROOT / "tests" / "reliability" / f"test_auth_matrix_{app_name}.py"
    reliability = str(path.parent)
    if reliability not in sys.path:
        sys.path.insert(0, reliability)  # its helpers (rel_auth) are imported from there
    spec = importlib.util.spec_from_file_location(f"_matrix_{app_name}", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.ROUTES)


APPS: dict[str, tuple[Callable[..., Flask], Callable[[str], bool]]] = {
    "ghes": (mock_ghes.create_app, mock_ghes.app.is_api),
    "ghec": (mock_ghec.create_app, mock_ghec.app.is_api),
}


@pytest.fixture(scope="module", params=sorted(APPS), ids=sorted(APPS))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, Flask, Callable[[str], bool]]]:
    """(app name, the app, its is_api) for each app."""
    create, is_api = APPS[request.param]
    app = create({"TESTING": True, "SEED": 3, "SCENARIO": "small"})
    yield request.param, app, is_api
    app.extensions["mock"].db.close()


def _shape(rule: str) -> str:
    """`/enterprises/<enterprise>/x/<int:n>` -> `/enterprises/{}/x/{}` (names and converters aside)."""
    return re.sub(r"<[^>]*>", "{}", rule)


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route the app serves."""
    return sorted((method, rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                  for method in rule.methods - IGNORED_METHODS)


def _documented(app: Flask) -> set[tuple[str, str]]:
    """(method, path shape) of every operation in the app's OpenAPI document."""
    doc: dict[str, Any] = app.test_client().get("/_mock/openapi.json").get_json()
    return {(method.upper(), re.sub(r"\{[^}]*\}", "{}", path)) for path, ops in doc["paths"].items() for method in ops}


def test_every_route_is_in_the_openapi_document(served: tuple[str, Flask, Callable[[str], bool]]) -> None:
    _, app, _ = served
    documented = _documented(app)
    missing = [f"{method} {rule}" for method, rule, endpoint in _routes(app)
               if endpoint != "static" and not rule.startswith("/static/")
               and (method, _shape(rule)) not in SHARED and (method, _shape(rule)) not in documented]
    assert missing == [], "add these to the app's openapi.py"


def test_every_route_outside_the_control_plane_has_an_auth_matrix_row(
        served: tuple[str, Flask, Callable[[str], bool]]) -> None:
    name, app, _ = served
    rows = _matrix(name)
    missing = [f"{method} {rule}" for method, rule, endpoint in _routes(app)
               if not endpoint.startswith("mock_control.") and (method, rule) not in rows]
    assert missing == [], f"add these to tests/reliability/test_auth_matrix_{name}.py ROUTES"


def test_api_routes_are_answered_as_api_and_pages_are_not(served: tuple[str, Flask, Callable[[str], bool]]) -> None:
    name, _, is_api = served
    rows = _matrix(name)
    api_kinds = {"token", "owner", "connect", "admin", "admin_hidden", "manage"}  # the matrices' API kinds
    wrong = []
    assert {kind for kind in rows.values() if kind in api_kinds}, "the matrix names no API route: update api_kinds"
    for (method, rule), kind in sorted(rows.items()):
        path = re.sub(r"<[^>]*>", "x", rule)
        if kind in api_kinds and not is_api(path):
            wrong.append(f"{method} {rule} ({kind}) is not is_api")
        if (kind.endswith("_page") or kind.endswith("_form") or kind in ("public", "asset")) and is_api(path):
            wrong.append(f"{method} {rule} ({kind}) is is_api")
    assert wrong == [], "fix is_api in the app's app.py"
