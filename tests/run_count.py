"""A run fails unless every collected test ran: "collected N, ran N" at the end of every run.

WHY: a suite can pass while tests it collected never run (cases sharing one node ID, which
`--dist loadgroup` schedules once; a skip nobody reads). So the run counts both and fails when
they differ. A skipped test did not run. The only accepted way to leave a collected test out is
to deselect it by name or expression (`--deselect NODEID`, `-k`, `-m`, or `deselect()` below
from a conftest, with a reason): each one is printed by its ID, and the check becomes `ran == collected - deselected`.

Under xdist each worker collects (and deselects) the whole suite and sends its figures back in
`workeroutput`; the controller sees every test's reports, so it counts what ran.
"""
from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import pytest

#: The `workeroutput` key of a worker's collection figures.
KEY = "run_count"
#: Why a test was left out by `deselect`, printed beside its ID.
_REASON = pytest.StashKey[str]()


def deselect(config: pytest.Config, items: list[pytest.Item], leave_out: Sequence[pytest.Item], reason: str) -> None:
    """Leave `leave_out` out of this run by name, with `reason` (for a `pytest_collection_modifyitems`).

    WHY not a skip: a skip is a test that did not run, which fails the run; a deselection is
    declared before the run starts, and each one is printed with its ID and reason at the end.
    """
    if not leave_out:
        return
    for item in leave_out:
        item.stash[_REASON] = reason
    chosen = set(leave_out)
    items[:] = [item for item in items if item not in chosen]
    config.hook.pytest_deselected(items=list(leave_out))


class RunCount:
    """Counts collected, deselected and run tests; registered once per process by tests/conftest.py."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collected: int | None = None
        self.deselected: list[str] = []
        self.expected: list[str] = []  # node IDs collected and not deselected
        self.outcomes: dict[str, str] = {}  # node ID -> "ran" or "skipped"
        self.failure: str | None = None

    @property
    def in_worker(self) -> bool:
        """Whether this is an xdist worker (it reports to the controller and checks nothing)."""
        return hasattr(self.config, "workerinput")

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected.extend(f"{item.nodeid} ({item.stash[_REASON]})" if _REASON in item.stash else item.nodeid
                               for item in items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.expected = [item.nodeid for item in session.items]
        self.collected = len(self.expected) + len(self.deselected)
        if self.in_worker:
            workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]  # xdist sets it on workers only
            workeroutput[KEY] = {"collected": self.collected, "deselected": self.deselected, "expected": self.expected}

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """A worker's figures (every worker collects the same suite: the first one is enough)."""
        figures = getattr(node, "workeroutput", {}).get(KEY)
        if figures is not None and self.collected is None:
            self.collected = figures["collected"]
            self.deselected = list(figures["deselected"])
            self.expected = list(figures["expected"])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Ran = its body ran (passed, failed, xfailed) or its setup failed; skipped = did not run."""
        if report.when == "call":
            skipped = report.skipped and not hasattr(report, "wasxfail")
            self.outcomes[report.nodeid] = "skipped" if skipped else "ran"
        elif report.when == "setup" and not report.passed:
            self.outcomes[report.nodeid] = "ran" if report.failed else "skipped"

    @property
    def ran(self) -> int:
        return sum(1 for outcome in self.outcomes.values() if outcome == "ran")

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Generator[None, None, None]:
        """Fail a finished run (passed or with failures) in which a collected, not deselected test
        did not run; print the counts as the run's last lines (outside the terminal's own summary)."""
        active = not (self.in_worker or self.collected is None or self.config.option.collectonly)
        if active and int(exitstatus) in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            self._check(session)
        yield
        if active:
            self._report()

    def _check(self, session: pytest.Session) -> None:
        assert self.collected is not None
        expected = self.collected - len(self.deselected)
        if self.ran != expected:
            not_ran = sorted(set(self.expected) - {n for n, o in self.outcomes.items() if o == "ran"})
            shared = len(self.expected) - len(set(self.expected))
            self.failure = (f"ran {self.ran} of the {expected} collected tests that were not deselected"
                            + (f"; {shared} share a node ID with another" if shared else "")
                            + (f"; not run: {', '.join(not_ran[:20])}" if not_ran else "")
                            + (" ..." if len(not_ran) > 20 else ""))
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _report(self) -> None:
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            return
        for nodeid in self.deselected:
            terminal.write_line(f"deselected: {nodeid}")
        line = f"collected {self.collected}, ran {self.ran}"
        if self.deselected:
            line += f" (deselected {len(self.deselected)}, named above)"
        terminal.write_line(line, bold=True, red=self.failure is not None, green=self.failure is None)
        if self.failure:
            terminal.write_line(f"FAILED: {self.failure}", red=True)
