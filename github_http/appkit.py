"""Wire the shared machinery into an app: database, clock, journal, faults, headers, errors, `/_mock/`.

`create_app` of each mock calls `install` once; after it, `app.extensions["mock"]` is the
`MockKit` that routes and stores reach through `current_kit()`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request

from .api_headers import HeaderPolicy, decorate, negotiate_version
from .clock import Clock
from .control import ControlHooks, make_control_blueprint
from .errors import register_error_handlers
from .faults import FaultBook
from .hot_paths import HotPath, HotPaths
from .journal import Journal
from .storage import Database
from .templates import StateTemplates
from .wire import CONTROL_PREFIX, MockWire


@dataclass
class MockKit:
    """The shared pieces one app instance runs on."""

    db: Database
    clock: Clock
    journal: Journal
    faults: FaultBook
    settings: dict[str, Any]
    hot: HotPaths | None = None  # answers hot routes' plain case once the app calls its `settle`
    templates: StateTemplates | None = None  # prepared states `/_mock/reset` copies back (templates.py)


def current_kit() -> MockKit:
    """The running app's kit (inside a request or app context)."""
    return current_app.extensions["mock"]


def install(app: Flask, *, settings: dict[str, Any], db: Database, clock: Clock,
            hooks: ControlHooks, headers: HeaderPolicy,
            is_api: Callable[[str], bool], hot_paths: list[HotPath] | None = None) -> MockKit:
    """Give `app` GitHub's API conventions and the mock control plane.

    `is_api(path)` tells which paths are REST API (JSON errors, GitHub headers, version
    negotiation); the rest are pages. `hot_paths` answer their routes' plain case without
    Flask (hot_paths.py), inside the faults and the journal.
    """
    kit = MockKit(db=db, clock=clock, journal=Journal(db, settings.get("JOURNAL_MAX_ENTRIES", 1000)),
                  faults=FaultBook(db), settings=settings,
                  templates=StateTemplates(db, int(float(settings.get("RESET_TEMPLATE_MIB") or 0) * (1 << 20))))
    app.extensions["mock"] = kit
    app.json.sort_keys = False  # keep GitHub's key order (message first)
    app.config["CONTROL_KEY"] = settings.get("CONTROL_KEY") or None

    def wants_json() -> bool:
        """API and control-plane errors are JSON; page errors stay HTML."""
        return is_api(request.path) or request.path.startswith(CONTROL_PREFIX)

    register_error_handlers(app, wants_json)

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
    app.wsgi_app = MockWire(kit.hot or app.wsgi_app, kit.faults, kit.journal, clock, kit.db,  # type: ignore[method-assign]
                            max_body_bytes=settings.get("JOURNAL_MAX_BODY_BYTES", 64 << 20),
                            record=settings.get("JOURNAL", True))
    return kit
