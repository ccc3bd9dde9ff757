"""Fixtures for the mock GHEC tests: a fresh app per test (its own ephemeral SQLite state)."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ghec_helpers, ghec_spec_check

from app_factory import closing_factory
from ghec_orgs_spec import Recorder

import scenarios
from github_http.live import LiveServer
from mock_ghec import create_app

#: The seed of the organization tests' edge-cases world (every §7 rule planted; its third enterprise EMU).
ORGS_SEED = 3


@pytest.fixture(scope="session")
def scenario() -> scenarios.Scenario:
    """The default scenario (seed 1, demo) as the generator builds it: the ground truth."""
    return scenarios.build(1, "demo")


@pytest.fixture
def make_app() -> Iterator[Any]:
    """A factory of apps with given settings; their databases are closed afterwards."""
    yield from closing_factory(create_app, TESTING=True)


@pytest.fixture
def app(make_app: Any) -> Flask:
    """The default scenario in a private, throw-away database."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> Any:
    """Flask's test client for the app."""
    return app.test_client()


@pytest.fixture
def main(scenario: scenarios.Scenario) -> Any:
    """The scenario's main enterprise (SAML)."""
    return scenario.enterprises[0]


@pytest.fixture
def other(scenario: scenarios.Scenario) -> Any:
    """The scenario's second, small enterprise (no SAML)."""
    return scenario.enterprises[1]


def _auth(scenario: scenarios.Scenario, key: str, scheme: str = "token") -> dict[str, str]:
    """Authorization headers carrying the scenario's token `key`."""
    return {"Authorization": f"{scheme} {scenario.tokens[key]}"}


@pytest.fixture
def owner(scenario: scenarios.Scenario, main: Any) -> dict[str, str]:
    """Headers of the main enterprise's owner."""
    return _auth(scenario, f"ghec:{main.slug}:owner")


@pytest.fixture
def member(scenario: scenarios.Scenario, main: Any) -> dict[str, str]:
    """Headers of a plain member (not an owner) of the main enterprise."""
    return _auth(scenario, f"ghec:{main.slug}:member")


@pytest.fixture
def other_owner(scenario: scenarios.Scenario, other: Any) -> dict[str, str]:
    """Headers of the second enterprise's owner."""
    return _auth(scenario, f"ghec:{other.slug}:owner")


@pytest.fixture
def connect(scenario: scenarios.Scenario, main: Any) -> dict[str, str]:
    """Headers carrying the main enterprise's GitHub Connect token."""
    return _auth(scenario, f"connect:{main.slug}", "Bearer")


@pytest.fixture
def orgs_world() -> scenarios.Scenario:
    """The edge-cases world the real-client organization tests drive (the ground truth for tokens)."""
    return scenarios.build(ORGS_SEED, "edge-cases")


@pytest.fixture
def orgs_served() -> Iterator[tuple[str, Recorder]]:
    """A mock GHEC on `orgs_world` over real HTTP on a loopback port, every exchange recorded (for the
    reference validation at the end of each real-client test)."""
    app = create_app({"TESTING": True, "SEED": ORGS_SEED, "SCENARIO": "edge-cases"})
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder  # type: ignore[method-assign]  # WSGI middleware, Flask's documented way
    # keep_alive: the real clients keep their connections open, which Werkzeug's server waited on
    # for 5 s at every stop; cheroot's closes them.
    with LiveServer(app, keep_alive=True).start() as server:
        yield server.url, recorder
    app.extensions["mock"].db.close()
