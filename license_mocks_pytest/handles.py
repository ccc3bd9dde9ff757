"""What the `ghes`, `ghec` and `license_sync_pair` fixtures hand to a test.

A handle is the shared `MockControl` (the `/_mock/` helpers) plus what a test needs to talk
to that app as a user: its URL, the scenario's tokens, a ready `requests.Session`, the Flask
test client over the same state. GHES and GHEC differ only in which tokens they expose.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

import requests
from flask import Flask
from flask.testing import FlaskClient

from .control import RESET_HEADER, SCENARIO_HEADER, MockControl, SharedAdapter
from .scenario_spec import ScenarioSpec, build_scenario

GITHUB_JSON = "application/vnd.github+json"


class BaseUrlSession(requests.Session):
    """A `requests.Session` that resolves paths like "/api/v3/..." against the mock's base URL."""

    def __init__(self, base_url: str) -> None:
        """Remember the root every relative URL is joined to."""
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        self.trust_env = False  # loopback: no proxy, no ~/.netrc (and no scan of os.environ per request)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Send as usual; a relative URL (or path) is taken relative to the mock's root."""
        kwargs.setdefault("timeout", 60)
        return super().request(method, urljoin(self.base_url, str(url)), *args, **kwargs)


class MockApp(MockControl):
    """One running mock as a test sees it: control helpers plus URL, tokens, session and client."""

    default_token_role = ""  # which of `tokens()` the ready session authenticates as
    state_key: str | None = None  # the template key the last `reset()` reported (`X-Mock-Scenario`)

    def __init__(self, app: Flask, base_url: str, spec: ScenarioSpec, adapter: SharedAdapter | None = None) -> None:
        """Wrap an app served at `base_url` that currently runs scenario `spec`; `adapter`: connections
        kept open across handles."""
        control_key = app.extensions["mock"].settings.get("CONTROL_KEY") or None
        super().__init__(base_url, control_key=control_key, adapter=adapter)
        self.app = app
        self.spec = spec
        self._session: BaseUrlSession | None = None

    @property
    def session(self) -> BaseUrlSession:
        """A `requests.Session` on this mock, authenticated as the scenario's `default_token_role`
        (made on first use: a test that never asks pays nothing for it)."""
        if self._session is None:
            session = self._session = BaseUrlSession(self.base_url)
            if self._adapter is not None:
                session.mount("http://", self._adapter)
            session.headers.update({"Accept": GITHUB_JSON, "User-Agent": "license-mocks-pytest"})
            self._authorise()
        return self._session

    @cached_property
    def client(self) -> FlaskClient:
        """Flask's test client over the same app and state (made on first use: most tests never ask)."""
        return self.app.test_client()

    @property
    def settings(self) -> dict[str, Any]:
        """The app's resolved settings."""
        return self.app.extensions["mock"].settings

    @property
    def scenario(self) -> Any:
        """The `scenarios.Scenario` the app's state was built from (ground truth for assertions)."""
        return build_scenario(self.spec)

    def tokens(self) -> dict[str, str]:
        """This app's tokens by role (subclasses say which)."""
        raise NotImplementedError

    def auth_headers(self, role: str | None = None) -> dict[str, str]:
        """`Authorization: token …` for `role` (default: the session's), for the test client or raw calls."""
        return {"Authorization": f"token {self.tokens()[role or self.default_token_role]}"}

    def _authorise(self) -> None:
        """Point the ready session at the current scenario's token (tokens change with the seed)."""
        if self._session is not None:
            self._session.headers.update(self.auth_headers())

    def reset(self) -> str:
        """Back to the current scenario's initial state (see `MockControl.reset`), by the reset route's
        own function, in process (`MockKit.reset`): WHY, every test pays a reset per app, and over HTTP
        (or through the test client) the request costs several times what the reset itself does."""
        return self.reset_answer()[0]

    def reset_answer(self) -> tuple[str, dict[str, Any] | None]:
        """`reset()`, and the scenario the mock says it is now on (`X-Mock-Scenario`: seed, preset,
        params), or None from a mock that does not say."""
        with self.app.app_context():
            headers = self.app.extensions["mock"].reset()
        scenario = headers.get(SCENARIO_HEADER)
        self.state_key = scenario  # which kept state the reset left (prepared.py: asked again only when None)
        return headers.get(RESET_HEADER, ""), json.loads(scenario) if scenario else None

    def load_scenario(self, seed: int | None = None, preset: str | None = None, *, world: Any = None,
                      file: str | os.PathLike[str] | None = None, **params: Any) -> dict[str, Any]:
        """Switch scenario (omitted seed/preset keep the current); tokens and `.scenario` follow.

        `world=` (a `scenarios.file.builder.World`) or `file=` (a scenario file) load a stated world
        instead, checked first: a mistake raises ScenarioFileError with every problem.
        """
        if world is not None:
            return self.use(ScenarioSpec.of_document(world.document(), seed))
        if file is not None:
            from scenarios.file.use import read_document

            return self.use(ScenarioSpec.of_document(read_document(file), seed))
        return self.use(ScenarioSpec.of(self.spec.seed if seed is None else seed,
                                        self.spec.preset if preset is None else preset, params))

    def use(self, spec: ScenarioSpec) -> dict[str, Any]:
        """Switch to `spec` (PUT /_mock/scenario); tokens and `.scenario` follow."""
        answer = self.control("PUT", "scenario", json=spec.as_json())
        self.spec = spec
        self._authorise()
        return answer

    def close(self) -> None:
        """Release the sessions' connections."""
        if self._session is not None:
            self._session.close()
        super().close()

    def __repr__(self) -> str:
        """Name the app, URL and scenario in assertion messages."""
        return f"<{type(self).__name__} {self.base_url} seed={self.spec.seed} preset={self.spec.preset}>"


class MockGhes(MockApp):
    """The mock GHES: API under `/api/v3`; the session authenticates as the site admin."""

    default_token_role = "admin"

    @property
    def instance_index(self) -> int:
        """Which GHES instance of the scenario this server is (1-based)."""
        return int(self.settings.get("INSTANCE", 1))

    @property
    def instance(self) -> Any:
        """The scenario's `GhesInstance` this server serves."""
        return self.scenario.ghes[self.instance_index - 1]

    @property
    def api_url(self) -> str:
        """Root of the REST API, as a GitHub client for GHES is configured."""
        return f"{self.base_url}/api/v3"

    def tokens(self) -> dict[str, str]:
        """The site admin's (ADMIN_TOKEN if the app was given one) and a plain member's tokens."""
        k, all_tokens = self.instance_index, self.scenario.tokens
        return {"admin": self.settings.get("ADMIN_TOKEN") or all_tokens[f"ghes:{k}:admin"],
                "member": all_tokens[f"ghes:{k}:member"]}

    @property
    def admin_token(self) -> str:
        """A site admin's token (export, Connect settings, admin API)."""
        return self.tokens()["admin"]

    @property
    def member_token(self) -> str:
        """A plain user's token (for 403/404 checks)."""
        return self.tokens()["member"]


class MockGhec(MockApp):
    """The mock GHEC: API at the root; the session authenticates as an enterprise owner."""

    default_token_role = "owner"

    @property
    def enterprise(self) -> str:
        """The main enterprise's slug: the first of the scenario, unless the app renamed it (ENTERPRISE)."""
        return self.settings.get("ENTERPRISE") or self.scenario.enterprises[0].slug

    @property
    def api_url(self) -> str:
        """Root of the REST API (GHEC serves it at the root, like api.github.com)."""
        return self.base_url

    def tokens(self) -> dict[str, str]:
        """The enterprise owner's (OWNER_TOKEN if given), a plain member's and the Connect token.

        Keyed by the scenario's slug: renaming the enterprise does not change who holds which token.
        """
        slug, all_tokens = self.scenario.enterprises[0].slug, self.scenario.tokens
        return {"owner": self.settings.get("OWNER_TOKEN") or all_tokens[f"ghec:{slug}:owner"],
                "member": all_tokens[f"ghec:{slug}:member"], "connect": all_tokens[f"connect:{slug}"]}

    @property
    def owner_token(self) -> str:
        """An enterprise owner's token (consumed-licenses, license-sync-status, uploads)."""
        return self.tokens()["owner"]

    @property
    def member_token(self) -> str:
        """A member who is not an owner (for 403/404 checks)."""
        return self.tokens()["member"]

    @property
    def connect_token(self) -> str:
        """The enterprise's GitHub Connect token (what GHES presents when it pushes)."""
        return self.tokens()["connect"]


@dataclass
class LicenseSyncPair:
    """GHES with GitHub Connect and license sync enabled towards GHEC's main enterprise."""

    ghes: MockGhes
    ghec: MockGhec

    def connect(self) -> dict[str, Any]:
        """Enable Connect on GHES (`PUT /api/v3/enterprise/connect`), registering it with GHEC.

        Through GHES's test client (the same route, in process: every test of the fixture pays it);
        GHES still registers with GHEC over HTTP. A refusal is asked again over HTTP, so it raises
        `requests.HTTPError` with GHES's answer.
        """
        body = {"ghec_url": self.ghec.base_url, "enterprise": self.ghec.enterprise,
                "token": self.ghec.connect_token, "license_sync": True}
        answer = self.ghes.client.put("/api/v3/enterprise/connect", json=body,
                                      headers={"Accept": GITHUB_JSON, **self.ghes.auth_headers()})
        if answer.status_code < 400:
            return answer.get_json()
        response = self.ghes.session.put("/api/v3/enterprise/connect", json=body)
        response.raise_for_status()
        return response.json()

    def prepare(self) -> str:
        """What the fixture does: `connect()`, then both journals cleared and rate limits refilled (the
        setup is not the test's); or, when a setup like it was kept (same scenarios, inputs and clock
        second, both states fresh from their reset), its rows written without the requests: the
        same state byte for byte (prepared.py). Returns "restored" or "requested"."""
        from .prepared import connect_pair

        return connect_pair(self)

    def sync_now(self) -> dict[str, Any]:
        """GHES's "Sync now": push usage to GHEC; returns the attempt record."""
        response = self.ghes.session.post("/api/v3/enterprise/connect/license-sync")
        response.raise_for_status()
        return response.json()

    def advance(self, *, days: float = 0, hours: float = 0, seconds: float = 0) -> None:
        """Move both clocks by the same amount: GHEC first, so a push GHES makes is dated on GHEC's new time."""
        self.ghec.advance(days=days, hours=hours, seconds=seconds)
        self.ghes.advance(days=days, hours=hours, seconds=seconds)
