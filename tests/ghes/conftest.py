"""Fixtures for the mock GHES tests: a fresh app per test (its own ephemeral SQLite state)."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ghes_helpers, ghes_spec_check

from ghes_helpers import basic_auth, make_app, token_auth


@pytest.fixture
def app() -> Iterator[Flask]:
    """The default scenario (seed 1, demo, instance 1) in a private, throw-away database."""
    app = make_app()
    yield app
    app.extensions["mock"].db.close()


@pytest.fixture
def client(app: Flask) -> Any:
    """Flask's test client for the app."""
    return app.test_client()


@pytest.fixture
def runtime(app: Flask) -> Any:
    """The app's runtime (store, clock, Connect state) for reading ground truth in asserts."""
    return app.extensions["ghes"].runtime


@pytest.fixture
def tokens(runtime: Any) -> dict[str, str]:
    """The tokens the server prints: admin, member, manage."""
    return runtime.tokens()


@pytest.fixture
def admin(tokens: dict[str, str]) -> dict[str, str]:
    """Headers of the scenario's site admin."""
    return token_auth(tokens["admin"])


@pytest.fixture
def member(tokens: dict[str, str]) -> dict[str, str]:
    """Headers of the scenario's normal user."""
    return token_auth(tokens["member"])


@pytest.fixture
def manage(tokens: dict[str, str]) -> dict[str, str]:
    """Headers for the Manage API."""
    return basic_auth("api_key", tokens["manage"])
