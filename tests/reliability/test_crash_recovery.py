"""`kill -9` in the middle of a large upload leaves the previous state intact, and a restart serves it.

A real `mock-ghec serve --state FILE` process. The server is killed at a known point: the
test hook TEST_HOLD_BEFORE_COMMIT makes an accepted upload, with every write of its
transaction done, create a marker file and hold before COMMIT; the test waits for the marker,
checks that uncommitted pages really reached the WAL file, and sends SIGKILL. The restarted
server must serve the state from before that upload byte for byte (`/_mock/snapshot`), and
the consumed licenses must be the same.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import requests
from rel_helpers import PRESET, SEED, auth, export, server_id, synthetic_users
from rel_processes import poll, start_ghec_serve

SERVE_ARGS = ("--seed", str(SEED), "--scenario", PRESET)
BIG = 20_000  # enough that the transaction spills far more than SQLite's default page cache into the WAL


def _snapshot(url: str) -> bytes:
    """The whole state as the control plane serves it (raw bytes: compared byte for byte)."""
    response = requests.get(url + "/_mock/snapshot", timeout=30)
    assert response.status_code == 200
    return response.content


def _rows(url: str, slug: str, token: str) -> list[Any]:
    """Every consumed-license row."""
    rows, page = [], 1
    while True:
        body = requests.get(f"{url}/enterprises/{slug}/consumed-licenses", params={"per_page": 100, "page": page},
                            headers=auth(token), timeout=30).json()
        rows += body["users"]
        if len(rows) >= body["total_seats_consumed"]:
            return rows
        page += 1


def _upload(url: str, slug: str, token: str, raw: bytes) -> requests.Response:
    """POST an export to "Add server usage"."""
    return requests.post(f"{url}/enterprises/{slug}/server-usage", data=raw, timeout=120,
                         headers={**auth(token), "Content-Type": "application/json"})


def test_kill_9_mid_upload_keeps_the_previous_state(tmp_path: Path, tokens: dict[str, str]) -> None:
    state, logs, marker = tmp_path / "state.sqlite3", tmp_path / "logs", tmp_path / "holding"
    slug, owner = tokens["slug"], tokens["owner"]
    sid = server_id(1, "crash")

    # 1. A committed upload, then a crash while idle: the commit must survive kill -9.
    first = start_ghec_serve(state, logs, *SERVE_ARGS)
    try:
        small = export(sid, "ghes-crash.corp.example", synthetic_users(50, "corp.example"))
        assert _upload(first.url, slug, owner, small).status_code == 201
        before, rows_before = _snapshot(first.url), _rows(first.url, slug, owner)
    finally:
        first.kill9()
    assert any("ghes-crash.corp.example" in ",".join(r["enterprise_server_user_ids"]) for r in rows_before)

    # 2. A restart serves it; then a large re-upload of the same server is killed before COMMIT.
    big = export(sid, "ghes-crash.corp.example", synthetic_users(BIG, "corp.example"))
    # SQLite's default page cache (WRITE_CACHE_MIB=0): with the 64 MiB one the whole transaction
    # would wait in memory for its COMMIT, and the kill would not prove that uncommitted pages
    # in the WAL are ignored on restart.
    second = start_ghec_serve(state, logs, *SERVE_ARGS, env={"MOCK_GHEC_TEST_HOLD_BEFORE_COMMIT": str(marker),
                                                             "MOCK_GHEC_WRITE_CACHE_MIB": "0"})
    outcome: dict[str, Any] = {}
    try:
        assert _snapshot(second.url) == before
        wal = Path(f"{state}-wal")
        wal_before = wal.stat().st_size if wal.exists() else 0

        def send() -> None:
            """The upload the crash interrupts (its connection dies with the server)."""
            try:
                outcome["response"] = _upload(second.url, slug, owner, big)
            except requests.RequestException as error:
                outcome["error"] = error

        uploader = threading.Thread(target=send)
        uploader.start()
        poll(marker.exists, "the upload to reach its COMMIT")
        # The hold is after every write of the transaction: uncommitted pages are on disk.
        assert wal.stat().st_size > wal_before + (1 << 20), "the transaction never reached the WAL"
        second.kill9()
        uploader.join(timeout=60)
    finally:
        second.kill9()
        second.stop()
    assert "error" in outcome, f"the upload finished before the crash: {outcome}"

    # 3. Restart on the same file: exactly the state from before the interrupted upload.
    third = start_ghec_serve(state, logs, *SERVE_ARGS)
    try:
        assert _snapshot(third.url) == before
        assert _rows(third.url, slug, owner) == rows_before
        status = requests.get(f"{third.url}/enterprises/{slug}/license-sync-status", headers=auth(owner), timeout=30)
        assert [s["server_id"] for s in status.json()["server_instances"]] == [sid]
    finally:
        third.stop()
    with sqlite3.connect(state) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_clean_stop_checkpoints_the_state_file(tmp_path: Path, tokens: dict[str, str]) -> None:
    """SIGTERM closes the state: the WAL is folded into the file and removed, and a restart serves the same state."""
    state, logs = tmp_path / "state.sqlite3", tmp_path / "logs"
    slug, owner = tokens["slug"], tokens["owner"]
    first = start_ghec_serve(state, logs, *SERVE_ARGS)
    try:
        raw = export(server_id(1, "clean-stop"), "ghes-stop.corp.example", synthetic_users(2_000, "corp.example"))
        assert _upload(first.url, slug, owner, raw).status_code == 201
        before = _snapshot(first.url)
        assert Path(f"{state}-wal").exists()  # the upload is in the WAL while the server runs
    finally:
        first.stop()
    assert first.proc.returncode == 0
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(("-wal", "-shm"))]
    assert leftovers == [], f"a clean stop left {leftovers}"
    second = start_ghec_serve(state, logs, *SERVE_ARGS)
    try:
        assert _snapshot(second.url) == before
    finally:
        second.stop()
