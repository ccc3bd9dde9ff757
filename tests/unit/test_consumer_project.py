"""A project outside the package uses assert_valid_export and the export_corpus fixture.

tests/consumer_project/ is copied to a temporary directory (so nothing of this repository is
on its path) and its own tests run in a child pytest against the installed package: the
plugin arrives by entry point, the corpus from the package's data.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "consumer_project"


def test_a_consumer_project_runs_its_tests_on_the_installed_package(tmp_path: Path) -> None:
    project = tmp_path / "consumer"
    shutil.copytree(HERE, project, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "4 passed" in output, output
