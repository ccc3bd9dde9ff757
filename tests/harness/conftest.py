"""Fixtures for testing the shared control plane on the tiny app (no mock needed)."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).parent))  # tiny_app is a helper module, not a package

from app_factory import closing_factory
from tiny_app import create_tiny_app

from github_http.live import LiveServer


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """A factory of tiny apps with given settings; their databases are closed afterwards."""
    yield from closing_factory(create_tiny_app)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """A tiny app with default settings: each test its own state."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The Flask test client (REMOTE_ADDR 127.0.0.1, so the control plane answers)."""
    return app.test_client()


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    """The tiny app over real HTTP on a loopback port, for faults a test client cannot see."""
    app = create_tiny_app()
    with LiveServer(app) as server:
        yield server
    app.extensions["mock"].db.close()


@pytest.fixture
def live_url(live: LiveServer) -> str:
    """The live tiny app's URL, back on its default scenario and reset (faults, journal, clock)."""
    control = live.app.test_client()
    control.put("/_mock/scenario", json={"seed": 1, "params": {"people": 3}})
    control.post("/_mock/reset")
    return live.url
