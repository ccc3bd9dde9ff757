"""Suite-wide hook only: record how long a FULL test run took, for `make bench`.

WHY here and not in bench: the bench must not run the suite (minutes, on a machine other
engineers share), yet it reports `make test`'s wall time against its target. So the suite
writes its own figure when it runs whole (no paths, -k, -m, --lf, --deselect or -x) and to
the end (passed, or failed tests; not interrupted): wall time from the interpreter's start
(collection and xdist workers included), outcome, counts and when, in bench/last-test-run.json.
Fixtures live in each folder's own conftest.py.
"""
from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from run_count import RunCount  # tests/ is on sys.path: pytest put it there to import this conftest

RECORD = Path(__file__).resolve().parent.parent / "bench" / "last-test-run.json"
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
_STARTED = pytest.StashKey[float]()


def _interpreter_started() -> float:
    """Epoch seconds when this Python process started (Linux /proc), else now."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + int(after_name[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()


def _is_full_suite(config: pytest.Config) -> bool:
    """The whole suite, as `make test` runs it, in the controlling process (not an xdist worker)."""
    option = config.option
    narrowed = (getattr(option, "keyword", "") or getattr(option, "markexpr", "") or getattr(option, "lf", False)
                or getattr(option, "deselect", None) or getattr(option, "collectonly", False)
                or getattr(option, "maxfail", 0))  # -x / --maxfail stop early: not the suite's time
    return (not hasattr(config, "workerinput") and not narrowed
            and config.args_source == pytest.Config.ArgsSource.TESTPATHS)


def pytest_configure(config: pytest.Config) -> None:
    """Note the start before collection (imports and collection are part of the wall time)."""
    config.stash[_STARTED] = _interpreter_started()
    config.pluginmanager.register(RunCount(config), "run-count")  # "collected N, ran N" (tests/run_count.py)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write bench/last-test-run.json for a full run; anything narrower leaves it alone."""
    config = session.config
    if int(exitstatus) not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not _is_full_suite(config):
        return  # an interrupted or broken run says nothing about the suite's time
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stats = getattr(reporter, "stats", {})
    counts = {name: len(stats.get(name, [])) for name in OUTCOMES}
    record = {
        "duration_s": round(time.time() - config.stash[_STARTED], 1),
        "exit_status": int(exitstatus),
        "outcome": "passed" if int(exitstatus) == 0 else "failed",
        "counts": counts,
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "workers": getattr(config.option, "numprocesses", None),
        "load_average": round(os.getloadavg()[0], 2),
    }
    try:
        RECORD.write_text(json.dumps(record, indent=2) + "\n")
    except OSError:
        pass  # a read-only checkout must not fail the run
