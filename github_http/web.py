"""What both apps' server-rendered pages share: sign-in sessions, CSRF protection, the base layout.

Pages are for people demoing the flow in a browser; they sign in with a token (the same
tokens the API takes) and every form carries a CSRF token bound to the session.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Flask, abort, request, session

from .auth import secrets_equal

web = Blueprint("github_web", __name__, template_folder="templates",
                static_folder="static", static_url_path="/static/github")


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
        abort(400, description="The form has expired or did not come from this site (CSRF check failed). Reload the page and try again.")


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


def install_web(app: Flask, secret_key: str, is_page_post: Any = None) -> None:
    """Register the shared layout and CSRF checks on every non-API form POST."""
    app.secret_key = secret_key
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.register_blueprint(web)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["signed_in_as"] = signed_in_as

    @app.before_request
    def _csrf() -> None:
        """Every page form POST must carry the session's CSRF token."""
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and is_page_post and is_page_post(request.path):
            check_csrf()
