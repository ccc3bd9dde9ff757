"""GitHub's public REST routes, at the root as on api.github.com: consumed licenses, sync status, /user, /user/emails.

Each route parses, asks the store (or its reads), serialises. How a consumed-licenses page is put
together is the store's business (`Store.consumed_page`).
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from github_http.api_wire import CALLER_KEY
from github_http.pagination import link_prefix, requested_page
from github_http.private_user import as_json, emails, private_user
from github_http.storage import Database
from github_http.token_kinds import refuse_apps
from github_http.users import UserUrls

from . import reads, token_reads
from .access import caller_login, db, license_access, store
from .page_rows import DEFAULT_PER_PAGE, MAX_PER_PAGE
from .schemas import LicenseSyncStatusSchema

bp = Blueprint("ghec_api", __name__)
JSON = "application/json; charset=utf-8"
_SYNC_STATUS = LicenseSyncStatusSchema()
#: `created_at` of every GitHub.com account (the scenario keeps no account dates).
ACCOUNTS_CREATED = "2020-01-01T00:00:00Z"


@bp.get("/enterprises/<enterprise>/consumed-licenses")
def consumed_licenses(enterprise: str) -> Response:
    """GitHub's "List enterprise consumed licenses": per_page (30, max 100), page, Link."""
    access = license_access(enterprise)
    page = requested_page(default_size=DEFAULT_PER_PAGE, max_size=MAX_PER_PAGE)
    body, link, etag = store().consumed_page(access, page, link_prefix(page))
    return Response(body, content_type=JSON, headers=[("Link", link), ("ETag", etag)] if link else [("ETag", etag)])


@bp.get("/enterprises/<enterprise>/license-sync-status")
def license_sync_status(enterprise: str) -> Response:
    """GitHub's "Get a license sync status": every server instance with its last sync.

    Our choices (docs/ghec.md): uploads count as syncs; a server registered through Connect
    that never pushed shows status "never_synced" dated at its registration.
    """
    access = license_access(enterprise)
    instances = []
    for server in reads.servers(db(), access.id):
        status = server["sync_status"] or "never_synced"
        instances.append({"server_id": server["server_id"], "hostname": server["host_name"],
                          "last_sync": {"date": server["sync_at"] or server["event_at"], "status": status,
                                        "error": server["sync_error"] if status == "error" else ""}})
    return jsonify(_SYNC_STATUS.dump({"server_instances": instances}))


@bp.get("/user")
def user() -> Response:
    """GitHub's "Get the authenticated user" as private-user (API URLs on this server, pages on github.com).

    Our choices (docs/ghec.md): the scenario keeps no account dates, so `created_at` is
    ACCOUNTS_CREATED; the email is the primary (first verified) address.
    """
    login = caller_login()
    refuse_apps(request.environ.get(CALLER_KEY))
    return Response(private_user_body(db(), login, request.url_root), content_type=JSON)


def private_user_body(db: Database, login: str, url_root: str) -> bytes:
    """`GET /user`'s body for `login` asked at `url_root` (this route's and its hot path's, api_hot.py),
    kept until the next write (`cached_read`): every GitHub client asks it first, and building it
    was most of the request's cost."""
    def build() -> bytes:
        account = reads.account(db, login) or {"id": 0, "login": login, "name": None}
        addresses = token_reads.account_emails(db, account["id"])
        primary = next((address for address, verified in addresses if verified), None)
        urls = UserUrls(url_root, "https://github.com", "https://avatars.githubusercontent.com/u/")
        payload = private_user(urls, login=account["login"], user_id=account["id"],
                               node_id=f"U_mock{account['id']}", name=account["name"] or None,
                               email=primary, site_admin=False, created_at=ACCOUNTS_CREATED, two_factor=True)
        return as_json(payload)

    return db.cached_read(("private_user", login, url_root), build)


@bp.get("/user/emails")
def user_emails() -> Response:
    """GitHub's "List email addresses for the authenticated user"."""
    account = reads.account(db(), caller_login())
    refuse_apps(request.environ.get(CALLER_KEY))
    addresses = token_reads.account_emails(db(), account["id"]) if account else []
    return jsonify(emails(addresses, next((a for a, verified in addresses if verified), None)))
