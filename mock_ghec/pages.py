"""The server-rendered pages: sign-in, the enterprise License page, its upload form, CSV and row pages.

GitHub does not publish these routes; ours mirror the documented UI (License page, "Enterprise
Server instances", "Add server usage", consumed-license CSV). Only a signed-in owner of an
enterprise sees its pages; anyone else gets a 404, as on the API.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from github_http.pagination import MAX_PAGE
from github_http.web import safe_next_path, sign_in, sign_out, signed_in_as

from . import orgs_reads, reads
from .access import db, store
from .domain import FileTooLarge, NoFile, UsageRefused
from .explain import describe_sources
from .reads import EnterpriseAccess
from .refusals import problems_of, status_of
from .report_api import license_report_download

bp = Blueprint("ghec_pages", __name__, template_folder="templates")
PRODUCT = "GitHub Enterprise Cloud"
PAGE_SIZE = 50


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a page with the shared layout's product name."""
    context.setdefault("enterprise", None)
    return render_template(template, product_name=PRODUCT, **context), status


def owner_page(slug: str) -> EnterpriseAccess:
    """The enterprise if the signed-in person owns it; sign-in first, 404 for anyone else."""
    login = signed_in_as()
    if not login:
        abort(redirect(url_for("ghec_pages.login", next=request.full_path.rstrip("?"))))
    access = reads.enterprise_access(db(), slug, login)
    if access is None or not access.owner:
        abort(404)
    return access


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    return safe_next_path(target)


@bp.get("/")
def home() -> Any:
    """The enterprises the signed-in person owns (or the sign-in page)."""
    login = signed_in_as()
    if not login:
        return redirect(url_for("ghec_pages.login"))
    owned = reads.owned_enterprises(db(), login)
    if len(owned) == 1:
        return redirect(url_for("ghec_pages.license_page", enterprise=owned[0]["slug"]))
    return render("ghec_home.html", enterprises=owned)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with a token (the same tokens the API takes)."""
    next_url = _safe_next(request.values.get("next")) or ""
    if request.method == "GET":
        return render("ghec_login.html", next_url=next_url)
    who = reads.login_for_token(db(), request.form.get("token", "").strip()) if request.form.get("token") else None
    if who is None:
        return render("ghec_login.html", 401, next_url=next_url, error="That token is not valid.")
    sign_in(who)
    return redirect(next_url or url_for("ghec_pages.home"))


@bp.post("/logout")
def logout() -> Any:
    """Sign out."""
    sign_out()
    return redirect(url_for("ghec_pages.login"))


def _license(access: EnterpriseAccess, status: int = 200, **extra: Any) -> tuple[str, int]:
    """The License page for `access`, with the `?q=`/`?page=` slice of consumed licenses."""
    q = request.args.get("q", "")
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    total, rows = reads.search_rows(db(), access.id, q, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render("ghec_license.html", status, enterprise=access, servers=reads.servers(db(), access.id),
                  q=q, page=page, pages=pages, total=total, rows=rows, **extra)


@bp.get("/enterprises/<enterprise>/settings/license")
def license_page(enterprise: str) -> Any:
    """Consumed / purchased, Enterprise Server instances, Add server usage, consumed licenses."""
    return _license(owner_page(enterprise))


@bp.post("/enterprises/<enterprise>/settings/license/server-usage")
def upload(enterprise: str) -> Any:
    """The "Add server usage" form: take the file, or show every problem and change nothing."""
    access = owner_page(enterprise)
    try:
        upload_file = request.files.get("file")
        if upload_file is None or not upload_file.filename:
            raise NoFile("choose a license usage file to upload", message="No file was chosen.")
        result = store().ingest(access.id, access.slug, upload_file.read(), source="upload")
    except RequestEntityTooLarge:
        too_large = FileTooLarge("the file is over the upload size limit", store().settings["MAX_UPLOAD_BYTES"])
        return _license(access, status_of(too_large), problems=problems_of(too_large, access.slug),
                        refusal_message=too_large.message)
    except UsageRefused as error:
        return _license(access, status_of(error), problems=problems_of(error, access.slug),
                        refusal_message=error.message)
    flash(f"Server usage uploaded for {result['host_name']} ({result['server_id']}): "
          f"{result['users_received']} users.", "success")
    for warning in result["warnings"]:
        flash(f"Warning: {warning}", "warn")
    return redirect(url_for("ghec_pages.license_page", enterprise=access.slug))


@bp.get("/enterprises/<enterprise>/settings/license/consumed-licenses.csv")
def consumed_csv(enterprise: str) -> Response:
    """The License page's "CSV report": GitHub's license report (license_report.py), streamed."""
    access = owner_page(enterprise)
    return license_report_download(access, request.args.get("headers"))


@bp.get("/enterprises/<enterprise>/settings/license/users/<int:rownum>")
def row_page(enterprise: str, rownum: int) -> Any:
    """One person's license: its fields and which server accounts merged into it, and why."""
    access = owner_page(enterprise)
    found = reads.row_with_sources(db(), access.id, rownum)
    if found is None:  # a styled page with the way back, not Werkzeug's bare 404
        return render("ghec_row_missing.html", 404, enterprise=access, rownum=rownum)
    row, sources = found
    hosts = {s["server_id"]: s["host_name"] for s in reads.servers(db(), access.id)}
    return render("ghec_row.html", enterprise=access, rownum=rownum, row=row,
                  sources=describe_sources(db(), access.id, row, sources, hosts),
                  license=orgs_reads.verdict_of_row(db(), access.id, rownum))
