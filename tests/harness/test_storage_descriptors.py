"""An app nobody closes gives its file descriptors back when it is collected.

WHY: an ephemeral Database used to register its `close` with atexit, which kept it (and its
SQLite connections) alive until the process ended, and the journal's append log held a bare
descriptor that no collection closes. Each app a test built without closing it kept 9
descriptors for good, and a long xdist worker passed descriptor 1023 (where select(2) stops
working). Counted from /proc/self/fd, so Linux only, as the suite is.
"""
from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest

from mock_ghec import create_app as create_ghec
from mock_ghes import create_app as create_ghes

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _used_and_dropped(make: Any, path: str) -> Path:
    """An app that served a request (journal and rate-limit files opened), dropped unclosed; its folder."""
    app = make({"TESTING": True, "SCENARIO": "small", "SEED": 5})
    client = app.test_client()
    client.get(path)
    client.get("/_mock/journal", environ_base=LOOPBACK)
    folder = Path(app.extensions["mock"].db.path).parent
    del app, client
    gc.collect()
    return folder


@pytest.mark.parametrize(("make", "path"), [(create_ghec, "/user"), (create_ghes, "/api/v3/user")],
                         ids=["ghec", "ghes"])
def test_unclosed_apps_leak_no_descriptors_and_leave_no_folder(make: Any, path: str) -> None:
    _used_and_dropped(make, path)  # whatever a first app opens once per process
    before = _descriptors()
    folders = [_used_and_dropped(make, path) for _ in range(4)]
    assert _descriptors() <= before
    assert not any(folder.exists() for folder in folders)
