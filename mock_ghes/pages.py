"""The server-rendered pages: sign-in, the enterprise License page and the users list.

Only signed-in site admins see the enterprise pages; others are sent to /login or shown a
403 page. Every form carries the session's CSRF token (github_http.web checks it); Jinja
escapes everything it prints. The routes of these pages are the mock's own (GitHub's UI
routes are not an API), chosen to read like the appliance's.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse  # what redirect() returns

from github_http import isoformat
from github_http.auth import token_digest
from github_http.pagination import MAX_PAGE
from github_http.web import safe_next_path, sign_in, sign_out, signed_in_as

from .access import ghes
from .api import export_response, wants_encrypted
from .connect import ConnectRefused, connect_payload, sync_now, update_connect
from .domain import UnknownUser
from .usage import build_usage

USERS_PER_PAGE = 50


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a local path only, never another site."""
    return safe_next_path(target) or url_for("ghes_pages.license_page")


def admin_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only a signed-in, unsuspended site admin through; others go to /login or get a 403 page."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        """Check the session's user on every request (an admin may have been demoted or suspended)."""
        login = signed_in_as()
        user = None
        if login:
            try:
                user = ghes().runtime.store.user(login)
            except UnknownUser:
                user = None
        if user is None or user["suspended"]:
            sign_out()
            return redirect(url_for("ghes_pages.login", next=request.full_path.rstrip("?")))
        if not user["site_admin"]:
            return render_template("ghes_forbidden.html", user=user), 403
        g.page_user = user
        return view(*args, **kwargs)

    return wrapper


def make_pages_blueprint() -> Blueprint:
    """Build the pages blueprint."""
    bp = Blueprint("ghes_pages", __name__)

    @bp.get("/")
    def home() -> WerkzeugResponse:
        """The appliance's landing page for an admin is the License page here."""
        return redirect(url_for("ghes_pages.license_page"))

    @bp.get("/login")
    def login() -> str:
        """The sign-in form: a token, as the API takes."""
        return render_template("ghes_login.html", next=request.args.get("next", ""))

    @bp.post("/login")
    def login_submit() -> Any:
        """Sign in with a token; an unknown or suspended account is refused with the form again."""
        token = request.form.get("token", "").strip()
        user = ghes().runtime.store.user_by_token(token_digest(token)) if token else None
        if user is None or user["suspended"]:
            message = "Incorrect token." if user is None else "Your account is suspended."
            return render_template("ghes_login.html", error=message, next=request.form.get("next", "")), 401
        ghes().runtime.store.mark_signed_in(user["login"], isoformat(ghes().runtime.clock.now()))
        sign_in(user["login"])
        return redirect(_safe_next(request.form.get("next")))

    @bp.post("/logout")
    def logout() -> WerkzeugResponse:
        """Sign out (a POST with CSRF, so a link cannot sign anyone out)."""
        sign_out()
        return redirect(url_for("ghes_pages.login"))

    @bp.get("/enterprise/settings/license")
    @admin_page
    def license_page() -> str:
        """Seats, expiry, Quick links (Export license usage) and the License sync section."""
        runtime = ghes().runtime
        instance = runtime.store.instance()
        return render_template("ghes_license.html", license=runtime.store.license_info(runtime.clock.now()),
                               instance=instance, instance_name=instance["host_name"], connect=connect_payload())

    @bp.get("/enterprise/settings/license/export")
    @admin_page
    def export_page() -> Response:
        """"Export license usage": the download (encrypted unless ?encrypted=false)."""
        return export_response(build_usage(ghes().runtime, encrypted=wants_encrypted()))

    @bp.post("/enterprise/settings/license/connect")
    @admin_page
    def connect_submit() -> WerkzeugResponse:
        """Save the GitHub Connect form; an empty token field keeps the saved token."""
        form = request.form
        changes = {"ghec_url": form.get("ghec_url", ""), "enterprise": form.get("enterprise", ""),
                   "token": form.get("token", ""), "license_sync": form.get("license_sync") == "on"}
        try:
            state = update_connect(changes)
            if state["registration_error"]:
                flash(f"Settings saved, but registering with GitHub Enterprise Cloud failed: "
                      f"{state['registration_error']}", "error")
            else:
                flash("GitHub Connect settings saved.", "success")
        except ConnectRefused as error:
            flash(str(error), "error")
        return redirect(url_for("ghes_pages.license_page") + "#license-sync")

    @bp.post("/enterprise/settings/license/sync")
    @admin_page
    def sync_submit() -> WerkzeugResponse:
        """"Sync now": push the usage and say how it went."""
        try:
            attempt = sync_now()
            if attempt["result"] == "success":
                flash(f"License usage synced: {attempt['users_sent']} users sent.", "success")
            else:
                flash(f"License sync failed: {attempt['error']}", "error")
        except ConnectRefused as error:
            flash(str(error), "error")
        return redirect(url_for("ghes_pages.license_page") + "#license-sync")

    @bp.get("/enterprise/users")
    @admin_page
    def users_page() -> str:
        """Every account, searchable by login, name or email; suspended ones marked."""
        q = request.args.get("q", "")
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
        store = ghes().runtime.store
        users, total = store.search_users(q, USERS_PER_PAGE, (page - 1) * USERS_PER_PAGE)
        everyone = store.search_users("", 0, 0)[1] if q.strip() else total  # the badge counts every user
        pages = max((total + USERS_PER_PAGE - 1) // USERS_PER_PAGE, 1)
        return render_template("ghes_users.html", users=users, total=total, everyone=everyone, q=q, page=page,
                               pages=pages,
                               instance_name=ghes().runtime.store.instance()["host_name"])

    return bp
