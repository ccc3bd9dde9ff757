"""The working state the builders share: fixed constants, the per-part random streams and `World`.

Split out of generator.py so the GHES side (ghes_side.py) and the GHEC side (ghec_side.py) can
use them without importing the orchestration; see generator.py for the determinism rules.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .model import Person, ScenarioParams
from .truth import EDGE_KINDS

BASE = datetime(2026, 1, 1, tzinfo=UTC)
DAY = 86400
ORG_WORDS = ("platform", "data", "mobile", "infra", "web", "security", "research", "payments")
VERSIONS = ("3.13.9", "3.14.6", "3.15.2", "3.16.1")
BOTS = ("ci-bot", "deploy-bot", "release-bot", "backup-bot", "docs-bot")
CLOUD_EDGES = EDGE_KINDS[:4]  # planted on "both sides" people of the main enterprise
FREEZE_FROM = 10_000  # people: from this size the built world is moved out of the GC's sight


def stream(seed: int, part: str) -> random.Random:
    """Give each part of the world an independent, process-stable random stream."""
    digest = hashlib.sha256(f"{seed}:{part}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


@dataclass(slots=True)
class World:
    """Working state shared by the builders; only the resulting Scenario leaves the generator."""

    seed: int
    params: ScenarioParams
    companies: list[tuple[str, str, str]]  # (slug, display name, mail domain): main, subsidiary, partner
    side: list[str] = field(default_factory=list)  # per person index: "B"oth, "S"erver only, "C"loud only
    partner: set[int] = field(default_factory=set)  # person indexes in the second enterprise
    edge: dict[int, str] = field(default_factory=dict)  # person index -> edge kind
    fa: list[str] = field(default_factory=list)  # ascii first name per person
    la: list[str] = field(default_factory=list)  # ascii last name per person
    alias: list[str | None] = field(default_factory=list)  # an extra work address, or None
    people: list[Person] = field(default_factory=list)
    homes: list[list[int]] = field(default_factory=list)  # per instance: person indexes, id order
    staff: list[tuple[int, ...]] = field(default_factory=list)  # per instance: (admin, member) person
