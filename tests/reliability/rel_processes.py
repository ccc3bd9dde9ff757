"""Real server processes for the reliability tests: `mock-ghec serve` and gunicorn, on loopback.

WHY real processes: `kill -9`, several workers sharing one state file and first-start races
only exist between processes; an in-process server cannot show them. Readiness is polled
(a log line, then an HTTP answer), never slept for; every process is stopped by its own pid.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # generous: only reached when something is broken


def poll(check: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """Call `check` until it returns something truthy; fail naming `what` after `deadline` seconds."""
    end = time.monotonic() + deadline
    delay = 0.005
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(delay)  # back-off between polls, not a wait for work to finish
        delay = min(delay * 2, 0.1)


def answers(url: str) -> bool:
    """Whether an HTTP server answers `url` at all (a busy machine may take a while to boot workers)."""
    try:
        requests.get(url, timeout=30)
        return True
    except (requests.ConnectionError, requests.Timeout):
        return False


class Process:
    """A child process with stdout/stderr in files (read while it runs), stopped by pid only."""

    def __init__(self, argv: list[str], env: dict[str, str], logs: Path) -> None:
        """Start it; `logs` is a folder for its stdout/stderr."""
        logs.mkdir(parents=True, exist_ok=True)
        stamp = f"{time.monotonic_ns()}"
        self.out_path, self.err_path = logs / f"{stamp}.out", logs / f"{stamp}.err"
        self._out, self._err = self.out_path.open("wb"), self.err_path.open("wb")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, stdout=self._out,
                                     stderr=self._err, start_new_session=True)
        self.url = ""

    def out(self) -> str:
        """Everything it printed to stdout so far."""
        return self.out_path.read_text(errors="replace")

    def err(self) -> str:
        """Everything it printed to stderr so far."""
        return self.err_path.read_text(errors="replace")

    def _search(self, pattern: str, stream: Callable[[], str]) -> re.Match | None:
        """The pattern in a stream; a process that died first fails the test with its output."""
        match = re.search(pattern, stream())
        if match is None and self.proc.poll() is not None:
            raise RuntimeError(f"process exited ({self.proc.returncode}) before {pattern!r}:\n"
                               f"{self.out()}\n{self.err()}")
        return match

    def wait_for(self, pattern: str, stream: str = "out") -> re.Match:
        """Poll a stream until `pattern` appears."""
        reader = self.out if stream == "out" else self.err
        return poll(lambda: self._search(pattern, reader), f"{pattern!r} from {self.proc.args}")

    def kill9(self) -> None:
        """SIGKILL the process (and its workers), as a crash would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then wait; SIGKILL if it does not go."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._out.close()
        self._err.close()


def start_ghec_serve(state: Path, logs: Path, *args: str, env: dict[str, str] | None = None) -> Process:
    """`mock-ghec serve --port 0 --state STATE …`, ready when it prints its URL and answers."""
    proc = Process([sys.executable, "-m", "mock_ghec.cli", "serve", "--port", "0", "--state", str(state), *args],
                   env or {}, logs)
    return _ready(proc, r"on (http://127\.0\.0\.1:\d+)", "out")


def _ready(proc: Process, pattern: str, stream: str) -> Process:
    """Wait for the URL line, then for an HTTP answer; a start-up that fails leaves no process behind."""
    try:
        proc.url = proc.wait_for(pattern, stream).group(1)
        poll(lambda: answers(proc.url + "/_mock/clock"), f"{proc.url} to answer")
    except BaseException:
        proc.stop()
        raise
    return proc


def _gunicorn_flags() -> list[str]:
    """`--no-control-socket` where gunicorn has it (27+), so parallel runs share no socket in $HOME."""
    from gunicorn.config import Config
    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


def gunicorn_argv(app: str, workers: int, *extra: str) -> list[str]:
    """The documented gunicorn command on a free loopback port."""
    return [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", "127.0.0.1:0", *_gunicorn_flags(),
            *extra, app]


def start_gunicorn(app: str, env: dict[str, str], logs: Path, workers: int = 2, *extra: str) -> Process:
    """gunicorn serving `app`, with an access log naming the worker pid of every request."""
    argv = gunicorn_argv(app, workers, "--access-logfile", "-",
                         "--access-logformat", "%(p)s %(m)s %(U)s %(q)s %(s)s", *extra)
    return _ready(Process(argv, env, logs), r"Listening at: (http://127\.0\.0\.1:\d+)", "err")


def access_log(proc: Process) -> list[tuple[str, str, str, str, int]]:
    """(worker pid, method, path, query, status) of every request gunicorn logged so far."""
    rows = []
    for line in proc.out().splitlines():
        match = re.match(r"<(\d+)> (\S+) (\S+) (\S*) (\d+)$", line.strip())
        if match:
            rows.append((match[1], match[2], match[3], match[4], int(match[5])))
    return rows


def served_by(proc: Process, marker: str, count: int) -> dict[str, str]:
    """query -> worker pid for the `count` logged requests whose query contains `marker` (polled:
    gunicorn writes the access line just after sending the response)."""
    def found() -> dict[str, str] | None:
        seen = {query: pid for pid, _, _, query, _ in access_log(proc) if marker in query}
        return seen if len(seen) >= count else None
    return poll(found, f"{count} access-log lines with {marker}")
