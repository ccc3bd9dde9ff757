"""THE pause of Python's cyclic garbage collector around bulk work (one helper for the project).

WHY: with a parsed 100,000-user document alive, every few hundred container allocations
trigger a collection that re-traverses everything already built; measured, that doubles
`json.loads` of a big export and makes an upload's Python passes (kept users, matching,
rows) several times slower. None of that data has reference cycles, so there is nothing for
the collector to find. A depth counter keeps concurrent requests (threads) from re-enabling
it under each other, and the state before the outermost pause is restored.

It lives in export_format, the lowest package that needs it, so the contract package stays
importable without Flask (github_http's package imports Flask); mock_ghec uses it from here.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_restore = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the collector for the block (nested and concurrent uses are counted)."""
    global _depth, _restore
    with _lock:
        if _depth == 0:
            _restore = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _restore:
                gc.enable()
