"""Fixtures for end-to-end tests: both mocks over real HTTP (LiveServer), and a CLI runner."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from license_mocks_launch.servers import MockPair, start_pair
from sync_client.cli import main

SEED, PRESET = 7, "small"


@pytest.fixture(autouse=True)
def _quiet_werkzeug() -> None:
    """Request logs of the in-process servers are noise in test output."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


@pytest.fixture
def make_pair() -> Iterator[Callable[..., MockPair]]:
    """Start pairs (GHEC + GHES 1 + GHES 2 with Connect) on free ports; all stopped afterwards."""
    started: list[MockPair] = []

    def make(**kwargs: Any) -> MockPair:
        """A fresh pair of the small scenario (kwargs go to start_pair, e.g. prepare_ghec)."""
        pair = start_pair(kwargs.pop("seed", SEED), kwargs.pop("scenario", PRESET), **kwargs)
        started.append(pair)
        return pair

    yield make
    for pair in started:
        pair.stop()


@pytest.fixture
def pair(make_pair: Callable[..., MockPair]) -> MockPair:
    """A fresh, undoctored pair: each test its own state."""
    return make_pair()


@dataclass
class Run:
    """What one CLI invocation gave back."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        """stdout parsed as JSON (for --json runs)."""
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run `license-sync` in-process with a clean environment; returns exit code and output."""
    for name in ("GHES_URL", "GHES_TOKEN", "GHEC_URL", "GHEC_TOKEN", "GHEC_ENTERPRISE", "MOCK_CONTROL_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at the terminal width; keep lines whole

    def run(*argv: str) -> Run:
        """Invoke main(argv) and capture what it printed."""
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def _ghes_flags(pair: MockPair, index: int = 1) -> list[str]:
    """--ghes-url/--ghes-token for instance `index`."""
    return ["--ghes-url", pair.ghes_url(index), "--ghes-token", pair.ghes_token(index)]


def _ghec_flags(pair: MockPair) -> list[str]:
    """--ghec-url/--ghec-token/--ghec-enterprise for the pair's GHEC."""
    return ["--ghec-url", pair.ghec.url, "--ghec-token", pair.ghec_token, "--ghec-enterprise", pair.enterprise]


@pytest.fixture
def ghes_flags() -> Callable[..., list[str]]:
    """Builds the GHES flags of a pair's instance."""
    return _ghes_flags


@pytest.fixture
def ghec_flags() -> Callable[[MockPair], list[str]]:
    """Builds the GHEC flags of a pair."""
    return _ghec_flags


def _read_until(process: Any, marker: str, timeout: float = 90.0) -> str:
    """What a child process printed up to and including the first line holding `marker`.

    WHY a selector and os.read rather than readline: a child that never prints the marker (a
    regression) must fail the test at the deadline, not block it forever on a read. WHY
    `selectors` and not `select.select`: a long test process may hold descriptors past 1023,
    which select(2) cannot watch (epoll can).
    """
    import os
    import selectors
    import time

    fd, seen, deadline = process.stdout.fileno(), b"", time.monotonic() + timeout
    watch = selectors.DefaultSelector()
    watch.register(fd, selectors.EVENT_READ)
    while marker.encode() not in seen:
        left = deadline - time.monotonic()
        ready = watch.select(max(left, 0))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            watch.close()
            printed = seen.decode(errors="replace")
            raise AssertionError(f"no {marker!r} line within {timeout:.0f}s; printed:\n{printed}")
        seen += chunk
    watch.close()
    text = seen.decode(errors="replace")
    end = text.find("\n", text.index(marker))
    return text if end < 0 else text[:end + 1]


@pytest.fixture
def read_until() -> Callable[..., str]:
    """Reads a child process's stdout up to a marker line, with a deadline (never blocks forever)."""
    return _read_until
