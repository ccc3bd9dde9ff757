"""What both apps' server-rendered pages share: sign-in sessions, CSRF protection, page headers, the layout.

Pages are for people demoing the flow in a browser; they sign in with a token (the same
tokens the API takes) and every form carries a CSRF token bound to the session. Page
responses carry a Content-Security-Policy that allows scripts and styles from this origin
only, so an injected `<script>` could not run even if escaping ever failed; the pages' own
JavaScript is therefore always a static file, never inline.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from flask import Blueprint, Flask, Response, abort, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from .auth import secrets_equal
from .host_guard import browser_refusal

STATIC = Path(__file__).with_name("static")
ASSET_MAX_AGE = 365 * 24 * 3600


class _AssetBlueprint(Blueprint):
    """Serves the shared CSS/JS/icon as cacheable for a year: their URLs carry a digest of the
    content (`asset_url`), so a changed file is a new URL and a browser never keeps a stale one.
    Saves a request per asset on every page a person (or a browser test) opens."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        return ASSET_MAX_AGE


web = _AssetBlueprint("github_web", __name__, template_folder="templates",
                      static_folder="static", static_url_path="/static/github")

#: No inline script or style, nothing from another origin, no framing, forms post here only.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never in a path we redirect to
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY",
                "Referrer-Policy": "same-origin"}


def csrf_token() -> str:
    """The session's CSRF token, created on first use (rendered into every form)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Refuse a state-changing page request whose form token does not match the session's."""
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
    expected = session.get("csrf", "")
    if not expected or not secrets_equal(sent, expected):
        abort(400, description="The form has expired or did not come from this site (CSRF check failed). "
                               "Reload the page and try again.")


def safe_next_path(target: str | None) -> str | None:
    """`target` if it is a path on this site to go to after sign-in, else None (no open redirect).

    Refused: anything but "/" + a path; "//" (another host, also "/\t/" once a browser drops
    the tab); a backslash (browsers read "/\\" as "//"); control characters (CR/LF would also
    break the Location header). Checked on the text as given AND after percent-decoding,
    since the value travels through a query string.
    """
    if not target:
        return None
    for text in (target, unquote(target)):
        if not text.startswith("/") or text.startswith("//") or "\\" in text or _CONTROL.search(text):
            return None
    return target


def sign_in(principal: str) -> None:
    """Start a page session for `principal` (a login), with a fresh CSRF token."""
    session.clear()
    session["who"] = principal
    session["csrf"] = secrets.token_urlsafe(32)


def sign_out() -> None:
    """End the page session."""
    session.clear()


def signed_in_as() -> str | None:
    """The login of the page session, or None."""
    return session.get("who")


def session_cookie_name(app: Flask, secret_key: str) -> str:
    """A cookie name of this app's own.

    Cookies are scoped by host, not port: with the mock GHES on 127.0.0.1:8081 and the mock
    GHEC on 127.0.0.1:8082 in one browser, a shared name ("session") would make signing in to
    one sign you out of the other. The product and a digest of the signing key tell them (and
    several GHES instances, whose keys differ) apart.
    """
    product = app.import_name.split(".")[0]
    return f"{product}_session_{hashlib.sha256(secret_key.encode()).hexdigest()[:8]}"


def github_date(value: Any) -> str:
    """An ISO 8601 time as GitHub writes dates on its pages ("Jun 3, 2025, 14:02 UTC"); "" for none."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%b} {moment.day}, {moment.year}, {moment:%H:%M} UTC"


@lru_cache(maxsize=64)
def _asset_digest(filename: str, mtime_ns: int) -> str:
    """A short digest of a shared static file's content, read again only when the file changes."""
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """The URL of a shared static file, fingerprinted by its content (see _AssetBlueprint)."""
    digest = _asset_digest(filename, (STATIC / filename).stat().st_mtime_ns)
    return url_for("github_web.static", filename=filename, v=digest)


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened only on pages.

    WHY: the API and the control plane never use the page session (they take tokens), yet
    opening one (building the signing serializer, reading the cookie) was about a tenth of
    the cost of serving a consumed-licenses page. Elsewhere the session is Flask's empty,
    read-only null session, and nothing is saved.
    """

    def __init__(self, is_page: Callable[[str], bool]) -> None:
        """`is_page(path)`: the paths whose requests get a real session."""
        self._is_page = is_page

    def open_session(self, app: Flask, request: Any) -> Any:
        """The real session on pages, the null session anywhere else."""
        if not self._is_page(request.path):
            return self.make_null_session(app)
        return super().open_session(app, request)


def install_web(app: Flask, secret_key: str, is_page_post: Callable[[str], bool] | None = None) -> None:
    """Register the shared layout, the page session, CSRF checks on form POSTs and the page headers.

    `is_page_post(path)` says which paths are pages (not the API, not the control plane):
    their POSTs need the CSRF token and their HTML answers get the security headers.
    """
    app.secret_key = secret_key
    if is_page_post is not None:
        app.session_interface = PageSessionInterface(is_page_post)
    app.config["SESSION_COOKIE_NAME"] = session_cookie_name(app, secret_key)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.register_blueprint(web)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["signed_in_as"] = signed_in_as
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.filters["github_date"] = github_date

    @app.before_request
    def _csrf() -> None:
        """Every page form POST must carry the session's CSRF token."""
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and is_page_post and is_page_post(request.path) \
                and request.routing_exception is None:  # no such page: its 404, not a CSRF refusal
            refusal = browser_refusal(request, app.config.get("ALLOWED_HOSTS") or frozenset(),
                                      check_host=True, control_plane=False)
            if refusal:  # the session cookie would ride along: only this site's own pages may post
                abort(403, description=refusal)
            check_csrf()

    @app.after_request
    def _page_headers(response: Response) -> Response:
        """HTML pages forbid inline script and framing; page assets are never content-sniffed."""
        if is_page_post is None or is_page_post(request.path):
            if response.mimetype == "text/html":
                for name, value in PAGE_HEADERS.items():
                    response.headers.setdefault(name, value)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
