"""`create_app(config=None)`: the mock GHES as a Flask app (no module-level app, no import-time I/O).

Wiring only: settings, the state (seeded once, or served as kept with --state), the shared
github_http machinery (errors, headers, `/_mock/`, journal, faults, pages), the blueprints,
and the weekly Connect job on the app clock.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from flask import Flask, Response, request

from github_http import install
from github_http.api_headers import HeaderPolicy
from github_http.rate_limit import RatePolicy
from github_http.storage import require_shared_state
from github_http.web import install_web
from github_http.wire_routes import make_wire_blueprint

from .api import API_PREFIX, make_api_blueprint
from .api_hot import HOT_ENDPOINTS, user_hot
from .connect import make_connect_blueprint
from .control import make_hooks
from .identity import accepted_scopes, identify
from .manage_api import make_manage_blueprint
from .pages import make_pages_blueprint
from .reports import make_reports_blueprint
from .runtime import Runtime, open_runtime
from .settings import load
from .syncer import ConnectSyncer

PRODUCT_NAME = "GitHub Enterprise Server"
GHES_RATE_LIMIT_DOCS = "https://docs.github.com/enterprise-server/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user"
_UNCHECKED = ("/_mock", "/static/")  # the control plane and assets never run the weekly job


def is_api(path: str) -> bool:
    """REST API paths: JSON errors, GitHub headers, version negotiation."""
    return path == "/api/v3" or path.startswith(("/api/v3/", "/manage/"))


def is_page_post(path: str) -> bool:
    """Page forms (everything but the API and the control plane) must carry the CSRF token."""
    return not is_api(path) and not path.startswith("/_mock")


@dataclass
class GhesApp:
    """What routes reach through `app.extensions["ghes"]`."""

    runtime: Runtime
    syncer: ConnectSyncer

    def enterprise_version(self) -> str:
        """The instance's version, asked for every response: read again only once the database may
        have changed (`cached_read` asks SQLite's data_version, so a scenario another gunicorn
        worker switched through `/_mock/` is seen at once)."""
        store = self.runtime.store
        return store.db.cached_read(("enterprise_version",), store.version)


def new_connect_session() -> requests.Session:
    """The session GHES uses to reach GHEC (timeouts are passed on every call)."""
    session = requests.Session()
    session.headers["User-Agent"] = "mock-ghes"
    return session


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a mock GHES app from settings (defaults < MOCK_GHES_* environment < `config`)."""
    settings = load(config)
    require_shared_state(settings["STATE_PATH"], "MOCK_GHES_STATE_PATH")
    runtime = open_runtime(settings)
    app = Flask(__name__, template_folder="templates")
    app.config["TESTING"] = bool(settings.get("TESTING", False))
    app.extensions["connect_session"] = settings["CONNECT_SESSION"] or new_connect_session()
    syncer = ConnectSyncer(runtime, lambda: app.extensions["connect_session"])
    ghes = GhesApp(runtime, syncer)
    app.extensions["ghes"] = ghes

    @app.after_request
    def _live_version(response: Response) -> Response:
        """Every response says which GHES it is (DOMAIN §5); registered before install(), so it runs
        after github_http's headers and the version follows a scenario switch."""
        response.headers["X-GitHub-Enterprise-Version"] = ghes.enterprise_version()
        if request.path.startswith("/_mock"):
            syncer.invalidate()  # reset, scenario or snapshot may have replaced the Connect state
        return response

    policy = HeaderPolicy(enterprise_version=ghes.enterprise_version())
    # A fixed SERVER_NAME makes Flask refuse other hosts: that check lives in Flask, so no hot path.
    hot = [user_hot(runtime, policy, syncer, ghes.enterprise_version)] \
        if settings["HOT_PATHS"] and not settings.get("SERVER_NAME") else []
    kit = install(app, settings=settings, db=runtime.db, clock=runtime.clock, hooks=make_hooks(runtime),
                  headers=policy, is_api=is_api, hot_paths=hot,
                  identify=lambda token: identify(runtime, token), api_prefix=API_PREFIX,
                  accepted_scopes=accepted_scopes,
                  rate_policy=RatePolicy.from_settings(settings, enabled_by_default=False))
    if runtime.seeded_at_open and kit.templates is not None:  # the fresh start, for /_mock/reset to copy back
        kit.templates.keep(runtime.template_key())
    install_web(app, settings["SECRET_KEY"], is_page_post)
    app.jinja_env.globals["product_name"] = PRODUCT_NAME

    def _clock_moved(moment: datetime) -> None:
        """`/_mock/clock` moved time: run a due weekly sync before the control call answers."""
        syncer.run_due(moment)

    runtime.clock.on_change(_clock_moved)

    @app.before_request
    def _weekly_sync() -> None:
        """Time may simply have passed: a cached due time makes this check nearly free."""
        if not request.path.startswith(_UNCHECKED):
            syncer.run_if_due()

    app.register_blueprint(make_api_blueprint())
    app.register_blueprint(make_wire_blueprint(API_PREFIX, lambda: {
        "verifiable_password_authentication": True, "installed_version": ghes.enterprise_version(),
        "domains": {}}, GHES_RATE_LIMIT_DOCS))
    app.register_blueprint(make_connect_blueprint())
    app.register_blueprint(make_manage_blueprint())
    app.register_blueprint(make_pages_blueprint())
    app.register_blueprint(make_reports_blueprint())
    if kit.hot:
        kit.hot.start_answering(app, HOT_ENDPOINTS)
    return app
