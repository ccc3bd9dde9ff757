"""Fixtures the unit tests share: the presets most tests only read, built once per module."""
from __future__ import annotations

import pytest

import scenarios


@pytest.fixture(scope="module")
def edge():
    """The edge-cases preset, built once: most tests only read it."""
    return scenarios.build(3, "edge-cases")


@pytest.fixture(scope="module")
def demo():
    """The default preset, built once."""
    return scenarios.build(1)
