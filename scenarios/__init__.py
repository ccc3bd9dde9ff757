"""Seeded, realistic populations shared by the mock GHES, the mock GHEC and the sync client.

`build(seed, preset, **overrides)` returns a `Scenario`: one set of people from which GHES
accounts and GHEC members are derived. Same seed and parameters give the same world in any
process. See docs/scenarios.md.
"""
from __future__ import annotations

from typing import Any

from .generator import generate
from .model import (
    Enterprise,
    GhecMember,
    GhesEmail,
    GhesInstance,
    GhesUser,
    Invitation,
    Person,
    PlantedCase,
    Repository,
    SamlIdentity,
    Scenario,
    ScenarioParams,
)
from .presets import MAX_SEED, PRESETS, resolve, short_repr

__all__ = [
    "PRESETS",
    "Enterprise",
    "GhecMember",
    "GhesEmail",
    "GhesInstance",
    "GhesUser",
    "Invitation",
    "Person",
    "PlantedCase",
    "Repository",
    "SamlIdentity",
    "Scenario",
    "ScenarioParams",
    "build",
]


def build(seed: int = 1, preset: str = "demo", **overrides: Any) -> Scenario:
    """Build the scenario for (seed, preset, overrides); raises ValueError naming valid choices."""
    if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) > MAX_SEED:
        raise ValueError(f"seed must be an int of at most 63 bits, got {short_repr(seed)}")
    return generate(seed, preset, resolve(preset, overrides))
