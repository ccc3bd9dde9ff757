"""The "collected N, ran N" check (tests/run_count.py) fails a run that left a collected test out.

Each case runs pytest in a subprocess on a small suite in tmp_path whose conftest registers the
check exactly as tests/conftest.py does.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
CONFTEST = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from run_count import RunCount

def pytest_configure(config):
    config.pluginmanager.register(RunCount(config), "run-count")
"""
SUITE = """
import pytest

def test_one():
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_two(n):
    pass
"""
#: Two items with one node ID, as schemathesis's parametrize made under pytest 9.
TWINS = """
import pytest

class Twin(pytest.Item):
    def runtest(self):
        pass

class Twins(pytest.File):
    def collect(self):
        return [Twin.from_parent(self, name="twin"), Twin.from_parent(self, name="twin")]

def pytest_collect_file(file_path, parent):
    if file_path.name == "twins.txt":
        return Twins.from_parent(parent, path=file_path)
"""


def _run(tmp_path: Path, suite: str, *args: str, conftest_extra: str = "") -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST + conftest_extra)
    (tmp_path / "test_suite.py").write_text(suite)
    # Without the installed plugins (the mocks' own, schemathesis, playwright...): seconds, not tens of them.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "xdist", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_whole_run_prints_both_counts_and_passes(tmp_path: Path) -> None:
    result = _run(tmp_path, SUITE)
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == "collected 3, ran 3"


def test_the_counts_come_back_from_xdist_workers(tmp_path: Path) -> None:
    result = _run(tmp_path, SUITE, "-n", "2", "--dist", "loadgroup")
    assert result.returncode == 0, result.stdout
    assert "collected 3, ran 3" in result.stdout


def test_a_skipped_test_did_not_run_and_fails_the_run(tmp_path: Path) -> None:
    result = _run(tmp_path, SUITE + "\ndef test_skipped():\n    pytest.skip('not here')\n")
    assert result.returncode == 1
    assert "collected 4, ran 3" in result.stdout
    assert "not run: test_suite.py::test_skipped" in result.stdout


def test_a_named_deselection_is_printed_and_allowed(tmp_path: Path) -> None:
    result = _run(tmp_path, SUITE, "--deselect", "test_suite.py::test_two[2]")
    assert result.returncode == 0, result.stdout
    assert "deselected: test_suite.py::test_two[2]" in result.stdout
    assert "collected 3, ran 2 (deselected 1, named above)" in result.stdout


@pytest.mark.parametrize("workers", [(), ("-n", "2", "--dist", "loadgroup")], ids=["one-process", "xdist"])
def test_tests_sharing_a_node_id_fail_the_run(tmp_path: Path, workers: tuple[str, ...]) -> None:
    (tmp_path / "twins.txt").write_text("")
    result = _run(tmp_path, SUITE, *workers, conftest_extra=TWINS)
    assert result.returncode == 1, result.stdout
    assert "collected 5, ran 4" in result.stdout
    assert "1 share a node ID with another" in result.stdout
