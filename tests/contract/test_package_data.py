"""The published schemas, goldens and bad-input corpus are package data: a build carries them.

WHY a build and not a look at the source tree: `pip install` (not editable) copies only what
pyproject.toml's package-data names; a pattern that missed a folder would leave consumers of
assert_valid_export and the export_corpus fixture without their files, while every test run
from this checkout still passed.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "export_format" / "published"


def test_a_build_of_the_package_carries_every_published_file(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "export_format", source / "export_format",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "build"
    done = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q",
                           "build_py", "--build-lib", str(out)],
                          cwd=source, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    wanted = sorted(p.relative_to(ROOT).as_posix() for p in PUBLISHED.rglob("*") if p.is_file())
    built = sorted(p.relative_to(out).as_posix() for p in (out / "export_format" / "published").rglob("*")
                   if p.is_file())
    assert len(wanted) > 50 and built == wanted
