"""Wire the shared machinery into an app: database, clock, journal, faults, headers, errors, `/_mock/`.

`create_app` of each mock calls `install` once; after it, `app.extensions["mock"]` is the
`MockKit` that routes and stores reach through `current_kit()`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider

from .api_headers import HeaderPolicy, decorate, negotiate_version
from .api_wire import JSON, ApiWire
from .clock import Clock
from .control import ControlHooks, make_control_blueprint
from .control_hooks import reset_app
from .errors import register_error_handlers
from .faults import FaultBook
from .host_guard import host_name, parse_allowed
from .hot_paths import HotPath, HotPaths
from .journal import Journal
from .not_found import register_not_found
from .rate_limit import RATE_LIMITS_OFF, RateLimiter, RatePolicy
from .rate_limit_store import RateLimitStore
from .storage import Database
from .templates import StateTemplates
from .token_kinds import Caller
from .wire import CONTROL_PREFIX, MockWire

#: Largest request body any route reads, when the app sets no MAX_CONTENT_LENGTH of its own
#: (GHES: its largest body is a snapshot). A declared size above it is a 413 before any read.
DEFAULT_MAX_REQUEST_BYTES = 512 << 20


@dataclass
class MockKit:
    """The shared pieces one app instance runs on."""

    db: Database
    clock: Clock
    journal: Journal
    faults: FaultBook
    settings: dict[str, Any]
    rate_limits: RateLimitStore  # the primary rate limit's counters (rate_limit.py)
    rate_policy: RatePolicy = RATE_LIMITS_OFF
    hot: HotPaths | None = None  # answers hot routes' plain case once the app calls `start_answering`
    templates: StateTemplates | None = None  # prepared states `/_mock/reset` copies back (templates.py)
    hooks: ControlHooks | None = None  # what the app plugs into the control plane (reset in process)

    def reset(self) -> dict[str, str]:
        """`POST /_mock/reset` without the request (call inside the app's context): its headers."""
        if self.hooks is None:
            raise RuntimeError("this kit was not installed on an app (appkit.install)")
        return reset_app(self, self.hooks)


def current_kit() -> MockKit:
    """The running app's kit (inside a request or app context)."""
    return current_app.extensions["mock"]


def install(app: Flask, *, settings: dict[str, Any], db: Database, clock: Clock,
            hooks: ControlHooks, headers: HeaderPolicy,
            is_api: Callable[[str], bool], hot_paths: list[HotPath] | None = None,
            identify: Callable[[str], Caller | None] = lambda token: None,
            rate_policy: RatePolicy = RATE_LIMITS_OFF, api_prefix: str = "",
            accepted_scopes: Callable[[str], str | None] | None = None,
            too_large_message: Callable[[str], str] | None = None) -> MockKit:
    """Give `app` GitHub's API conventions and the mock control plane.

    `is_api(path)` tells which paths are REST API (JSON errors, GitHub headers, version
    negotiation); the rest are pages. `hot_paths` answer their routes' plain case without
    Flask (hot_paths.py), inside the faults and the journal. `identify(token)` names a known
    token's owner, `rate_policy` the primary rate limit, `api_prefix` where the API lives
    (`/api/v3` on GHES), `accepted_scopes(path)` a path's `X-Accepted-OAuth-Scopes`: api_wire.py
    applies them to the hot paths and Flask alike. `too_large_message(path)`: the message of the
    413 a declared body over MAX_CONTENT_LENGTH gets before it is read.
    """
    journal = Journal(db, settings.get("JOURNAL_MAX_ENTRIES", 1000),
                      settings.get("JOURNAL_MAX_TOTAL_BODY_BYTES", 256 << 20))
    kit = MockKit(db=db, clock=clock, journal=journal,
                  faults=FaultBook(db), settings=settings, rate_limits=RateLimitStore(db, rate_policy.window),
                  rate_policy=rate_policy, hooks=hooks,
                  templates=StateTemplates(db, int(float(settings.get("RESET_TEMPLATE_MIB") or 0) * (1 << 20))))
    app.extensions["mock"] = kit
    if isinstance(app.json, DefaultJSONProvider):  # Flask's own provider, unless an app swaps it
        app.json.sort_keys = False  # keep GitHub's key order (message first)
        app.json.mimetype = JSON  # GitHub names the charset on every JSON body
    app.config["CONTROL_KEY"] = settings.get("CONTROL_KEY") or None
    allow_hosts(app, settings.get("ALLOWED_HOSTS"), settings.get("SERVER_NAME"))
    app.config["MAX_CONTENT_LENGTH"] = app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_REQUEST_BYTES

    def wants_json() -> bool:
        """API and control-plane errors are JSON; page errors stay HTML."""
        return is_api(request.path) or request.path.startswith(CONTROL_PREFIX)

    register_error_handlers(app, wants_json)
    register_not_found(app, wants_json)

    @app.before_request
    def _api_version() -> None:
        """Negotiate X-GitHub-Api-Version on API routes."""
        if is_api(request.path):
            negotiate_version()

    @app.after_request
    def _api_headers(response: Any) -> Any:
        """GitHub's response headers on API routes."""
        if is_api(request.path):
            decorate(response, headers)
        return response

    app.register_blueprint(make_control_blueprint(hooks))
    if hot_paths:
        kit.hot = HotPaths(app.wsgi_app, hot_paths)
    limiter = RateLimiter(rate_policy, kit.rate_limits) if rate_policy.enabled else None
    wired = ApiWire(kit.hot or app.wsgi_app, is_api=is_api, clock=clock, identify=identify, limiter=limiter,
                    uncounted=(api_prefix + "/rate_limit",), accepted_scopes=accepted_scopes, policy=headers)
    app.wsgi_app = MockWire(wired, kit.faults, kit.journal, clock, kit.db,  # type: ignore[method-assign]
                            max_body_bytes=settings.get("JOURNAL_MAX_BODY_BYTES", 64 << 20),
                            record=settings.get("JOURNAL", True),
                            max_request_bytes=app.config["MAX_CONTENT_LENGTH"], too_large_message=too_large_message)
    return kit


def allow_hosts(app: Flask, *names: str | None) -> None:
    """Add Host names the control plane and page forms accept (host_guard.py): the
    `ALLOWED_HOSTS` setting, a configured SERVER_NAME, the host `serve` was started on."""
    allowed = set(app.config.get("ALLOWED_HOSTS") or ())
    for name in names:  # each a name or a comma-separated list; a port given with a name is ignored
        allowed |= {host_name(item) for item in parse_allowed(name)}
    app.config["ALLOWED_HOSTS"] = frozenset(allowed)
