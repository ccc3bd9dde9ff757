"""`scenario dump` then load gives the same state: the digest of every table, for every preset, on both apps.

What may differ is only where the state came from: the scenario spec kept in `mock_kv`, and
GHES's record of its preset and parameters (`ghes_instance.preset`, `params_json`), and GHEC's row
stamps (random at every write of the rows). Everything
else (users, emails, identities, organizations, invitations, tokens, license, rows, and the
times stamped at loading) must be equal: both states are loaded at the same frozen moment.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mock_ghec
import mock_ghes
from github_http.snapshot import dump_state
from scenarios.file import load_path
from scenarios.file.use import read_document as load_document_text

PROVENANCE = {"ghes_instance": {"preset", "params_json"}}
MOMENT = "2026-06-01T12:00:00Z"
SKIPPED_TABLES = {"mock_kv", "ghec_row_stamps"}
APPS = {"ghes": mock_ghes.create_app, "ghec": mock_ghec.create_app}
PRESETS = ["small", "demo", "edge-cases", pytest.param("large", marks=pytest.mark.slow)]


def state_digest(app) -> str:
    """sha256 over every table of the state, derived ones included, but the provenance of the state
    and the row stamps (random at every write of the rows: docs/ghec.md). WHY read in process, not
    `/_mock/snapshot`: the snapshot leaves derived cells out (a restore recomputes them), and
    encoding then decoding a `large` state's JSON was a third of this test's time."""
    snapshot = dump_state(app.extensions["mock"].db)
    kept = {}
    for name, table in sorted(snapshot["tables"].items()):
        if name in SKIPPED_TABLES:
            continue
        drop = [i for i, c in enumerate(table["columns"]) if c in PROVENANCE.get(name, set())]
        kept[name] = [[v for i, v in enumerate(row) if i not in drop] for row in table["rows"]]
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()


def loaded_at_moment(app, spec: dict) -> None:
    """(Re)load `spec` with the app's clock frozen at MOMENT, so loading-time stamps agree."""
    client = app.test_client()
    assert client.put("/_mock/clock", json={"now": MOMENT, "freeze": True}).status_code == 200
    assert client.put("/_mock/scenario", json=spec).status_code == 200


def _close(app) -> None:
    """Drop the app's ephemeral database."""
    app.extensions["mock"].db.close()


@pytest.mark.parametrize("kind", sorted(APPS))
@pytest.mark.parametrize("preset", PRESETS)
def test_a_dump_loads_back_as_the_same_state(kind: str, preset: str) -> None:
    # WHY both apps start on `small` and then load at MOMENT: each world is built once, already at
    # the frozen moment (building `large` twice per app was most of this test's two minutes).
    first, second = APPS[kind]({"SCENARIO": "small"}), APPS[kind]({"SCENARIO": "small"})
    try:
        loaded_at_moment(first, {"seed": 1, "preset": preset})
        document = first.test_client().get("/_mock/scenario/file").get_json()
        loaded_at_moment(second, {"file": document})
        assert state_digest(second) == state_digest(first)
        assert second.test_client().get("/_mock/scenario").get_json()["scenario_file"] is not None
    finally:
        _close(first)
        _close(second)


@pytest.mark.parametrize("kind", sorted(APPS))
def test_the_cli_dump_is_a_file_the_cli_serves_from(kind: str, tmp_path: Path) -> None:
    out = tmp_path / "world.yaml"
    done = subprocess.run([sys.executable, "-m", f"mock_{kind}.cli", "scenario", "dump", "--scenario", "small",
                           "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert load_path(out).preset == "small"
    first, second = APPS[kind]({"SCENARIO": "small"}), APPS[kind]({"SCENARIO_FILE": str(out)})
    try:
        loaded_at_moment(first, {"seed": 1, "preset": "small"})
        loaded_at_moment(second, {"file": load_document_text(out)})
        assert state_digest(second) == state_digest(first)
    finally:
        _close(first)
        _close(second)
