"""Figures: what the pytest plugin costs a user per test, beside pytest-httpserver in the same run.

A small project outside the repository is written to a temporary folder and run with pytest in
a fresh process, as a user's suite would run. Each test's whole protocol (setup, call,
teardown) is timed by a hook in that project's conftest:
- per-test cost: the median protocol time of N tests that each make one GHES and one GHEC API
  call through the fixtures' sessions, minus the median of N tests that ask for no fixture
  (pytest's own cost); the first test of each kind is left out (it starts the servers). The
  peer, pytest-httpserver, is measured the same way in the same process: two expectations and
  two requests per test;
- `license_sync_pair` per test, the same way;
- `reset()` of one app on the `demo` scenario: the median of 30 resets timed inside one test;
- session start: from pytest's session start to the first test's body, with both servers
  answering, minus the same for a test that asks for no fixture (fresh processes, median of 3).
WHY medians of in-process timings: on a shared two-core machine, whole-process differences of a
few milliseconds per test drown in noise (a first attempt measured the peer at -1 ms).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from .report import Figure
from .timing import PYTHON, ROOT

N = 200
ROUNDS = 3
CONFTEST = '''
import json, os, time
import pytest

os.environ["PERTEST_T_IMPORT"] = repr(time.perf_counter())  # before pytest_configure (a file's check)
TIMES = []


def pytest_sessionstart(session):
    os.environ["PERTEST_T0"] = repr(time.perf_counter())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    yield
    TIMES.append((item.originalname, time.perf_counter() - started))


def pytest_sessionfinish(session):
    if os.environ.get("PERTEST_TIMES"):
        with open(os.environ["PERTEST_TIMES"], "w") as handle:
            json.dump(TIMES, handle)
'''
TESTS = '''
import json, os, time
import pytest
import requests

N = int(os.environ.get("PERTEST_N", "1"))
PEER = requests.Session()


def _first_body():
    out = os.environ.get("PERTEST_OUT")
    if out and not os.path.exists(out):
        with open(out, "w") as handle:
            now = time.perf_counter()
            json.dump({"to_first_test": now - float(os.environ["PERTEST_T0"]),
                       "from_conftest": now - float(os.environ["PERTEST_T_IMPORT"])}, handle)


@pytest.mark.parametrize("i", range(N))
def test_ours(ghes, ghec, i):
    _first_body()
    assert ghes.session.get("/api/v3/user").status_code == 200
    assert ghec.session.get("/user").status_code == 200


@pytest.mark.parametrize("i", range(N))
def test_pair(license_sync_pair, i):
    assert license_sync_pair.ghes.session.get("/api/v3/user").status_code == 200
    assert license_sync_pair.ghec.session.get("/user").status_code == 200


@pytest.mark.parametrize("i", range(N))
def test_peer(httpserver, i):
    httpserver.expect_request("/api/v3/user").respond_with_json({"login": "admin"})
    httpserver.expect_request("/user").respond_with_json({"login": "owner"})
    assert PEER.get(httpserver.url_for("/api/v3/user")).status_code == 200
    assert PEER.get(httpserver.url_for("/user")).status_code == 200


def test_nothing():
    _first_body()


@pytest.mark.parametrize("i", range(N))
def test_empty(i):
    pass


def test_resets(ghes, ghec):
    timings = {}
    for name, app in (("ghes", ghes), ("ghec", ghec)):
        runs = []
        for _ in range(30):
            started = time.perf_counter()
            app.reset()
            runs.append(time.perf_counter() - started)
        timings[name] = sorted(runs)[len(runs) // 2]
    with open(os.environ["PERTEST_OUT"], "w") as handle:
        json.dump(timings, handle)
'''


def _pytest(project: Path, tests: list[str], n: int, *extra: str, out: Path | None = None,
            extra_env: dict[str, str] | None = None) -> float:
    """Wall seconds of one pytest process running `tests` (each parametrised n times)."""
    env = {**os.environ, "PERTEST_N": str(n), "PYTHONPATH": str(ROOT), **(extra_env or {})}
    if out is not None:
        env["PERTEST_OUT"] = str(out)
        out.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           *tests, *extra], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"pytest {' '.join(tests)} failed: {done.stdout[-800:]}{done.stderr[-800:]}")
    return elapsed


def _per_test(project: Path, tests: tuple[str, ...]) -> dict[str, float]:
    """Per test function, its median protocol time (the first test of each left out) minus test_empty's."""
    times = project / "times.json"
    env_times = {"PERTEST_TIMES": str(times)}
    selected = [f"test_cost.py::{t}" for t in ("test_empty", *tests)]
    _pytest(project, selected, N, extra_env=env_times)
    by_name: dict[str, list[float]] = {}
    for name, seconds in json.loads(times.read_text()):
        by_name.setdefault(name, []).append(seconds)
    base = statistics.median(by_name["test_empty"][1:])
    return {t: statistics.median(by_name[t][1:]) - base for t in tests}


def _read(path: Path) -> dict[str, float]:
    """What a test wrote."""
    return json.loads(path.read_text())


def run() -> list[Figure]:
    """Write the project, measure, and judge each figure against the issue's targets."""
    project = Path(tempfile.mkdtemp(prefix="license-mocks-pertest-"))
    (project / "conftest.py").write_text(CONFTEST)
    (project / "test_cost.py").write_text(TESTS)
    out = project / "out.json"
    cost = _per_test(project, ("test_ours", "test_peer", "test_pair"))
    ours, peer, pair = cost["test_ours"], cost["test_peer"], cost["test_pair"]
    _pytest(project, ["test_cost.py::test_resets"], 1, "--mock-scenario", "demo", out=out)
    resets = _read(out)
    starts, bare = [], []
    for _ in range(ROUNDS):
        _pytest(project, ["test_cost.py::test_ours"], 1, out=out)
        starts.append(_read(out)["to_first_test"])
        _pytest(project, ["test_cost.py::test_nothing"], 1, out=out)
        bare.append(_read(out)["to_first_test"])
    start = statistics.median(starts) - statistics.median(bare)
    ms = 1000.0
    return [
        Figure("plugin per-test cost, `ghes`+`ghec` (one call each)", "≤ 3 ms and ≤ 5× pytest-httpserver",
               ours * ms, "ms", ours * ms <= 3 and ours <= 5 * peer,
               f"median of {N - 1} tests' setup+call+teardown minus an empty test's; pytest-httpserver "
               f"{peer * ms:.2f} ms per test the same way (ratio {ours / peer:.1f}×)"),
        Figure("plugin per-test cost, `license_sync_pair`", "≤ 5 ms", pair * ms, "ms", pair * ms <= 5,
               "one GHES and one GHEC call per test, measured as above"),
        Figure("`reset()` of one app, demo scenario", "≤ 1 ms median", max(resets.values()) * ms, "ms",
               max(resets.values()) * ms <= 1,
               f"median of 30: GHES {resets['ghes'] * ms:.2f} ms, GHEC {resets['ghec'] * ms:.2f} ms"),
        Figure("plugin session start (both servers answering)", "≤ 1 s", start, "s", start <= 1,
               f"pytest session start to the first test body, minus the same for a test with no fixture "
               f"(median of {ROUNDS})"),
    ]
