"""Background threads stay outside SQLite while the process forks.

WHY: a child must never inherit SQLite in the middle of a call: its internal mutexes would stay
locked forever in the child (a preforking gunicorn master seeds, maybe renders, then forks its
workers). Each background thread that uses SQLite (the WAL checkpointer, GHEC's page render)
holds its ForkGuard around every SQLite call; a process-wide fork hook takes every guard before
fork() and gives it back after, in the parent and in the child.
"""
from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any


class ForkGuard:
    """Held (`with guard:`) by one background thread around each SQLite call, and by fork()."""

    def __init__(self, interrupt: Callable[[], None] | None = None,
                 in_child: Callable[[], None] | None = None) -> None:
        """`interrupt`: cut a long SQLite call short while a fork waits; `in_child`: forget the
        parent's thread in a forked child (it did not survive the fork)."""
        self._lock = threading.Lock()
        self._interrupt, self._in_child = interrupt, in_child
        _GUARDS.add(self)

    def __enter__(self) -> ForkGuard:
        """The thread enters SQLite (waits while a fork is under way)."""
        self._lock.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        """The thread left SQLite."""
        self._lock.release()

    def _hold(self) -> None:
        """Wait until the thread is outside SQLite and keep it there (before fork)."""
        while not self._lock.acquire(timeout=0.05):
            if self._interrupt is not None:
                self._interrupt()

    def _release(self, in_child: bool) -> None:
        """Let the thread use SQLite again (after fork)."""
        if in_child and self._in_child is not None:
            self._in_child()
        if self._lock.locked():
            self._lock.release()


#: Every ForkGuard of this process (weak: a dropped owner drops its guard).
_GUARDS: weakref.WeakSet[ForkGuard] = weakref.WeakSet()


def _before_fork() -> None:
    """Keep every guarded thread outside SQLite while fork() copies the process."""
    for guard in list(_GUARDS):
        guard._hold()


def _after_fork_in_parent() -> None:
    """Let them go on."""
    for guard in list(_GUARDS):
        guard._release(in_child=False)


def _after_fork_in_child() -> None:
    """Let them go on; each owner forgets the parent's thread first."""
    for guard in list(_GUARDS):
        guard._release(in_child=True)


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)
