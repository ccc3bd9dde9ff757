"""Small measuring tools shared by the bench sections: repeats, best/median, processes, ports.

WHY best AND median: the machine is shared with other engineers' test runs, so one sample
says little. The best of several runs is the closest to what the code costs on an idle
machine (noise only ever adds time); the median says what a caller usually sees. Targets are
judged on the best, and both are printed.
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Stats:
    """Samples of one measurement (seconds unless said otherwise)."""

    samples: tuple[float, ...]

    @property
    def best(self) -> float:
        """The lowest sample: the cost with the least interference."""
        return min(self.samples)

    @property
    def median(self) -> float:
        """The middle sample: what a caller usually sees on this machine."""
        return statistics.median(self.samples)

    def describe(self, unit: str = "s", scale: float = 1.0, digits: int = 3) -> str:
        """`best X, median Y of N` for the table's note column."""
        return (f"best {self.best * scale:.{digits}f} {unit}, median {self.median * scale:.{digits}f} {unit}"
                f" of {len(self.samples)}")


def measure(fn: Callable[[], Any], runs: int, before: Callable[[], Any] | None = None) -> Stats:
    """Time `fn` `runs` times (wall clock); `before` runs untimed ahead of each run."""
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return Stats(tuple(samples))


def load_average() -> str:
    """The 1-minute load average, to print next to figures taken on a shared machine."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers at all (any status), or fail with the server's own output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def start(args: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> subprocess.Popen:
    """Start a server process in its own session (so it and its workers can be stopped together)."""
    with open(log or os.devnull, "wb") as out:  # the child has its own descriptor of it
        return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    """Stop a process started by `start` and everything in its session (gunicorn workers)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 15)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def run_json(module: str, *args: str, timeout: float = 600) -> dict[str, Any]:
    """Run `python -m module args` in a fresh interpreter; its last stdout line is JSON."""
    done = subprocess.run([PYTHON, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
