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
from github_http.rate_limit import DOCS_RATE_LIMITS as DOCS
from github_http.rate_limit import RatePolicy
from github_http.state_check import check_state_file
from github_http.storage import require_shared_state
from github_http.web import install_web
from github_http.wire_routes import make_wire_blueprint
from scenarios.file.use import read_file_setting

from . import reads
from . import settings as settings_module
from .api import bp as api_bp
from .api_hot import HOT_ENDPOINTS, consumed_licenses_hot, user_hot
from .control import make_hooks
from .identity import accepted_scopes, identify
from .orgs_api import bp as orgs_bp
from .orgs_http import install as install_orgs
from .pages import PRODUCT
from .pages import bp as pages_bp
from .report_api import bp as report_api_bp
from .scim_api import bp as scim_bp
from .scim_store import ScimStore
from .server_usage import bp as server_usage_bp
from .store import Store

#: Room for the multipart envelope around a file of MAX_UPLOAD_BYTES.
MULTIPART_SLACK = 1 << 20
_PAGE_MARKER = "/settings/"


_PAGES = ("/", "/login", "/logout")


def is_page(path: str) -> bool:
    """The pages: home, sign-in/out, an enterprise's settings, the layout's assets."""
    return path in _PAGES or path.startswith("/static/") or (path.startswith("/enterprises/") and _PAGE_MARKER in path)


def is_api(path: str) -> bool:
    """REST paths (GitHub JSON errors and headers): everything at the root but the pages and `/_mock/`,
    as on api.github.com, so an unknown path is GitHub's JSON 404."""
    return not is_page(path) and not path.startswith("/_mock")


def is_page_post(path: str) -> bool:
    """Form posts that need the session's CSRF token: every non-API, non-control path."""
    return not is_api(path) and not path.startswith("/_mock")


def too_large_message(path: str) -> str:
    """The 413 message of a body declared over the limit: the upload routes' own on theirs."""
    return "The license usage file is too large." if path.endswith("/server-usage") else "Request Entity Too Large"


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
    check_state_file(settings["STATE_PATH"], "ghec")  # not a text file, a directory, nor GHES's state
    db = Database(settings["STATE_PATH"] or None)
    clock = Clock(db)
    marker = settings.get("TEST_HOLD_BEFORE_COMMIT")
    store = Store(db, clock, settings, before_commit=hold_until_marker_deleted(marker) if marker else no_hold)
    built = read_file_setting(settings)  # a file read, checked and built once
    spec = store.default_spec()
    built = built if spec.get("file") is not None else None
    seeded = reads.scenario_spec(db) is None and store.load_if_empty(
        spec, built if built is not None and built.seed == spec["seed"] else None)
    app.extensions["ghec_store"] = store
    app.extensions["ghec_orgs"] = ScimStore(store)
    policy = HeaderPolicy()  # the rate-limit headers are api_wire.py's, counted per token
    # A fixed SERVER_NAME makes Flask refuse other hosts: that check lives in Flask, so no hot path.
    hot_paths_on = settings["HOT_PATHS"] and not settings.get("SERVER_NAME")
    hot = [consumed_licenses_hot(store, policy), user_hot(db, policy)] if hot_paths_on else []
    kit = install(app, settings=settings, db=db, clock=clock, hooks=make_hooks(store), headers=policy,
                  is_api=is_api, hot_paths=hot, identify=lambda token: identify(db, token),
                  accepted_scopes=accepted_scopes, too_large_message=too_large_message,
                  rate_policy=RatePolicy.from_settings(settings, enabled_by_default=True))
    if seeded and kit.templates is not None:  # the fresh start, for /_mock/reset to copy back
        kit.templates.keep(store.template_key())
    install_web(app, settings["SECRET_KEY"], is_page_post)
    app.jinja_env.globals["product_name"] = PRODUCT  # the shared 404 page names the product
    for blueprint in (api_bp, server_usage_bp, pages_bp, report_api_bp):
        app.register_blueprint(blueprint)
    install_orgs(app, orgs_bp, scim_bp)
    app.register_blueprint(make_wire_blueprint("", lambda: {"verifiable_password_authentication": False,
                                                            "domains": {"website": ["github.com"]}}, DOCS))
    if kit.hot:
        kit.hot.start_answering(app, HOT_ENDPOINTS)
    return app
