"""The plugin checks its options and markers before any test runs: one usage error naming the fix."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OFF = ["-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist"]


def _run(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest on a one-file suite in `tmp_path` (its own rootdir)."""
    (tmp_path / "test_child.py").write_text(source)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *OFF, *args, str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


SUITE = '''
def test_one(ghes):
    assert ghes.base_url

def test_two(ghec):
    assert ghec.base_url
'''


def test_an_unknown_mock_scenario_is_one_usage_error_at_start(tmp_path: Path) -> None:
    """`--mock-scenario nope`: exit 4 (pytest's usage error), the presets named, no test run, no traceback."""
    result = _run(tmp_path, SUITE, "--mock-scenario", "nope")
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert "--mock-scenario 'nope' is not a scenario preset; choose one of small, demo, edge-cases, large" in output
    assert "Traceback" not in output and "passed" not in output


def test_a_marker_that_cannot_be_built_is_explained_at_start(tmp_path: Path) -> None:
    """preset="small" with people=5: one usage error naming the test, the reason and the fix."""
    suite = '''
import pytest

def test_fine(ghes):
    assert ghes.base_url

@pytest.mark.mock_scenario(preset="small", people=5)
def test_too_few(ghes):
    assert ghes.base_url
'''
    result = _run(tmp_path, suite)
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert "test_child.py::test_too_few: @pytest.mark.mock_scenario(" in output
    assert "edge cases need" in output and "plants edge cases" in output and "edge_cases=False" in output
    assert "passed" not in output and "Traceback" not in output


def test_a_marker_with_an_unknown_parameter_is_explained_at_start(tmp_path: Path) -> None:
    """A misspelt override is caught before the servers start."""
    suite = '''
import pytest

@pytest.mark.mock_scenario(peple=30)
def test_typo(ghes):
    assert ghes.base_url
'''
    result = _run(tmp_path, suite)
    output = result.stdout + result.stderr
    assert result.returncode == 4 and "unknown override(s) 'peple'" in output, output
