"""Figure: the first `create_app()` of each mock, default scenario, in a FRESH interpreter.

WHY fresh: what matters is what a test session or `mock-ghec serve` pays the first time,
including everything the call does lazily (Faker's import, the name pools, the scenario
build, SQLite setup), and a warm process would hide exactly that. The interpreter's own
start is excluded, and so is importing the app's modules (`import mock_X.app`: Flask,
marshmallow, requests...), which is timed and printed separately: mock_ghes defers that
import to its first `create_app()` call while mock_ghec does it at `import mock_ghec`, so
timing the call after the import puts both on the same footing.
Run as `python -m bench.fig_startup ghes|ghec`: prints one JSON line.
"""
from __future__ import annotations

import json
import sys
import time

from .report import Figure
from .timing import Stats, run_json

RUNS = 3
TARGET_S = 0.3
APPS = {"ghes": "mock_ghes", "ghec": "mock_ghec"}


def measure(which: str) -> dict[str, float]:
    """import of the app module, first create_app() and a second one, in this process."""
    import importlib

    started = time.perf_counter()
    module = importlib.import_module(APPS[which])
    importlib.import_module(APPS[which] + ".app")
    imported = time.perf_counter() - started
    started = time.perf_counter()
    module.create_app()
    first = time.perf_counter() - started
    started = time.perf_counter()
    module.create_app()
    second = time.perf_counter() - started
    return {"import": imported, "first": first, "second": second}


def run() -> list[Figure]:
    """RUNS fresh processes per app."""
    figures = []
    for which, package in APPS.items():
        runs = [run_json("bench.fig_startup", which) for _ in range(RUNS)]
        first = Stats(tuple(r["first"] for r in runs))
        imported = Stats(tuple(r["import"] for r in runs))
        second = Stats(tuple(r["second"] for r in runs))
        figures.append(Figure(f"{package}.create_app(), default scenario, first call", f"≤ {TARGET_S * 1000:.0f} ms",
                              first.best * 1000, "ms", first.best <= TARGET_S,
                              f"fresh process each: {first.describe('ms', 1000, 0)}; `import {package}.app` before it "
                              f"{imported.describe('ms', 1000, 0)}; a second call {second.best * 1000:.0f} ms"))
    return figures


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
