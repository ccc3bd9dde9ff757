"""GitHub Connect's license sync, GHES side: register with GHEC, push usage, run the weekly job.

The wire protocol is this project's own (GitHub does not publish it; docs/architecture.md):
`PUT {ghec}/enterprises/{slug}/connect/servers/{server_id}` registers, `POST
{ghec}/enterprises/{slug}/connect/server-usage` pushes the encrypted export. Every attempt is
recorded; an unreachable or refusing GHEC is a recorded failure retried at the next weekly
run, never an exception out of a request. The weekly job runs on the app clock: a clock
listener runs it when `/_mock/clock` moves time, and a cheap check on each request (against
a cached due time) catches time that simply passed.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests

from github_http.net_reason import connection_reason

from .connect_store import ConnectConfig
from .runtime import Runtime
from .usage import build_usage

log = logging.getLogger(__name__)
_UNKNOWN = object()  # cache sentinel: the due time must be read from the database


def _error_text(response: requests.Response) -> str:
    """GHEC's message when it sent GitHub's error JSON, else the start of its body."""
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            return body["message"]
    except ValueError:
        pass
    return (response.text or response.reason or "")[:500] or f"HTTP {response.status_code}"


class ConnectSyncer:
    """Talks to GHEC for one GHES server; the session comes from the app (tests route it)."""

    def __init__(self, runtime: Runtime, session: Callable[[], requests.Session]) -> None:
        """`session()` returns the requests.Session to use (looked up per call, so tests can swap it)."""
        self.runtime = runtime
        self.session = session
        self._due: Any = _UNKNOWN
        self._due_read_at = 0.0
        self._lock = threading.Lock()
        self._running = threading.local()

    # -- the cached due time ------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget the cached due time (Connect changed here, or the control plane touched state)."""
        with self._lock:
            self._due = _UNKNOWN

    def _cached_due(self) -> datetime | None:
        """The next due time, re-read when unknown or older than DUE_CHECK_TTL (other workers)."""
        with self._lock:
            stale = time.monotonic() - self._due_read_at > self.runtime.settings["DUE_CHECK_TTL"]
            if self._due is _UNKNOWN or stale:
                self._due = self.runtime.connect.next_due()
                self._due_read_at = time.monotonic()
            return self._due

    def run_if_due(self) -> dict[str, Any] | None:
        """The per-request check: costs one clock read unless a weekly sync is due."""
        due = self._cached_due()
        if due is None:
            return None
        now = self.runtime.clock.now()
        return self.run_due(now) if now >= due else None

    def run_due(self, now: datetime) -> dict[str, Any] | None:
        """Run the weekly sync if it is due at `now` (clock listener and per-request check)."""
        if getattr(self._running, "active", False):
            return None  # a push that routes back into this app must not start another
        try:
            if not self.runtime.connect.claim_due(now):
                return None
            return self.sync("scheduled")
        finally:
            self.invalidate()

    # -- talking to GHEC ----------------------------------------------------------------------
    def _url(self, config: ConnectConfig, path: str) -> str:
        """A GHEC URL under the configured base."""
        return f"{config.ghec_url.rstrip('/')}/enterprises/{config.enterprise}{path}"

    def _headers(self, config: ConnectConfig) -> dict[str, str]:
        """What GHES sends to GHEC: the Connect token, as GitHub's clients send tokens."""
        return {"Authorization": f"token {config.token}", "Accept": "application/vnd.github+json",
                "User-Agent": f"mock-ghes/{self.runtime.store.instance()['version']}"}

    def _timeout(self) -> tuple[float, float]:
        """Connect and read timeouts, so a silent GHEC never hangs a request."""
        seconds = float(self.runtime.settings["CONNECT_TIMEOUT"])
        return (seconds, seconds)

    def register(self) -> tuple[bool, str | None]:
        """Register this server with GHEC (`{host_name, version}`); records and returns (ok, error)."""
        config = self.runtime.connect.config()
        instance = self.runtime.store.instance()
        ok, error = False, None
        if not config.complete:
            error = "GitHub Connect is not configured (GHEC URL, enterprise and token are required)."
        else:
            try:
                response = self.session().put(
                    self._url(config, f"/connect/servers/{instance['server_id']}"),
                    json={"host_name": instance["host_name"], "version": instance["version"]},
                    headers=self._headers(config), timeout=self._timeout())
                ok = 200 <= response.status_code < 300
                error = None if ok else (f"GHEC refused the registration ({response.status_code}): "
                                         f"{_error_text(response)}")
            except requests.RequestException as exc:
                error = f"cannot reach GHEC at {config.ghec_url}: {connection_reason(exc)}"
        self.runtime.connect.record_registration(ok, self.runtime.clock.now(), error)
        return ok, error

    def sync(self, trigger: str) -> dict[str, Any]:
        """Push the current usage to GHEC now ("manual" is Sync now); returns the recorded attempt."""
        self._running.active = True
        try:
            return self._push(trigger)
        finally:
            self._running.active = False

    def _push(self, trigger: str) -> dict[str, Any]:
        """Register if needed, build the encrypted export, POST it, record the outcome."""
        config = self.runtime.connect.config()
        status, error, users = None, None, 0
        if not config.complete:
            error = "GitHub Connect is not configured (GHEC URL, enterprise and token are required)."
        elif self.runtime.connect.state()["registered_at"] is None:
            ok, error = self.register()
            if ok:
                error = None
        if error is None:
            try:
                usage = build_usage(self.runtime, encrypted=True)
                users = usage.users
                response = self.session().post(
                    self._url(config, "/connect/server-usage"), data=usage.content,
                    headers={**self._headers(config), "Content-Type": "application/json"},
                    timeout=self._timeout())
                status = response.status_code
                if not 200 <= status < 300:
                    error = f"GHEC refused the usage ({status}): {_error_text(response)}"
            except requests.RequestException as exc:
                error = f"cannot reach GHEC at {config.ghec_url}: {connection_reason(exc)}"
            except Exception as exc:
                log.exception("license sync failed before reaching GHEC")
                error = f"The export could not be built: {exc}"
        # A 4xx may mean GHEC forgot this server (it was reset): register again next time.
        attempt = self.runtime.connect.record_attempt(self.runtime.clock.now(), trigger, error is None,
                                                      status, error, users,
                                                      forget_registration=status is not None and 400 <= status < 500)
        self.invalidate()
        return attempt
