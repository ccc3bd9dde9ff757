"""What must start afresh in a forked child: gunicorn forks its workers from one process.

A forked child must not use its parent's SQLite connections, nor share a descriptor (and so a
flock) with it. WHY a hook run at fork, not a getpid(2) check on every use: the connections,
the journal's log and the rate-limit file are used a dozen times a request, and each check was
a system call (os.register_at_fork runs the hooks in the child of every os.fork, which is how
gunicorn and multiprocessing's "fork" start a process; subprocess execs at once and needs none).
"""
from __future__ import annotations

import os
import weakref
from typing import Protocol


class ForkAware(Protocol):
    """Something holding per-process resources."""

    def after_fork_in_child(self) -> None:
        """Drop what belongs to the parent (without closing what the parent still uses)."""


_OWNERS: weakref.WeakSet[ForkAware] = weakref.WeakSet()


def forget_in_child(owner: ForkAware) -> None:
    """Call `owner.after_fork_in_child()` in every child forked from now on, while `owner` lives."""
    _OWNERS.add(owner)


def _run() -> None:
    """In the child: every owner starts afresh."""
    for owner in list(_OWNERS):
        owner.after_fork_in_child()


os.register_at_fork(after_in_child=_run)
