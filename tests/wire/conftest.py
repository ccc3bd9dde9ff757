"""Fixtures for GitHub's wire behaviours on both mocks: apps, their tokens, and live servers for real clients."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # wire_helpers

from app_factory import closing_factory
from flask import Flask

import mock_ghec
import mock_ghes
import scenarios
from github_http.live import LiveServer


@pytest.fixture(scope="session")
def scenario() -> scenarios.Scenario:
    """The default scenario (seed 1, demo), whose tokens both apps issue."""
    return scenarios.build(1, "demo")


@pytest.fixture
def make_ghec() -> Iterator[Callable[..., Flask]]:
    """Mock GHEC apps with given settings, closed afterwards."""
    yield from closing_factory(mock_ghec.create_app, TESTING=True)


@pytest.fixture
def make_ghes() -> Iterator[Callable[..., Flask]]:
    """Mock GHES apps with given settings, closed afterwards."""
    yield from closing_factory(mock_ghes.create_app, TESTING=True)


@pytest.fixture
def ghec(make_ghec: Callable[..., Flask]) -> Flask:
    """A mock GHEC on the default scenario."""
    return make_ghec()


@pytest.fixture
def ghes(make_ghes: Callable[..., Flask]) -> Flask:
    """A mock GHES on the default scenario (rate limits off, as GitHub ships it)."""
    return make_ghes()


@pytest.fixture
def slug(scenario: scenarios.Scenario) -> str:
    """The main enterprise's slug."""
    return scenario.enterprises[0].slug


@pytest.fixture
def owner_token(scenario: scenarios.Scenario, slug: str) -> str:
    """The main enterprise owner's token."""
    return scenario.tokens[f"ghec:{slug}:owner"]


@pytest.fixture
def owner(owner_token: str) -> dict[str, str]:
    """Headers of the main enterprise's owner."""
    return {"Authorization": f"token {owner_token}"}


@pytest.fixture
def admin(ghes: Flask) -> dict[str, str]:
    """Headers of the GHES site admin."""
    return {"Authorization": f"token {ghes.extensions['ghes'].runtime.tokens()['admin']}"}


@pytest.fixture
def live_ghec(ghec: Flask) -> Iterator[LiveServer]:
    """The GHEC app over real HTTP on a loopback port (for client libraries)."""
    with LiveServer(ghec) as server:
        yield server


@pytest.fixture
def live_ghes(make_ghes: Callable[..., Flask]) -> Iterator[LiveServer]:
    """A GHES with rate limits on, over real HTTP on a loopback port."""
    with LiveServer(make_ghes(RATE_LIMIT=True)) as server:
        yield server
