"""Figure: `make test` wall time, as the last FULL test run recorded it (tests/conftest.py).

WHY not run the suite here: it takes minutes and shares two cores with whatever else runs;
the suite writes bench/last-test-run.json itself whenever it runs whole, and this reports
that figure with its date, so an old figure is visibly old.
"""
from __future__ import annotations

import json
from pathlib import Path

from .report import Figure

RECORD = Path(__file__).resolve().parent / "last-test-run.json"
TARGET_S = 180.0


def run() -> list[Figure]:
    """The recorded figure, or a failing row saying none was recorded."""
    name, target = "`make test` wall time (installs done)", f"≤ {TARGET_S / 60:g} min"
    if not RECORD.exists():
        return [Figure(name, target, float("nan"), "s", False,
                       "never recorded: run `make test` (the full suite writes bench/last-test-run.json)")]
    data = json.loads(RECORD.read_text())
    counts = ", ".join(f"{v} {k}" for k, v in data.get("counts", {}).items() if v)
    outcome = "suite passed" if data["exit_status"] == 0 else f"suite FAILED (exit {data['exit_status']})"
    # The target is time: a run with failures still ran every test, and its outcome is printed.
    return [Figure(name, target, data["duration_s"], "s", data["duration_s"] <= TARGET_S,
                   f"{outcome}: {counts}; measured by the suite itself (tests/conftest.py) at "
                   f"{data['finished_at']}, from interpreter start, xdist workers {data.get('workers')}, "
                   f"load average {data.get('load_average')}")]
