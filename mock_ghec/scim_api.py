"""GitHub's SCIM users for organizations and for enterprises with managed users (EMU), and Visual
Studio subscription matching (`reference/ghec-membership-endpoints.json`).

Lists take SCIM's `startIndex`/`count` and GitHub's `filter` (`attribute eq "value"`, one
attribute). Besides the owner's role, a classic or OAuth-app token needs `admin:org`
(organizations) or `scim:enterprise` (EMU enterprises); a refusal is a SCIM error. Every change
recomputes consumed licenses in the same transaction (scim_store).
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from github_http.api_wire import CALLER_KEY
from github_http.request_guard import json_body
from github_http.token_kinds import missing_scope

from . import orgs_reads
from .access import db, owned_enterprise
from .identity import ENTERPRISE_SCIM_SCOPE, ORG_SCIM_SCOPE
from .orgs_errors import Forbidden, Invalid, NotFound
from .orgs_http import SCIM_JSON, no_content, orgs_store, owner_of, page_of
from .orgs_reads import SCIM_ENTERPRISE, Org
from .orgs_schemas import (
    SCIM_LIST,
    SCIM_USER,
    ScimEnterpriseUserListSchema,
    ScimEnterpriseUserSchema,
    ScimUserListSchema,
    ScimUserSchema,
    VisualStudioAssignmentSchema,
    VisualStudioListSchema,
)
from .scim_store import ATTRIBUTES, checked, resource_of

bp = Blueprint("ghec_scim", __name__)
_FILTER = re.compile(r"""^\s*(\w+)\s+eq\s+(?:"([^"]*)"|'([^']*)')\s*$""", re.IGNORECASE)
_COLUMNS = {"id": "id", "username": "user_name", "externalid": "external_id", "displayname": "display_name",
            "emails": "emails"}
_ORG_FILTERS, _ENTERPRISE_FILTERS = ("id", "username", "emails", "externalid"), ("username", "externalid", "id",
                                                                                  "displayname")
_VS, _VS_LIST = VisualStudioAssignmentSchema(), VisualStudioListSchema()


def _answer(body: dict[str, Any], status: int = 200) -> Response:
    """A SCIM JSON answer."""
    response = jsonify(body)
    response.status_code, response.content_type = status, SCIM_JSON
    return response


def _user_json(row: dict[str, Any], location: str, enterprise: bool) -> dict[str, Any]:
    """A SCIM user as GitHub's `scim-user` or `scim-enterprise-user-response`."""
    body: dict[str, Any] = {
        "schemas": [SCIM_USER], "id": row["id"], "externalId": row["external_id"], "userName": row["user_name"],
        "displayName": row["display_name"], "name": {"givenName": row["given_name"], "familyName": row["family_name"]},
        "emails": row["emails"], "active": row["active"],
        "meta": {"resourceType": "User", "created": row["created"], "lastModified": row["modified"],
                 "location": f"{request.url_root.rstrip('/')}{location}/{row['id']}"}}
    if enterprise:
        return ScimEnterpriseUserSchema().dump({**body, "roles": row["roles"]})
    return ScimUserSchema().dump(body)


def _filtered(rows: list[dict[str, Any]], allowed: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows `?filter=` selects (SCIM `eq`, case-insensitive as GitHub compares names)."""
    raw = request.args.get("filter")
    if raw is None:
        return rows
    found = _FILTER.match(raw)
    if not found or found.group(1).lower() not in allowed:
        raise Invalid(f"filter must be one of {', '.join(allowed)} with eq, e.g. userName eq \"octocat\"")
    column, value = _COLUMNS[found.group(1).lower()], (found.group(2) if found.group(2) is not None else found.group(3))
    if column == "emails":
        return [r for r in rows if any(e["value"].lower() == value.lower() for e in r["emails"])]
    return [r for r in rows if str(r[column] or "").lower() == value.lower()]


def _listed(rows: list[dict[str, Any]], location: str, enterprise: bool) -> Response:
    """A SCIM ListResponse page (startIndex is 1-based)."""
    try:
        start = max(int(request.args.get("startIndex", 1)), 1)
        count = max(int(request.args.get("count", 100)), 0)
    except ValueError as error:
        raise Invalid("startIndex and count must be integers") from error
    chunk = rows[start - 1:start - 1 + count]
    schema = ScimEnterpriseUserListSchema() if enterprise else ScimUserListSchema()
    return _answer(schema.dump({"schemas": [SCIM_LIST], "totalResults": len(rows), "itemsPerPage": len(chunk),
                                "startIndex": start,
                                "Resources": [_user_json(r, location, enterprise) for r in chunk]}))


def _patched(row: dict[str, Any], body: Any) -> dict[str, Any]:
    """SCIM PATCH: add/replace/remove on the user's attributes (with a path, or a value object)."""
    ops = body.get("Operations", body.get("operations")) if isinstance(body, dict) else None
    if not isinstance(ops, list) or not ops:
        raise Invalid("Operations must be a non-empty list")
    schemas = body.get("schemas", [])
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise Invalid("schemas must be a list of schema URIs", "schemas")
    resource = resource_of(row)
    for op in ops:
        kind = str(op.get("op", "")).lower() if isinstance(op, dict) else ""
        if kind not in ("add", "replace", "remove"):
            raise Invalid("each operation needs op: add, replace or remove")
        path, value = op.get("path"), op.get("value")
        if path is None and isinstance(value, dict):
            changes = value
        elif isinstance(path, str) and path.split(".")[0] in ATTRIBUTES:
            changes = {path: None if kind == "remove" else value}
        else:
            raise Invalid(f"unsupported path {path!r}")
        for key, new in changes.items():
            head, _, tail = key.partition(".")
            if head not in ATTRIBUTES:
                raise Invalid(f"unsupported attribute {key!r}")
            if tail:
                resource[head] = {**(resource.get(head) or {}), tail: new}
            else:
                resource[head] = new
    return checked(resource, ("userName",))


def _scoped(needed: str) -> None:
    """GitHub's 403 (a SCIM error, to_http) when the caller's classic or OAuth-app token lacks
    `needed`; SCIM is enabled for GitHub Apps, so an installation token passes on its owner's role."""
    reason = missing_scope(request.environ.get(CALLER_KEY), needed)
    if reason is not None:
        raise Forbidden(reason)


# -- organizations -----------------------------------------------------------------------------
def _org_scope(org: str) -> tuple[Org, tuple[int, str], str]:
    """(the organization, its owner calling, the SCIM location); EMU organizations have no org SCIM."""
    o, who = owner_of(org)
    _scoped(ORG_SCIM_SCOPE)
    if o.managed_users:
        raise NotFound("SCIM for organizations is not available with Enterprise Managed Users")
    return o, who, f"/scim/v2/organizations/{o.login}/Users"


@bp.get("/scim/v2/organizations/<org>/Users")
def org_list(org: str) -> Response:
    """GitHub's "List SCIM provisioned identities" (filter: id, userName, emails, externalId)."""
    o, _, location = _org_scope(org)
    return _listed(_filtered(orgs_reads.scim_users(db(), o.enterprise_id, "org:" + o.login), _ORG_FILTERS),
                   location, False)


@bp.post("/scim/v2/organizations/<org>/Users")
def org_create(org: str) -> Response:
    """GitHub's "Provision and invite a SCIM user" (201)."""
    o, who, location = _org_scope(org)
    scim_id = orgs_store().provision_org_user(o, json_body(), who)
    row = orgs_reads.scim_user(db(), o.enterprise_id, "org:" + o.login, scim_id)
    return _answer(_user_json(row or {}, location, False), 201)


@bp.route("/scim/v2/organizations/<org>/Users/<scim_user_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
def org_user(org: str, scim_user_id: str) -> Response:
    """GitHub's get / replace / patch / delete of one organization SCIM user."""
    o, _, location = _org_scope(org)
    return _one(o.enterprise_id, "org:" + o.login, scim_user_id, location, o)


# -- enterprises with managed users ----------------------------------------------------------------
def _enterprise_scope(enterprise: str) -> tuple[int, str, str]:
    """(enterprise id, slug, location) for an enterprise owner of an EMU enterprise; otherwise 404."""
    access = owned_enterprise(enterprise)
    if not orgs_reads.managed_users(db(), access.id):
        raise NotFound("SCIM for enterprises is only available with Enterprise Managed Users")
    _scoped(ENTERPRISE_SCIM_SCOPE)
    return access.id, access.slug, f"/scim/v2/enterprises/{access.slug}/Users"


@bp.get("/scim/v2/enterprises/<enterprise>/Users")
def enterprise_list(enterprise: str) -> Response:
    """GitHub's "List SCIM provisioned identities for an enterprise" (filter: userName, externalId, id, displayName)."""
    eid, _, location = _enterprise_scope(enterprise)
    return _listed(_filtered(orgs_reads.scim_users(db(), eid, SCIM_ENTERPRISE), _ENTERPRISE_FILTERS), location, True)


@bp.post("/scim/v2/enterprises/<enterprise>/Users")
def enterprise_create(enterprise: str) -> Response:
    """GitHub's "Provision a SCIM enterprise user": a managed user in no organization yet (201)."""
    eid, slug, location = _enterprise_scope(enterprise)
    scim_id = orgs_store().provision_managed_user(eid, slug, json_body())
    return _answer(_user_json(orgs_reads.scim_user(db(), eid, SCIM_ENTERPRISE, scim_id) or {}, location, True), 201)


@bp.route("/scim/v2/enterprises/<enterprise>/Users/<scim_user_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
def enterprise_user(enterprise: str, scim_user_id: str) -> Response:
    """GitHub's get / replace / patch / delete of one managed user."""
    eid, _, location = _enterprise_scope(enterprise)
    return _one(eid, SCIM_ENTERPRISE, scim_user_id, location, None)


def _one(eid: int, scope: str, scim_id: str, location: str, o: Org | None) -> Response:
    """GET, PUT, PATCH or DELETE one SCIM user of a scope."""
    row = orgs_reads.scim_user(db(), eid, scope, scim_id)
    if row is None:
        raise NotFound("Resource not found")
    enterprise = o is None
    if request.method == "DELETE":
        orgs_store().delete_user(eid, scope, scim_id, o)
        return no_content()
    if request.method == "PUT":
        required = ("schemas", "externalId", "userName", "displayName", "emails") if enterprise else (
            "userName", "name", "emails")
        orgs_store().update_user(eid, scope, scim_id, checked(json_body(), required), o)
    elif request.method == "PATCH":
        orgs_store().update_user(eid, scope, scim_id, _patched(row, json_body()), o)
    return _answer(_user_json(orgs_reads.scim_user(db(), eid, scope, scim_id) or row, location, enterprise))


# -- Visual Studio ------------------------------------------------------------------------------------
@bp.get("/enterprises/<enterprise>/visual-studio-subscriptions")
def vs_list(enterprise: str) -> Response:
    """GitHub's "Get a list of Visual Studio subscriptions for the enterprise" (is_unmatched_only, pages)."""
    access = owned_enterprise(enterprise)
    unmatched = request.args.get("is_unmatched_only", "false").lower() == "true"
    every = orgs_reads.subscriptions(db(), access.id, unmatched)
    chunk, headers = page_of(every)
    response = jsonify(_VS_LIST.dump({"total_count": len(every), "visual_studio_subscriptions": chunk}))
    response.headers.update(headers)
    return response


@bp.route("/enterprises/<enterprise>/visual-studio-subscriptions/<visual_studio_subscription_id>",
          methods=["PUT", "DELETE"])
def vs_match(enterprise: str, visual_studio_subscription_id: str) -> Response:
    """GitHub's "Add or update" (PUT {user_identifier}) and "Delete" a Visual Studio subscription user match."""
    access, sub_id = owned_enterprise(enterprise), visual_studio_subscription_id
    if request.method == "PUT":
        body = json_body()
        orgs_store().match_subscription(access.id, sub_id, body.get("user_identifier") if isinstance(body, dict)
                                        else None)
    else:
        orgs_store().unmatch_subscription(access.id, sub_id)
    found = orgs_reads.subscription(db(), access.id, sub_id)
    if found is None:
        raise NotFound("Not Found")
    return jsonify(_VS.dump(found))
