"""Start the mocks for a test session: one app per kind, served by `LiveServer` on loopback.

Apps are created here and only here, on first use, so collecting tests (or importing the
plugin) never builds a scenario or binds a port.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask

from github_http.live import LiveServer

from .control import SharedAdapter
from .scenario_spec import ScenarioSpec, build_scenario


def _ghes_factory() -> Callable[[dict[str, Any]], Flask]:
    """mock_ghes.create_app, imported only when a test needs GHES."""
    from mock_ghes import create_app

    return create_app


def _ghec_factory() -> Callable[[dict[str, Any]], Flask]:
    """mock_ghec.create_app, imported only when a test needs GHEC."""
    from mock_ghec import create_app

    return create_app


FACTORIES: dict[str, Callable[[], Callable[[dict[str, Any]], Flask]]] = {
    "ghes": _ghes_factory, "ghec": _ghec_factory}


@dataclass
class RunningMock:
    """A session's server for one kind of mock and the scenario it was started with."""

    kind: str
    server: LiveServer
    default: ScenarioSpec
    adapter: SharedAdapter = field(default_factory=SharedAdapter)  # every test's connections to it
    current: ScenarioSpec | None = None  # the scenario the last reset left, while nothing was written since

    @property
    def app(self) -> Flask:
        """The Flask app behind the server."""
        return self.server.app

    @property
    def url(self) -> str:
        """The server's root URL."""
        return self.server.url

    def stop(self) -> None:
        """Stop serving and drop the app's (ephemeral) database."""
        self.adapter.close_pool()
        self.server.stop()
        kit = self.app.extensions.get("mock")
        if kit is not None:
            kit.db.close()


def quiet_request_log() -> None:
    """Keep Werkzeug's per-request lines out of test output, unless the user configured that logger."""
    logger = logging.getLogger("werkzeug")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)


def loopback_session() -> requests.Session:
    """The session the fixtures' GHES reaches GHEC with: no proxy or ~/.netrc from the environment
    (a loopback GHEC must not be proxied; and reading them scanned os.environ on every push)."""
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = "mock-ghes"
    return session


def start_mock(kind: str, spec: ScenarioSpec, **settings: Any) -> RunningMock:
    """Create the `kind` app for `spec` and serve it on a free loopback port; returns once it answers."""
    create_app = FACTORIES[kind]()
    config = {"SEED": spec.seed, "SCENARIO": spec.preset, "SCENARIO_PARAMS": dict(spec.params), **settings}
    if spec.document is not None:  # the document and world this process checked (scenario_spec.py)
        config["SCENARIO_DOCUMENT"] = spec.parsed_document()
        config["SCENARIO_WORLD"] = build_scenario(spec)
    if kind == "ghes" and "CONNECT_SESSION" not in config:
        config["CONNECT_SESSION"] = loopback_session()
    app = create_app(config)
    quiet_request_log()
    server = LiveServer(app, host="127.0.0.1", port=0, keep_alive=True).start()
    return RunningMock(kind, server, spec)
