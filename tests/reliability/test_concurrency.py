"""Parallel uploads from many servers, interleaved with reads: no 5xx, no lost update, same end state.

Eight GHES servers each upload twice (a first file, then a changed one that must REPLACE it)
at the same time, against gunicorn with two workers and four threads each, while readers
hammer the consumed-licenses and sync-status routes. The files overlap on purpose: GHEC
members' verified emails (merges into GitHub.com rows) and a pool of addresses shared across
servers (GHES-only people merged across servers). The end state must equal the same uploads
made one by one in-process, row for row.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from rel_helpers import PRESET, SEED, all_rows, auth, canonical, export, ghec_tokens, server_id, user
from rel_processes import Process, start_gunicorn

import scenarios

SERVERS, USERS = 8, 400


def _files(scenario: scenarios.Scenario) -> dict[str, tuple[bytes, bytes]]:
    """server_id -> (first file, second file) with deliberate overlaps between servers and GHEC."""
    rng = random.Random(SEED)
    verified = [a for m in scenario.enterprises[0].members for a in m.verified_emails]
    shared = [f"shared{n}@pool.corp.example" for n in range(USERS // 2)]
    files = {}
    for k in range(1, SERVERS + 1):
        sid, host = server_id(k, "concurrency"), f"ghes-{k}.corp.example"

        def users(version: int, k: int = k) -> list[dict[str, Any]]:
            """Server `k`'s users in its `version`-th file (the second drops some and adds others)."""
            out = []
            for n in range(1, USERS + 1):
                roll = rng.random()
                primary = (rng.choice(verified) if roll < 0.05 else rng.choice(shared) if roll < 0.4
                           else f"s{k}v{version}u{n}@corp.example")
                out.append(user(n + (version - 1) * USERS // 4, primary.upper() if roll > 0.97 else primary))
            return out

        files[sid] = (export(sid, host, users(1)), export(sid, host, users(2), encrypted=k % 2 == 0))
    return files


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """gunicorn, two workers with four threads each, on one state file."""
    folder = tmp_path_factory.mktemp("ghec-concurrency")
    env = {"MOCK_GHEC_STATE_PATH": str(folder / "state.sqlite3"), "MOCK_GHEC_SEED": str(SEED),
           "MOCK_GHEC_SCENARIO": PRESET, "MOCK_GHEC_JOURNAL": "false"}
    proc = start_gunicorn("mock_ghec:create_app()", env, folder / "logs", 2, "--threads", "4")
    yield proc
    proc.stop()
    assert "Traceback" not in proc.err(), proc.err()


def test_parallel_uploads_equal_the_same_uploads_one_by_one(server: Process, make_ghec: Any) -> None:
    scenario = scenarios.build(SEED, PRESET)
    t = ghec_tokens(scenario)
    files = _files(scenario)
    base = f"{server.url}/enterprises/{t['slug']}"
    headers = {**auth(t["owner"]), "Content-Type": "application/json"}
    statuses: list[int] = []
    lock, done = threading.Lock(), threading.Event()

    def upload_both(raw: tuple[bytes, bytes]) -> list[int]:
        """One server: its first file, then its second (which replaces it)."""
        return [requests.post(f"{base}/server-usage", data=body, headers=headers, timeout=120).status_code
                for body in raw]

    def read_until_done() -> None:
        """Reads interleaved with the uploads; every answer must be a 200."""
        n = 0
        while not done.is_set() or n == 0:
            path = ("/consumed-licenses?per_page=100&page=" + str(1 + n % 3)) if n % 2 else "/license-sync-status"
            status = requests.get(base + path, headers=auth(t["owner"]), timeout=120).status_code
            with lock:
                statuses.append(status)
            n += 1

    readers = [threading.Thread(target=read_until_done) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        with ThreadPoolExecutor(max_workers=SERVERS) as pool:
            uploads = [s for pair in pool.map(upload_both, files.values()) for s in pair]
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=120)
    assert uploads == [201] * (2 * SERVERS)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))

    # The same uploads one by one, in-process: the rows must be identical.
    client = make_ghec().test_client()
    for first, second in files.values():
        for body in (first, second):
            assert client.post(f"/enterprises/{t['slug']}/server-usage", data=body, headers=headers).status_code == 201

    def local(url: str, h: dict[str, str]) -> tuple[int, Any]:
        response = client.get(url, headers=h)
        return response.status_code, response.get_json()

    def remote(url: str, h: dict[str, str]) -> tuple[int, Any]:
        response = requests.get(server.url + url, headers=h, timeout=60)
        return response.status_code, response.json()

    expected, got = all_rows(local, t["slug"], t["owner"]), all_rows(remote, t["slug"], t["owner"])
    assert canonical(got) == canonical(expected)
    # No lost update: every server's SECOND file is what counts (its first-file-only users are gone).
    ids = {i for row in got for i in row["enterprise_server_user_ids"]}
    assert f"ghes-1.corp.example:{USERS + USERS // 4}" in ids and "ghes-1.corp.example:1" not in ids
    status = remote(f"/enterprises/{t['slug']}/license-sync-status", auth(t["owner"]))[1]
    assert sorted(s["server_id"] for s in status["server_instances"]) == sorted(files)
    assert {s["last_sync"]["status"] for s in status["server_instances"]} == {"success"}


def test_server_log_has_no_errors(server: Process) -> None:
    """Nothing failed inside gunicorn (a 5xx would also be logged as a traceback)."""
    assert "Traceback" not in server.err() and "database is locked" not in server.err()

