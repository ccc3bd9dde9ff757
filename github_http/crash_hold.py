"""The crash tests' hook: hold a write transaction, every write done, just before its COMMIT.

WHY a module of its own, injected by the app factory: the store's write path calls whatever
`before_commit` it was given (nothing, in every server anyone uses); only a server started with
the test setting gets this one, so a crash test can `kill -9` it at exactly the moment a large
write is complete but not committed, and check that a restart serves the previous state.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

#: The longest a held commit waits for the test to delete the marker (s).
HOLD_LIMIT = 120.0


def hold_until_marker_deleted(marker: str, limit: float = HOLD_LIMIT) -> Callable[[], None]:
    """A `before_commit` that creates `marker` (holding this process's pid) and waits until the test
    deletes it, or `limit` seconds pass."""

    def hold() -> None:
        """Create the marker, then wait for it to go."""
        Path(marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + limit
        while Path(marker).exists() and time.monotonic() < deadline:
            time.sleep(0.02)  # held on purpose: the test kills the process here

    return hold


def no_hold() -> None:
    """The `before_commit` of every server that is not a crash test's."""
