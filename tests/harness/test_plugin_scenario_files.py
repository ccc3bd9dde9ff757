"""The plugin's --mock-scenario-file option, in a child pytest run on the real mocks; a bad file stops the run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALICE = ROOT / "fixtures" / "scenarios" / "alice.yaml"
UNRELATED_PLUGINS_OFF = [f"-pno:{name}" for name in
                         ("cacheprovider", "randomly", "schemathesis", "faker", "anyio", "hypothesispytest")]
CHILD = """
def test_the_session_serves_the_file(ghes, ghec):
    assert ghec.enterprise == "corp" and ghes.instance.host_name == "ghes.corp.example"
    assert ghec.scenario_info()["scenario_file"] and ghes.scenario_info()["scenario_file"]
    assert ghes.session.get("/api/v3/enterprise/settings/license").status_code == 200


def test_and_again_after_the_reset(ghec):
    consumed = ghec.session.get(f"/enterprises/{ghec.enterprise}/consumed-licenses").json()
    assert "alice-gh" in [row["github_com_login"] for row in consumed["users"]]
"""


def _child(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest on a one-file child suite in `tmp_path`, with the given options."""
    (tmp_path / "test_child.py").write_text(CHILD)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *UNRELATED_PLUGINS_OFF, *args, str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_mock_scenario_file_serves_that_world_to_the_session(tmp_path: Path) -> None:
    result = _child(tmp_path, "--mock-scenario-file", str(ALICE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_a_bad_scenario_file_is_a_usage_error_listing_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('version: "1.0.0"\ncolour: blue\npeople: [{id: 1}]\n')
    result = _child(tmp_path, "--mock-scenario-file", str(bad))
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage-error exit code
    assert "$.colour: unknown key" in result.stderr and "$.people[0].name: required" in result.stderr
