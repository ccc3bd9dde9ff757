"""The pytest plugin's own mechanics, in a child pytest run whose fixtures serve the tiny app.

A child run is the only honest way to test session-scoped servers, command-line options,
the marker's restore-afterwards and pytest-xdist workers; serving the tiny app there keeps
these tests independent of the mocks (their fixtures are tested in test_plugin_fixtures.py).
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HARNESS = Path(__file__).parent
# Other plugins of this environment take seconds to load in every child (and xdist worker).
UNRELATED_PLUGINS_OFF = [f"-pno:{name}" for name in
                         ("cacheprovider", "randomly", "schemathesis", "faker", "anyio", "hypothesispytest")]

CONFTEST = f"""
import sys
sys.path.insert(0, {str(HARNESS)!r})
from tiny_app import create_tiny_app
from license_mocks_pytest import servers

def _tiny(config):
    '''The tiny app in place of a mock: the plugin passes SEED/SCENARIO/SCENARIO_PARAMS.'''
    return create_tiny_app({{"SEED": config["SEED"]}})

servers.FACTORIES.update(ghes=lambda: _tiny, ghec=lambda: _tiny)
"""

TESTS = """
import os
import pytest

SEED = int(os.environ["EXPECTED_SEED"])

def test_default_scenario_and_fresh_state(ghes):
    '''Leave state, a fault and a moved clock behind for the next test to not see.'''
    assert ghes.scenario_info()["seed"] == ghes.spec.seed == SEED
    assert ghes.session.post("/api/widgets", json={"name": "left behind"}).status_code == 201
    ghes.add_fault(path="/api/*", status=500)
    ghes.advance(days=3)

def test_previous_test_left_nothing(ghes):
    '''The fixture reset everything the previous test changed.'''
    assert len(ghes.session.get("/api/widgets?per_page=5").json()) == 3
    assert ghes.faults() == [] and ghes.clock()["offset_seconds"] == 0
    assert [e["path"] for e in ghes.journal()] == ["/api/widgets"]

@pytest.mark.mock_scenario(seed=5, people=6, edge_cases=False)
def test_marked(ghes, ghec):
    '''The marker's scenario is loaded on both apps and the tokens follow it.'''
    assert ghes.session.get("/api/widgets?per_page=5").json()[-1] == {"id": 5, "name": "widget-5-5"}
    assert ghes.scenario.seed == 5 and ghes.admin_token == ghes.scenario.tokens["ghes:1:admin"]
    assert ghes.session.headers["Authorization"] == "token " + ghes.admin_token
    assert ghec.scenario_info()["seed"] == 5

def test_marker_was_undone_at_teardown(license_mocks_ghes_server, license_mocks_ghec_server):
    '''Without a handle (no reset), the servers already run the default scenario again.'''
    for running in (license_mocks_ghes_server, license_mocks_ghec_server):
        assert running.app.test_client().get("/_mock/scenario").get_json()["seed"] == SEED

def test_handles_share_one_server_and_state(ghes):
    '''Test client and HTTP session reach the same app on loopback.'''
    assert ghes.client.get("/api/widgets").get_json() == ghes.session.get("/api/widgets").json()
    assert ghes.base_url.startswith("http://127.0.0.1:") and ghes.app is ghes.client.application

def test_worker_servers(ghes, ghec, worker_id):
    '''Record which servers this worker got, for the parent to compare.'''
    with open(os.environ["SERVER_LOG"], "a") as log:
        log.write(f"{worker_id} {ghes.base_url} {ghec.base_url}\\n")
"""


def _child_run(tmp_path: Path, *args: str, seed: int = 1) -> subprocess.CompletedProcess[str]:
    """Run pytest on the child suite in `tmp_path` (its own rootdir), returning what it printed."""
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_child.py").write_text(TESTS)
    env = {"EXPECTED_SEED": str(seed), "SERVER_LOG": str(tmp_path / "servers.log"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *UNRELATED_PLUGINS_OFF, *args, str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_fixtures_reset_marker_and_options(tmp_path: Path) -> None:
    """Session servers, per-test reset, the marker and its undoing, --mock-seed, strict markers: one child run."""
    result = _child_run(tmp_path, "--mock-seed", "3", "--strict-markers", seed=3)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout
    [(worker, ghes_url, ghec_url)] = [line.split() for line in (tmp_path / "servers.log").read_text().splitlines()]
    assert worker == "master" and ghes_url != ghec_url  # one GHES and one GHEC, each on its own port


def test_each_xdist_worker_gets_its_own_pair(tmp_path: Path) -> None:
    """With -n 2 every worker starts its own servers (`--dist each` runs every test on both)."""
    result = _child_run(tmp_path, "-n", "2", "--dist", "each")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line.split() for line in (tmp_path / "servers.log").read_text().splitlines()]
    assert sorted(worker for worker, _, _ in rows) == ["gw0", "gw1"]
    assert len({url for _, ghes_url, ghec_url in rows for url in (ghes_url, ghec_url)}) == 4


def test_options_are_documented_in_help(tmp_path: Path) -> None:
    """`pytest --help` shows both options, so users find them."""
    helped = _child_run(tmp_path, "--help")
    assert "--mock-seed" in helped.stdout and "--mock-scenario" in helped.stdout


def test_importing_the_plugin_is_cheap() -> None:
    """The entry point loads in every pytest run here: it must not import Flask, requests or the apps."""
    code = ("import sys, license_mocks_pytest.plugin, license_mocks_pytest; "
            "print(sorted(m for m in ('flask', 'requests', 'scenarios', 'mock_ghes', 'mock_ghec', 'github_http') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"
