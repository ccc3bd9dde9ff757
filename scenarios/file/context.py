"""What the builders of a scenario file share: the problems found so far and the names declared.

Building and checking are one pass: each builder resolves the references it meets and records
a problem for each one it cannot, so every mistake is reported at once and a Scenario exists
only when there is none.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from ..world import BASE
from .parse import Problem

DEFAULT_VERSION = "3.16.1"
DEFAULT_CREATED = BASE - timedelta(days=365)
DEFAULT_LAST_ACTIVE = BASE - timedelta(days=1)
DEFAULT_DORMANT_SINCE = BASE - timedelta(days=120)
DEFAULT_EXPIRE = BASE + timedelta(days=730)
DEFAULT_ENABLED = BASE - timedelta(days=30)


@dataclass
class Context:
    """Problems, the person keys declared (key -> person_id) and the seed everything derives from."""

    seed: int
    version: str = "1.0.0"  # the file's format version (what it may state depends on it)
    problems: list[Problem] = field(default_factory=list)
    person_ids: dict[int | str, int] = field(default_factory=dict)
    person_names: dict[int, str] = field(default_factory=dict)

    def problem(self, path: str, message: str) -> None:
        """Record one mistake."""
        self.problems.append(Problem(path, message))

    def person(self, key: int | str | None, path: str) -> int | None:
        """The person_id a `person:` reference names, or a problem when no such person is declared."""
        if key is None:
            return None
        found = self.person_ids.get(key)
        if found is None:
            self.problem(path, f"unknown person {key!r}: not in people[]")
        return found

    def derived(self, *parts: object) -> str:
        """A stable hex string from the seed and `parts` (default server ids and canaries)."""
        return hashlib.sha256(":".join(str(p) for p in (self.seed, *parts)).encode()).hexdigest()


def first_unused(taken: set[int], start: int) -> int:
    """The smallest id >= start not in `taken` (and claim it)."""
    candidate = max(start, 1)
    while candidate in taken:
        candidate += 1
    taken.add(candidate)
    return candidate
