"""Several gunicorn workers on one state file behave as one server (the documented production command).

gunicorn builds the app once per worker; the workers share the SQLite file (WAL, BEGIN
IMMEDIATE writers). The access log names the worker pid of every request, so the tests can
show that a write through one worker is read back through another. First-start seeding races
are forced in-process with a barrier (deterministic), and the ephemeral default is refused.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from rel_helpers import PRESET, SEED, auth, export, ghec_tokens, server_id, synthetic_users
from rel_processes import Process, gunicorn_argv, served_by, start_gunicorn

import mock_ghec.reads
import mock_ghes.store
import scenarios
from github_http.storage import Database
from mock_ghec import create_app as create_ghec
from mock_ghec.store import Store as GhecStore
from mock_ghes import create_app as create_ghes
from mock_ghes.runtime import Runtime

READS = 24  # parallel reads per check: enough that every worker gets some


@pytest.fixture(scope="module")
def ghec_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """`gunicorn -w 2 'mock_ghec:create_app()'` on a NEW state file (both workers race to seed it)."""
    folder = tmp_path_factory.mktemp("ghec-gunicorn")
    env = {"MOCK_GHEC_STATE_PATH": str(folder / "state.sqlite3"), "MOCK_GHEC_SEED": str(SEED),
           "MOCK_GHEC_SCENARIO": PRESET}
    server = start_gunicorn("mock_ghec:create_app()", env, folder / "logs", workers=2)
    yield server
    server.stop()
    assert "Traceback" not in server.err(), server.err()


@pytest.fixture(scope="module")
def ghes_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """`gunicorn -w 2 'mock_ghes:create_app()'` on a new state file."""
    folder = tmp_path_factory.mktemp("ghes-gunicorn")
    env = {"MOCK_GHES_STATE_PATH": str(folder / "state.sqlite3"), "MOCK_GHES_SEED": "1",
           "MOCK_GHES_SCENARIO": "small"}
    server = start_gunicorn("mock_ghes:create_app()", env, folder / "logs", workers=2)
    yield server
    server.stop()
    assert "Traceback" not in server.err(), server.err()


def _parallel_gets(url: str, marker: str, headers: dict[str, str], count: int = READS) -> list[requests.Response]:
    """`count` GETs at once, each tagged `?probe=<marker>-<n>` so the access log tells who served it."""
    def get(n: int) -> requests.Response:
        sep = "&" if "?" in url else "?"
        return requests.get(f"{url}{sep}probe={marker}-{n}", headers=headers, timeout=30)
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(get, range(count)))


def _spread_reads(server: Process, url: str, headers: dict[str, str], tag: str, check: Any,
                  besides: str | None = None) -> None:
    """Batches of parallel reads, every answer passing `check(answers)`, until the batch landed on at
    least two workers (one of them not `besides`). Bounded in batches, not in time: a worker still
    booting just means another batch."""
    pids: set[str] = set()
    for attempt in range(20):
        check(_parallel_gets(url, f"{tag}{attempt}", headers))
        pids = set(served_by(server, f"probe={tag}{attempt}-", READS).values())
        if len(pids) >= 2 and pids - {besides}:
            return
    pytest.fail(f"every read landed on one worker ({pids})")


def test_an_upload_through_one_worker_is_seen_through_the_others(ghec_server: Process) -> None:
    t = ghec_tokens(scenarios.build(SEED, PRESET))
    base = f"{ghec_server.url}/enterprises/{t['slug']}"
    raw = export(server_id(1, "workers"), "ghes-workers.corp.example", synthetic_users(40, "workers.example"))
    uploaded = requests.post(f"{base}/server-usage?probe=upload-1", data=raw, timeout=30,
                             headers={**auth(t["owner"]), "Content-Type": "application/json"})
    assert uploaded.status_code == 201, uploaded.text
    uploader = served_by(ghec_server, "probe=upload-1", 1)["probe=upload-1"]

    def check(answers: list[requests.Response]) -> None:
        assert all(r.status_code == 200 for r in answers)
        totals = {r.json()["total_seats_consumed"] for r in answers}
        ids = {",".join(sorted(i for row in r.json()["users"] for i in row["enterprise_server_user_ids"]))
               for r in answers}
        assert len(totals) == 1 and len(ids) == 1, "workers disagree about the state"
        assert "ghes-workers.corp.example:1" in ids.pop()

    _spread_reads(ghec_server, f"{base}/consumed-licenses?per_page=100", auth(t["owner"]), "r", check, uploader)


def test_every_worker_serves_the_same_whole_state(ghec_server: Process) -> None:
    def check(answers: list[requests.Response]) -> None:
        assert {r.status_code for r in answers} == {200} and len({r.content for r in answers}) == 1
    _spread_reads(ghec_server, f"{ghec_server.url}/_mock/snapshot", {}, "snap", check)


def test_faults_and_a_scenario_switch_reach_every_workers_kept_values(ghec_server: Process) -> None:
    """Each worker keeps the token's access, the clock and "no fault is set" between writes
    (`Database.unchanged`); a write through any worker must reach all of them at once."""
    t = ghec_tokens(scenarios.build(SEED, PRESET))
    url = f"{ghec_server.url}/enterprises/{t['slug']}/consumed-licenses?per_page=5"
    _spread_reads(ghec_server, url, auth(t["owner"]), "keep", lambda answers: _all_status(answers, 200))
    added = requests.post(f"{ghec_server.url}/_mock/faults", timeout=30,
                          json={"path": f"/enterprises/{t['slug']}/consumed-licenses", "status": 503})
    assert added.status_code == 201, added.text
    _spread_reads(ghec_server, url, auth(t["owner"]), "fault", lambda answers: _all_status(answers, 503))
    assert requests.delete(f"{ghec_server.url}/_mock/faults", timeout=30).status_code == 204
    _spread_reads(ghec_server, url, auth(t["owner"]), "nofault", lambda answers: _all_status(answers, 200))
    switched = requests.put(f"{ghec_server.url}/_mock/scenario", json={"seed": SEED + 1, "preset": PRESET},
                            timeout=30)
    assert switched.status_code == 200, switched.text
    _spread_reads(ghec_server, url, auth(t["owner"]), "old", lambda answers: _all_status(answers, 401))
    fresh = ghec_tokens(scenarios.build(SEED + 1, PRESET))
    _spread_reads(ghec_server, f"{ghec_server.url}/enterprises/{fresh['slug']}/consumed-licenses?per_page=5",
                  auth(fresh["owner"]), "new", lambda answers: _all_status(answers, 200))


def test_ghes_admin_change_and_scenario_switch_are_seen_by_every_worker(ghes_server: Process) -> None:
    admin = auth(scenarios.tokens.token_for(1, "ghes:1:admin"))
    created = requests.post(f"{ghes_server.url}/api/v3/admin/users?probe=create", json={"login": "multi-worker",
                            "email": "multi.worker@corp.example"}, headers=admin, timeout=30)
    assert created.status_code == 201, created.text
    creator = served_by(ghes_server, "probe=create", 1)["probe=create"]
    _spread_reads(ghes_server, f"{ghes_server.url}/api/v3/users/multi-worker", admin, "u",
                  lambda answers: _all_status(answers, 200), creator)
    # A scenario switch through one worker changes the version every worker announces.
    switched = requests.put(f"{ghes_server.url}/_mock/scenario", json={"seed": 2}, timeout=30)
    assert switched.status_code == 200
    expected = switched.json()

    def check(answers: list[requests.Response]) -> None:
        _all_status(answers, 200)
        assert {r.headers["X-GitHub-Enterprise-Version"] for r in answers} == {expected["version"]}
        assert {r.json()["seats_used"] for r in answers} == {expected["seats_used"]}

    _spread_reads(ghes_server, f"{ghes_server.url}/api/v3/enterprise/settings/license",
                  auth(scenarios.tokens.token_for(2, "ghes:1:admin")), "v", check)


def _all_status(answers: list[requests.Response], status: int) -> None:
    """Every answer has `status`."""
    assert {r.status_code for r in answers} == {status}, [r.text[:200] for r in answers if r.status_code != status]


def test_ghes_ephemeral_default_is_refused_under_gunicorn(tmp_path: Path) -> None:
    server = Process(gunicorn_argv("mock_ghes:create_app()", 1), {"MOCK_GHES_STATE_PATH": ""}, tmp_path)
    try:
        assert server.proc.wait(timeout=60) != 0
    finally:
        server.stop()
    assert "MOCK_GHES_STATE_PATH" in server.err() and "every worker must share one state file" in server.err()


@pytest.mark.parametrize("create", [create_ghec, create_ghes], ids=["ghec", "ghes"])
def test_ephemeral_default_is_refused_in_a_gunicorn_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            create: Any) -> None:
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/27.0.1")  # what gunicorn's arbiter sets
    with pytest.raises(RuntimeError, match="STATE_PATH"):
        create({"SCENARIO": "small"})
    app = create({"SCENARIO": "small", "STATE_PATH": str(tmp_path / "shared.sqlite3")})
    app.extensions["mock"].db.close()


def _race(monkeypatch: pytest.MonkeyPatch, module: Any, check: str, seeder: tuple[Any, str], create: Any,
          tmp_path: Path, workers: int = 4) -> int:
    """Fork `workers` processes (as gunicorn does) that start apps on one new file at once.

    Each child's first, unlocked "is it seeded?" check waits at a barrier until every child
    has made it, so all of them see an empty file: the worst case, every time. Returns how many
    times the scenario was loaded; each child writes a digest of the state it then serves.
    WHY processes and not threads: gunicorn workers are processes, and CPython 3.11 cannot
    compile Werkzeug's URL rules in several threads at once (gh-106905).
    """
    ctx = multiprocessing.get_context("fork")
    barrier, loads = ctx.Barrier(workers, timeout=60), ctx.Value("i", 0)
    original_check, (owner, name) = getattr(module, check), seeder
    original_seed, first_call = getattr(owner, name), threading.local()

    def gated(*args: Any) -> Any:
        result = original_check(*args)
        if not getattr(first_call, "done", False):
            first_call.done = True
            barrier.wait()
        return result

    def counted(*args: Any, **kwargs: Any) -> Any:
        with loads.get_lock():
            loads.value += 1
        return original_seed(*args, **kwargs)

    monkeypatch.setattr(module, check, gated)
    monkeypatch.setattr(owner, name, counted)

    def child(n: int) -> None:
        app = create({"SCENARIO": "small", "STATE_PATH": str(tmp_path / "race.sqlite3")})
        digest = hashlib.sha256(app.test_client().get("/_mock/snapshot").data).hexdigest()
        (tmp_path / f"served-{n}").write_text(digest)

    children = [ctx.Process(target=child, args=(n,)) for n in range(workers)]
    for process in children:
        process.start()
    for process in children:
        process.join(timeout=120)
    assert [p.exitcode for p in children] == [0] * workers
    assert len({(tmp_path / f"served-{n}").read_text() for n in range(workers)}) == 1, "workers serve different states"
    return loads.value


def test_ghec_workers_starting_together_seed_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _race(monkeypatch, mock_ghec.reads, "scenario_spec", (GhecStore, "load"), create_ghec, tmp_path) == 1


def test_ghes_workers_starting_together_seed_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _race(monkeypatch, mock_ghes.store.Store, "is_seeded", (Runtime, "seed"), create_ghes, tmp_path) == 1


def test_a_forked_worker_opens_its_own_connection(tmp_path: Path) -> None:
    """gunicorn --preload forks after create_app: the child must not use the parent's SQLite connection."""
    db = Database(tmp_path / "fork.sqlite3")
    parent = db.connection()
    db.set_kv("who", "parent")
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        ok = db.connection() is not parent
        db.set_kv("who", "child")
        os._exit(0 if ok and db.get_kv("who") == "child" else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert db.connection() is parent and db.get_kv("who") == "child"
    db.close()
