"""GitHub's public REST routes, at the root as on api.github.com: consumed licenses, sync status, /user.

Each route parses, asks the store (or its reads), serialises. How a consumed-licenses page is put
together is the store's business (`Store.consumed_page`).
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from github_http.pagination import link_prefix, requested_page
from github_http.users import UserUrls, simple_user

from . import reads
from .access import caller_login, db, owned_enterprise, store
from .page_rows import DEFAULT_PER_PAGE, MAX_PER_PAGE
from .schemas import LicenseSyncStatusSchema, UserSchema

bp = Blueprint("ghec_api", __name__)
JSON = "application/json; charset=utf-8"
_SYNC_STATUS = LicenseSyncStatusSchema()
_USER = UserSchema()


@bp.get("/enterprises/<enterprise>/consumed-licenses")
def consumed_licenses(enterprise: str) -> Response:
    """GitHub's "List enterprise consumed licenses": per_page (30, max 100), page, Link."""
    access = owned_enterprise(enterprise)
    page = requested_page(default_size=DEFAULT_PER_PAGE, max_size=MAX_PER_PAGE)
    body, link = store().consumed_page(access, page, link_prefix(page))
    return Response(body, content_type=JSON, headers=[("Link", link)] if link else None)


@bp.get("/enterprises/<enterprise>/license-sync-status")
def license_sync_status(enterprise: str) -> Response:
    """GitHub's "Get a license sync status": every server instance with its last sync.

    Our choices (docs/ghec.md): uploads count as syncs; a server registered through Connect
    that never pushed shows status "never_synced" dated at its registration.
    """
    access = owned_enterprise(enterprise)
    instances = []
    for server in reads.servers(db(), access.id):
        status = server["sync_status"] or "never_synced"
        instances.append({"server_id": server["server_id"], "hostname": server["host_name"],
                          "last_sync": {"date": server["sync_at"] or server["event_at"], "status": status,
                                        "error": server["sync_error"] if status == "error" else ""}})
    return jsonify(_SYNC_STATUS.dump({"server_instances": instances}))


@bp.get("/user")
def user() -> Response:
    """GitHub's "Get the authenticated user" as simple-user (API URLs on this server, pages on github.com)."""
    login = caller_login()
    account = reads.account(db(), login) or {"id": 0, "login": login, "name": None}
    urls = UserUrls(request.url_root, "https://github.com", "https://avatars.githubusercontent.com/u/")
    return jsonify(_USER.dump(simple_user(urls, login=account["login"], user_id=account["id"],
                                          node_id=f"U_mock{account['id']}", name=account["name"] or None,
                                          email=None, site_admin=False)))
