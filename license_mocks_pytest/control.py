"""The client side of the `/_mock/` control plane: one class, used by every fixture.

`MockControl` speaks to a running mock (ours from the fixtures, or one started with
`mock-ghes`/`mock-ghec`) over HTTP, exactly as a test in another language would, so the
plugin exercises the same routes the README documents.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from github_http.clock import isoformat, parse_time

CONTROL_KEY_HEADER = "X-Mock-Control-Key"
RESET_HEADER = "X-Mock-Reset"
SCENARIO_HEADER = "X-Mock-Scenario"


class SharedAdapter(HTTPAdapter):
    """Keep-alive connections to one mock, shared by every test's sessions of a pytest session.

    WHY: a new `requests.Session` per test meant new TCP connections per test, each one a new
    thread on the server; a session's `close()` leaves a shared adapter open (`close_pool` ends it).
    """

    def close(self) -> None:
        """Left open for the next session that mounts it."""

    def close_pool(self) -> None:
        """Close the pooled connections for real (when the mock stops)."""
        super().close()


class MockControlError(RuntimeError):
    """A control call the mock refused; carries the status and GitHub-shaped body."""

    def __init__(self, method: str, path: str, response: requests.Response) -> None:
        """Say which call failed and what the mock answered, so a failing setup explains itself."""
        self.status = response.status_code
        try:
            self.body: Any = response.json()
        except ValueError:
            self.body = response.text
        super().__init__(f"{method} {path} answered {self.status}: {self.body}")


class MockControl:
    """Python helpers for one mock's `/_mock/` routes (reset, scenario, journal, faults, clock, ...)."""

    def __init__(self, base_url: str, *, control_key: str | None = None, timeout: float = 60.0,
                 adapter: SharedAdapter | None = None) -> None:
        """`base_url` is the app's root (no `/_mock`); `control_key` is needed off loopback; `adapter`
        keeps connections open across handles (the fixtures')."""
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._adapter = adapter
        self._control_key = control_key
        self._control_session: requests.Session | None = None  # made on the first control call

    @property
    def _control(self) -> requests.Session:
        """The session control calls go through, made on first use. WHY lazily: the fixtures make a
        handle per test and reset in process, so most tests never make a control call."""
        if self._control_session is None:
            session = self._control_session = requests.Session()
            # WHY not from the environment: proxy variables are read on every request (a scan of
            # os.environ, 0.3 ms under load) and a loopback mock must not be proxied nor get ~/.netrc's auth.
            session.trust_env = False
            if self._adapter is not None:
                session.mount("http://", self._adapter)
            if self._control_key:
                session.headers[CONTROL_KEY_HEADER] = self._control_key
        return self._control_session

    def control(self, method: str, path: str, *, json: Any = None, params: dict | None = None) -> Any:
        """Call any control route (also app-only ones such as `ledger`), returning its JSON or None.

        Raises `MockControlError` on a status ≥ 400 so a broken setup fails loudly where it happened.
        """
        response = self._send(method, path, json=json, params=params)
        return response.json() if response.content else None

    def _send(self, method: str, path: str, *, json: Any = None, params: dict | None = None) -> requests.Response:
        """One control call's response; `MockControlError` on a status ≥ 400."""
        url = f"{self.base_url}/_mock/{path.lstrip('/')}"
        response = self._control.request(method, url, json=json, params=params, timeout=self._timeout)
        if response.status_code >= 400:
            raise MockControlError(method, url, response)
        return response

    def routes(self) -> list[dict[str, str]]:
        """The control plane's own index: every route with what it does."""
        return self.control("GET", "/")

    def reset(self) -> str:
        """Back to the current scenario's initial state; clears journal, faults and clock. Returns how
        (`unchanged`, `copied`, `rebuilt`: docs/control-plane.md, Reset; "" from an older mock)."""
        return self._send("POST", "reset").headers.get(RESET_HEADER, "")

    def scenario_info(self) -> dict[str, Any]:
        """What the mock says it was built from (seed, preset, params and its summary)."""
        return self.control("GET", "scenario")

    def load_scenario(self, seed: int | None = None, preset: str | None = None, **params: Any) -> dict[str, Any]:
        """Switch the mock to another scenario (its state is rebuilt); omitted seed/preset keep the current."""
        current = self.scenario_info() if seed is None or preset is None else {}
        spec = {"seed": current.get("seed") if seed is None else seed,
                "preset": current.get("preset") if preset is None else preset, "params": params}
        return self.control("PUT", "scenario", json=spec)

    def snapshot(self) -> dict[str, Any]:
        """The whole state (everything but the journal) as JSON, for `restore` later."""
        return self.control("GET", "snapshot")

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Put back a state taken with `snapshot`, all or nothing."""
        self.control("PUT", "snapshot", json=snapshot)

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """Recorded requests, oldest first: method=, path= (glob), status=, since=, until=, limit=, bodies=."""
        params = {}
        for key, value in filters.items():
            if isinstance(value, datetime):
                value = isoformat(value)
            elif isinstance(value, bool):
                value = int(value)
            params[key] = value
        return self.control("GET", "journal", params=params)

    def clear_journal(self) -> None:
        """Forget recorded requests (and nothing else)."""
        self.control("DELETE", "journal")

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (fields in docs/control-plane.md); returns it with its id."""
        return self.control("POST", "faults", json=rule)

    def faults(self) -> list[dict[str, Any]]:
        """Active fault rules with their counters (hits, times_remaining, after_remaining)."""
        return self.control("GET", "faults")

    def remove_fault(self, fault_id: int) -> None:
        """Remove one rule."""
        self.control("DELETE", f"faults/{fault_id}")

    def clear_faults(self) -> None:
        """Remove every rule."""
        self.control("DELETE", "faults")

    def clock(self) -> dict[str, Any]:
        """The app's time as `{now, frozen, offset_seconds}`."""
        return self.control("GET", "clock")

    def now(self) -> datetime:
        """The app's current time as an aware datetime."""
        return parse_time(self.clock()["now"])

    def set_time(self, moment: datetime | str, *, freeze: bool = False) -> dict[str, Any]:
        """Jump to `moment`; whatever became due has run when this returns."""
        text = isoformat(moment) if isinstance(moment, datetime) else moment
        return self.control("PUT", "clock", json={"now": text, "freeze": freeze})

    def advance(self, *, days: float = 0, hours: float = 0, seconds: float = 0) -> dict[str, Any]:
        """Move time forward; whatever became due (e.g. GHES's weekly sync) has run when this returns."""
        return self.control("POST", "clock/advance", json={"days": days, "hours": hours, "seconds": seconds})

    def openapi(self) -> dict[str, Any]:
        """The app's OpenAPI document."""
        return self.control("GET", "openapi.json")

    def close(self) -> None:
        """Release the control session's connections."""
        if self._control_session is not None:
            self._control_session.close()
