"""Figure: upload → validate → match 100,000 users on the mock GHEC (in this process).

The app runs with its default settings (journal on) over a copy of the world's state file,
and each timed upload starts from that same pristine state (the file is restored between
runs), so every run is "a GHEC that knows the enterprise receives this server's first file":
validation, matching, every row written, the commit. What the request costs end to end is
timed through Flask's test client (no sockets: the 1,000,000-user figure covers HTTP).

The enterprise's GitHub.com side is cached per scenario generation; a server that loaded its
scenario has it already, one restarted on a state file builds it on its first upload. The
warm runs are the figure, the cold first upload is printed beside it.
The yardstick: a bare `json.loads` of the same bytes, timed in the same rounds.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .report import Figure
from .timing import Stats, measure
from .workloads import copy_state

ROUNDS = 3
TARGET_S, LOADS_RATIO = 2.0, 5.0


def ghec_owner(app: Any) -> tuple[str, str]:
    """(main enterprise slug, its owner's token) of a GHEC app."""
    from mock_ghec.control import describe

    main = describe(app.extensions["ghec_store"])["enterprises"][0]
    return main["slug"], main["tokens"]["owner"]


def run(pristine: Path, workdir: Path, raw: bytes) -> list[Figure]:
    """Time the 100,000-user upload (cold once, then warm from the pristine state each round)."""
    from mock_ghec import create_app

    state = workdir / "ghec-upload.sqlite3"
    copy_state(pristine, state)
    app = create_app({"STATE_PATH": str(state)})
    db = app.extensions["mock"].db
    slug, token = ghec_owner(app)
    client = app.test_client()
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}

    def upload() -> None:
        """POST the file; anything but 201 is a broken bench, not a slow one."""
        response = client.post(f"/enterprises/{slug}/server-usage", data=raw, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)[:500]

    def restore() -> None:
        """Back to the state before any upload (same path and scenario generation: cache stays valid)."""
        db.close()
        copy_state(pristine, state)

    cold = measure(upload, 1).best
    uploads, loads = [], []
    for _ in range(ROUNDS):
        uploads.append(measure(upload, 1, before=restore).best)
        loads.append(measure(lambda: json.loads(raw), 1).best)
    db.close()
    up, ld = Stats(tuple(uploads)), Stats(tuple(loads))
    ratio = up.best / ld.best
    return [Figure("upload → validate → match 100,000 users (GHEC)",
                   f"≤ {TARGET_S:g} s and ≤ {LOADS_RATIO:g}× json.loads",
                   up.best, "s", up.best <= TARGET_S and ratio <= LOADS_RATIO,
                   f"{up.describe()}; json.loads of the file {ld.describe()}; ratio {ratio:.2f}× "
                   f"(medians {up.median / ld.median:.2f}×); first upload after a restart on the state "
                   f"file {cold:.3f} s; journal on")]
