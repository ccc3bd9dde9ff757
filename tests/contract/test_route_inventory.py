"""The route inventory (docs/routes.md): every API route is GitHub's or declared as the project's own.

A route of either app's API (its `is_api` paths and `/_mock/`) must be an operation of GitHub's
descriptions in fixtures/github-openapi/ (the copy of reference/) — those are validated against
them by the contract tests (tests/ghec/ghec_spec_check.py, tests/ghes/ghes_spec_check.py,
tests/wire/test_wire_contract.py) — or be a row of docs/routes.md's table of own routes, with
the reason GitHub publishes nothing there. A new route that is neither fails here, and the
counts the document prints must be the real ones.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest
from flask import Flask

import mock_ghec
import mock_ghes
from mock_ghec.app import is_api as ghec_is_api
from mock_ghes.app import is_api as ghes_is_api

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "fixtures" / "github-openapi"
DOC = ROOT / "docs" / "routes.md"
#: Per app: its factory, which paths are its API, the base its GitHub descriptions are written against, and those.
APPS: dict[str, tuple[Callable[..., Flask], Callable[[str], bool], str, tuple[str, ...]]] = {
    "GHEC": (mock_ghec.create_app, ghec_is_api, "", ("ghec-license-endpoints.json", "ghec-membership-endpoints.json")),
    "GHES": (mock_ghes.create_app, ghes_is_api, "/api/v3", ("ghes-license-endpoints.json", "ghes-wire-endpoints.json")),
}
_METHODS = ("get", "post", "put", "patch", "delete")


def _template(path: str) -> str:
    """A path with every parameter as `{}`, whatever it is called (Flask's `<x>` or OpenAPI's `{x}`)."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def github_operations(names: tuple[str, ...]) -> set[tuple[str, str]]:
    """(METHOD, path template) of every operation in GitHub's descriptions."""
    found = set()
    for name in names:
        for path, operations in json.loads((REFERENCE / name).read_text(encoding="utf-8"))["paths"].items():
            found |= {(method.upper(), _template(path)) for method in operations if method in _METHODS}
    return found


def api_routes(app: Flask, is_api: Callable[[str], bool]) -> set[tuple[str, str]]:
    """(METHOD, path template) of every API and control-plane route the app serves."""
    routes = set()
    for rule in app.url_map.iter_rules():
        concrete = re.sub(r"<[^>]+>", "x", rule.rule)
        if is_api(concrete) or rule.rule.startswith("/_mock"):
            routes |= {(method, _template(rule.rule)) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def own_rows() -> list[tuple[str, str, str, str]]:
    """(app, method, path glob, reason) rows of the document's own-routes table."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and cells[0] in ("GHEC", "GHES", "both"):
            rows.append((cells[0], cells[1], cells[2], cells[3]))
    return rows


@pytest.fixture(scope="module")
def inventory() -> Iterator[dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]]]:
    """Per app: (routes that are GitHub operations, routes that are not)."""
    result = {}
    for name, (create, is_api, base, references) in APPS.items():
        app = create({"TESTING": True})
        github = {(m, base + p) for m, p in github_operations(references)} | github_operations(references)
        routes = api_routes(app, is_api)
        result[name] = ({r for r in routes if r in github}, {r for r in routes if r not in github})
        app.extensions["mock"].db.close()
    yield result


def _declared(app: str, method: str, path: str) -> bool:
    """Whether the document declares (method, path) of `app` as our own."""
    return any(who in (app, "both") and m in (method, "*") and fnmatch(path, glob) and reason
               for who, m, glob, reason in own_rows())


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_route_is_githubs_or_declared_as_our_own(inventory: dict, app: str) -> None:
    """A route GitHub does not describe needs its row, with a reason, in docs/routes.md."""
    _, own = inventory[app]
    undeclared = sorted(route for route in own if not _declared(app, *route))
    assert not undeclared, f"add these to docs/routes.md (or emulate GitHub's operation): {undeclared}"


def test_no_row_declares_a_route_that_is_gone_or_githubs(inventory: dict) -> None:
    """Each own-routes row matches at least one route that is not GitHub's (no stale rows)."""
    for who, method, glob, _ in own_rows():
        apps = ("GHEC", "GHES") if who == "both" else (who,)
        assert any(method in (m, "*") for app in apps for m, p in inventory[app][1]
                   if fnmatch(p, glob)), (who, method, glob)


def test_the_document_prints_the_real_counts(inventory: dict) -> None:
    """The counts line of docs/routes.md is what the apps serve."""
    text = DOC.read_text(encoding="utf-8")
    for app, (github, own) in inventory.items():
        line = f"**{app}**: {len(github)} GitHub operations emulated, {len(own)} own routes"
        assert line in text, line
