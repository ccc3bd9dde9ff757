"""Fixtures of the reliability suite: a small GHEC scenario, its tokens, and in-process apps.

Every test here must stay honest and quick (the whole suite well under a minute on two
cores): small sizes wherever the property is the same at any size, real processes only
where the property only exists between processes (crash, several workers).
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))  # rel_helpers, rel_processes

from app_factory import closing_factory
from rel_helpers import PRESET, SEED, ghec_tokens

import scenarios
from mock_ghec import create_app as create_ghec


@pytest.fixture(scope="session")
def small_scenario() -> scenarios.Scenario:
    """The scenario the in-process GHEC apps are built from (ground truth for tokens)."""
    return scenarios.build(SEED, PRESET)


@pytest.fixture(scope="session")
def tokens(small_scenario: scenarios.Scenario) -> dict[str, str]:
    """Slugs and tokens of the small scenario's two enterprises."""
    return ghec_tokens(small_scenario)


@pytest.fixture
def make_ghec() -> Iterator[Any]:
    """A factory of in-process GHEC apps on the small scenario (each its own ephemeral state), closed afterwards."""
    yield from closing_factory(create_ghec, TESTING=True, SEED=SEED, SCENARIO=PRESET)


@pytest.fixture(scope="module")
def ghec_app() -> Iterator[Flask]:
    """One in-process GHEC app shared by a module's read-mostly tests. WHY a large anonymous budget:
    the auth matrices send hundreds of unauthenticated requests from 127.0.0.1 to one app, and
    GitHub's 60 an hour (tests/wire covers it) would answer them 403 before authentication."""
    app = create_ghec({"TESTING": True, "SEED": SEED, "SCENARIO": PRESET, "RATE_LIMIT_ANONYMOUS": 1_000_000})
    yield app
    app.extensions["mock"].db.close()
