"""GitHub's site-admin reports: `GET /stafftools/reports/{report}.csv` (DOMAIN.md §8).

Auth as GitHub documents it: a site admin's personal access token (classic) with the `site_admin`
scope (an App installation token, a fine-grained token, or a classic token without the scope, is
a 403), sent as
`Authorization: token …` or as the password of HTTP Basic (`curl --user LOGIN:TOKEN`), or the
signed-in site admin's page session (the Reports page's links). No credentials 401, a token of
someone who is not a site admin 403. First request with nothing cached: 202; the next one
builds the report from the state of that moment and downloads it (see report_store).

The mock GHES has no organizations or repositories, so those two reports are a header row.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from github_http import GitHubError, isoformat, parse_time
from github_http.auth import basic_credentials, presented_token, token_digest
from github_http.csv_cells import csv_text
from github_http.errors import not_found, requires_authentication
from github_http.token_kinds import classic_refusal
from github_http.web import signed_in_as

from .access import api_user, ghes
from .domain import UnknownUser
from .identity import ADMIN_SCOPE, identify
from .pages import admin_page
from .report_schemas import (
    OrganizationReportRowSchema,
    RepositoryReportRowSchema,
    UserReportRowSchema,
    columns,
)

UserFilter = Callable[[dict[str, Any]], bool]
USER_REPORTS: dict[str, UserFilter] = {
    "all_users": lambda u: True,
    "active_users": lambda u: not u["suspended"] and not u["dormant"],
    "dormant_users": lambda u: bool(u["dormant"]),
    "suspended_users": lambda u: bool(u["suspended"]),
}
OTHER_REPORTS = {"all_organizations": OrganizationReportRowSchema, "all_repositories": RepositoryReportRowSchema}
REPORTS = (*USER_REPORTS, *OTHER_REPORTS)


def _time(text: str | None) -> str:
    """A stored time as the reports write it: ISO 8601 UTC, or empty when there is none."""
    return isoformat(parse_time(text)) if text else ""


def _made_up_ip(user_id: int) -> str:
    """The mock keeps no sign-in history: a stable private address stands in for the last one."""
    return f"10.{(user_id >> 16) & 255}.{(user_id >> 8) & 255}.{user_id & 255}"


def user_report_row(user: dict[str, Any]) -> dict[str, Any]:
    """One account as a report row (before serialising)."""
    emails = json.loads(user["emails_json"])
    return {"created_at": _time(user["created_at"]), "id": user["id"], "login": user["login"],
            "email": next((e["address"] for e in emails if e["primary"]), ""),
            "role": "admin" if user["site_admin"] else "user", "suspended": user["suspended"],
            "last_logged_ip": _made_up_ip(user["id"]) if user["last_active_at"] else "",
            "repos": 0, "ssh_keys": 1 if user["canary"] else 0, "org_memberships": 0,
            "dormant": user["dormant"], "last_active": _time(user["last_active_at"]),
            "raw_login": json.dumps(user["login"]), "two_factor": False}


def build_report(name: str, users: list[dict[str, Any]]) -> bytes:
    """The CSV file of report `name` from the given accounts."""
    if name in USER_REPORTS:
        schema = UserReportRowSchema()
        keep = USER_REPORTS[name]
        dumped = [schema.dump(user_report_row(u)) for u in users if keep(u)]
        header = columns(schema)
        return csv_text(header, ([row.get(c, "") for c in header] for row in dumped)).encode("utf-8")
    return csv_text(columns(OTHER_REPORTS[name]()), []).encode("utf-8")


def _require_site_admin() -> None:
    """A site admin's token (token/Bearer or Basic password) or signed-in page session, else 401/403."""
    basic = basic_credentials()
    token = basic[1] if basic is not None else presented_token()
    if basic is not None:
        user = ghes().runtime.store.user_by_token(token_digest(basic[1]))
        if user is None:
            raise GitHubError(401, "Bad credentials")
    elif token is not None:
        user = api_user()
    else:
        login = signed_in_as()
        if not login:
            raise requires_authentication()
        try:
            user = ghes().runtime.store.user(login)
        except UnknownUser as error:
            raise requires_authentication() from error
    if user["suspended"]:
        raise GitHubError(403, "Sorry. Your account was suspended.")
    if not user["site_admin"]:
        raise GitHubError(403, "You must be a site administrator to do that.")
    refused = classic_refusal(identify(ghes().runtime, token), ADMIN_SCOPE) if token is not None else None
    if refused is not None:  # GitHub: a personal access token (classic) with the site_admin scope
        raise GitHubError(403, refused)


def make_reports_blueprint() -> Blueprint:
    """The Reports page and its CSV downloads."""
    bp = Blueprint("ghes_reports", __name__)

    @bp.get("/stafftools/reports")
    @admin_page
    def reports_page() -> str:
        """The site-admin Reports page: one download link per report."""
        return render_template("ghes_reports.html", reports=REPORTS)

    @bp.get("/stafftools/reports/<name>.csv")
    def report(name: str) -> Response | tuple[Response, int]:
        """One report: 202 while it is being built, then the CSV as a download."""
        if name not in REPORTS:
            raise not_found()
        _require_site_admin()
        runtime = ghes().runtime
        now = runtime.clock.now()
        cached = runtime.reports.lookup(name, now)
        if not cached.requested:
            runtime.reports.request(name, now)
            return jsonify({"message": f"The {name} report is being generated; request it again to download it."}), 202
        body = cached.body
        if body is None:
            body = build_report(name, runtime.reports.user_rows())
            runtime.reports.save(name, body, now)
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.headers["Cache-Control"] = "no-store"
        return response

    return bp
