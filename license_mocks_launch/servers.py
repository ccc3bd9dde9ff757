"""Start the mock pair in-process over real HTTP: one GHEC and two GHES instances from one seed.

WHY here (and shared by `demo`, `serve_pair` and the e2e tests): the wiring has an order —
GHEC must be listening before a GHES preconfigured with Connect registers itself with it —
and the tokens every side prints come from the seed. Writing that once keeps the demo, the
`make serve` pair and the tests describing the same world.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from github_http.live import LiveServer


@dataclass
class MockPair:
    """The running servers, the scenario they were built from, and the tokens to use them."""

    seed: int
    scenario: str
    world: Any  # scenarios.Scenario
    ghec: LiveServer
    ghes: list[LiveServer] = field(default_factory=list)  # index 0 is instance 1
    connected: tuple[int, ...] = ()

    @property
    def enterprise(self) -> str:
        """The GHEC enterprise the pair syncs into (the scenario's main enterprise)."""
        return self.world.enterprises[0].slug

    @property
    def ghec_token(self) -> str:
        """The enterprise owner's token (public API, License page sign-in)."""
        return self.world.tokens[f"ghec:{self.enterprise}:owner"]

    @property
    def connect_token(self) -> str:
        """The enterprise's GitHub Connect token (what a GHES uses to push)."""
        return self.world.tokens[f"connect:{self.enterprise}"]

    def ghes_token(self, index: int) -> str:
        """The site admin's token of GHES instance `index` (1-based)."""
        return self.world.tokens[f"ghes:{index}:admin"]

    def ghes_url(self, index: int) -> str:
        """Root URL of GHES instance `index` (1-based)."""
        return self.ghes[index - 1].url

    def env(self) -> dict[str, str]:
        """The environment variables `license-sync` reads, pointing at instance 1 and GHEC."""
        return {"GHES_URL": self.ghes_url(1), "GHES_TOKEN": self.ghes_token(1), "GHEC_URL": self.ghec.url,
                "GHEC_TOKEN": self.ghec_token, "GHEC_ENTERPRISE": self.enterprise}

    def stop(self) -> None:
        """Stop every server, in parallel.

        WHY parallel: each Werkzeug server notices a shutdown only at its next poll (up to half
        a second); stopping three one after another would triple that for every test.
        """
        def stop_one(server: LiveServer) -> None:
            """Best effort: a server that fails to stop still releases its port at exit."""
            with contextlib.suppress(Exception):
                server.stop()
        threads = [threading.Thread(target=stop_one, args=(s,)) for s in [*self.ghes, self.ghec]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def __enter__(self) -> MockPair:
        """Use the pair as a context manager so it is stopped even when a step fails."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop every server on leaving the block."""
        self.stop()


def start_pair(seed: int | None = 42, scenario: str = "demo", *, host: str = "127.0.0.1",
               ghec_port: int = 0, ghes_ports: Iterable[int] | None = (0, 0),
               connect: Iterable[int] = (2,), extra_ghes: dict[str, Any] | None = None,
               extra_ghec: dict[str, Any] | None = None,
               prepare_ghec: Callable[[Any], None] | None = None, scenario_file: str | None = None) -> MockPair:
    """Start GHEC, then each GHES instance (those in `connect` preconfigured with Connect).

    Ports 0 pick free ones. `prepare_ghec(app)` runs before GHEC serves (tests use it to
    doctor GHEC's answers and show `verify` catching it). On any failure the servers already started are stopped, so a
    busy port never leaves half a pair running.
    """
    import mock_ghec
    import mock_ghes
    import scenarios
    from scenarios.file.use import file_seed, read_document
    from scenarios.file.use import world as stated_world
    document = read_document(scenario_file) if scenario_file else None
    if document is not None:  # a scenario file: its own seed unless one is given, every instance it states
        seed = file_seed(document, {}) if seed is None else seed
        world = stated_world(seed, scenario, {}, document)
        extra_ghes, extra_ghec = {**(extra_ghes or {}), "SCENARIO_DOCUMENT": document}, \
            {**(extra_ghec or {}), "SCENARIO_DOCUMENT": document}
        scenario = world.preset
    else:
        seed = 42 if seed is None else seed
        world = scenarios.build(seed, scenario)
    ghes_ports = [0] * len(world.ghes) if ghes_ports is None else list(ghes_ports)[:len(world.ghes)]
    stated = {n: inst["connect"] for n, inst in enumerate((document or {}).get("ghes") or [], 1)
              if inst.get("connect") is not None}
    if stated:  # a scenario file that says which instances have Connect on wires exactly those
        connect = [n for n, on in stated.items() if on]
    connect = tuple(i for i in connect if i <= len(world.ghes))
    started: list[LiveServer] = []
    try:
        ghec_app = mock_ghec.create_app({"SEED": seed, "SCENARIO": scenario, **(extra_ghec or {})})
        if prepare_ghec:
            prepare_ghec(ghec_app)
        ghec = LiveServer(ghec_app, host, ghec_port).start()
        started.append(ghec)
        pair = MockPair(seed, scenario, world, ghec, connected=connect)
        for index, port in enumerate(ghes_ports, 1):
            config: dict[str, Any] = {"SEED": seed, "SCENARIO": scenario, "INSTANCE": index, **(extra_ghes or {})}
            if index in connect:
                config.update(CONNECT_URL=ghec.url, CONNECT_ENTERPRISE=pair.enterprise,
                              CONNECT_TOKEN=pair.connect_token)
            app = mock_ghes.create_app(config)
            server = LiveServer(app, host, port).start()
            started.append(server)
            pair.ghes.append(server)
            if index in connect:  # as `mock-ghes serve` does: GHEC lists the instance from the start
                app.extensions["ghes"].syncer.register()
        return pair
    except BaseException:
        for server in reversed(started):
            server.stop()
        raise
