"""`create_app(config=None)`: the mock GitHub Enterprise Cloud as a Flask app (no import-time I/O).

Wires the shared GitHub plumbing (errors, headers with rate limits, `/_mock/`, journal, pages
with CSRF) around this app's store and blueprints. With `STATE_PATH` naming an existing
database the app serves what is there; otherwise it builds the scenario from the settings.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from github_http import Clock, Database, install
from github_http.api_headers import HeaderPolicy
from github_http.crash_hold import hold_until_marker_deleted, no_hold
from github_http.storage import require_shared_state
from github_http.web import install_web

from . import reads
from . import settings as settings_module
from .api import bp as api_bp
from .api_hot import HOT_ENDPOINTS, consumed_licenses_hot
from .control import make_hooks
from .pages import bp as pages_bp
from .server_usage import bp as server_usage_bp
from .store import Store

#: Room for the multipart envelope around a file of MAX_UPLOAD_BYTES.
MULTIPART_SLACK = 1 << 20
_PAGE_MARKER = "/settings/"


def is_api(path: str) -> bool:
    """REST paths (GitHub JSON errors and headers): /user and /enterprises/… except settings pages."""
    return path == "/user" or (path.startswith("/enterprises/") and _PAGE_MARKER not in path)


def is_page_post(path: str) -> bool:
    """Form posts that need the session's CSRF token: every non-API, non-control path."""
    return not is_api(path) and not path.startswith("/_mock")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults < MOCK_GHEC_* environment < `config` (see mock_ghec.settings)."""
    settings = settings_module.load(config)
    app = Flask(__name__, static_folder=None)  # the shared layout serves its own static files
    app.config["TESTING"] = bool(settings.get("TESTING", False))
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_UPLOAD_BYTES"]) + MULTIPART_SLACK
    app.config["MAX_FORM_MEMORY_SIZE"] = int(settings["MAX_UPLOAD_BYTES"]) + MULTIPART_SLACK
    if settings.get("SERVER_NAME"):
        app.config["SERVER_NAME"] = settings["SERVER_NAME"]
    require_shared_state(settings["STATE_PATH"], settings_module.ENV_PREFIX + "STATE_PATH")
    db = Database(settings["STATE_PATH"] or None)
    clock = Clock(db)
    marker = settings.get("TEST_HOLD_BEFORE_COMMIT")
    store = Store(db, clock, settings, before_commit=hold_until_marker_deleted(marker) if marker else no_hold)
    seeded = reads.scenario_spec(db) is None and store.load_if_empty(store.default_spec())
    app.extensions["ghec_store"] = store
    policy = HeaderPolicy(rate_limit=5000)
    # A fixed SERVER_NAME makes Flask refuse other hosts: that check lives in Flask, so no hot path.
    hot = [consumed_licenses_hot(store, policy)] if settings["HOT_PATHS"] and not settings.get("SERVER_NAME") else []
    kit = install(app, settings=settings, db=db, clock=clock, hooks=make_hooks(store), headers=policy,
                  is_api=is_api, hot_paths=hot)
    if seeded and kit.templates is not None:  # the fresh start, for /_mock/reset to copy back
        kit.templates.keep(store.template_key())
    install_web(app, settings["SECRET_KEY"], is_page_post)
    for blueprint in (api_bp, server_usage_bp, pages_bp):
        app.register_blueprint(blueprint)
    if kit.hot:
        kit.hot.start_answering(app, HOT_ENDPOINTS)
    return app
