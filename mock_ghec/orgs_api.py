"""GitHub's organization endpoints that change who consumes a license: members, memberships,
invitations and outside collaborators (`reference/ghec-membership-endpoints.json`).

Each route parses, calls the store (which recomputes consumed licenses in the same
transaction), serialises with orgs_schemas. Access: see orgs_http.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request

from github_http.errors import GitHubError, not_found
from github_http.request_guard import json_body

from . import orgs_reads
from .access import db
from .orgs_http import DOCS, caller, no_content, org_json, organization, orgs_store, owner_of, paged_json, user_json
from .orgs_reads import Org
from .orgs_schemas import OrganizationInvitationSchema, OrgMembershipSchema

bp = Blueprint("ghec_orgs", __name__)
_MEMBERSHIP = OrgMembershipSchema()
_INVITATION = OrganizationInvitationSchema()
_SIMPLE_FILTERS = ("all", "2fa_disabled", "2fa_insecure")


def _enum(name: str, allowed: tuple[str, ...], default: str = "all") -> str:
    """A query enum; a value GitHub does not know is 422."""
    value = request.args.get(name, default)
    if value not in allowed:
        raise GitHubError(422, "Validation Failed", documentation_url=DOCS, errors=[
            {"resource": "Search", "field": name, "code": "invalid", "message": f"{name} must be one of "
                                                                                  f"{', '.join(allowed)}"}])
    return value


def invitation_json(o: Org, inv: dict[str, Any]) -> dict[str, Any]:
    """GitHub's `organization-invitation`."""
    base = request.url_root.rstrip("/")
    inviter = user_json(login=inv["inviter_login"] or "ghost", user_id=inv["inviter_id"])
    return _INVITATION.dump({
        "id": inv["id"], "login": inv["login"], "email": inv["email"], "role": inv["role"],
        "created_at": inv["created_at"], "failed_at": inv["failed_at"],
        "failed_reason": "Invitation expired" if inv["failed_at"] else None, "inviter": inviter, "team_count": 0,
        "node_id": f"OI_mock{inv['id']}", "invitation_teams_url": f"{base}/organizations/{o.id}/invitations/"
                                                                   f"{inv['id']}/teams",
        "invitation_source": inv["source"]})


def membership_json(o: Org, login: str, state: str, role: str) -> dict[str, Any]:
    """GitHub's `org-membership`."""
    acct = orgs_reads.account(db(), o.enterprise_id, login)
    base = request.url_root.rstrip("/")
    return _MEMBERSHIP.dump({
        "url": f"{base}/orgs/{o.login}/memberships/{login}", "state": state, "role": role,
        "direct_membership": True, "organization_url": f"{base}/orgs/{o.login}", "organization": org_json(o),
        "user": user_json(acct) if acct else None, "permissions": {"can_create_repository": role == "admin"}})


@bp.get("/orgs/<org>/members")
def list_members(org: str) -> Response:
    """GitHub's "List organization members" (filter and role; outsiders see no concealed members)."""
    o = organization(org)
    _, role = caller(o)
    two_factor = _enum("filter", _SIMPLE_FILTERS)
    wanted = _enum("role", ("all", "admin", "member"))
    found = orgs_reads.members(db(), o, wanted, two_factor == "2fa_disabled") if role is not None else []
    return paged_json(found, user_json)


@bp.get("/orgs/<org>/members/<username>")
def check_member(org: str, username: str) -> Any:
    """GitHub's "Check organization membership": 204 member, 404 not; 302 for a caller outside it."""
    o = organization(org)
    _, role = caller(o)
    if role is None:
        return redirect(f"{request.url_root.rstrip('/')}/orgs/{o.login}/public_members/{username}", 302)
    if orgs_reads.org_role(db(), o.enterprise_id, o.login, username) in ("admin", "member"):
        return no_content()
    raise not_found()


@bp.delete("/orgs/<org>/members/<username>")
def remove_member(org: str, username: str) -> Response:
    """GitHub's "Remove an organization member": membership and pending invitations go (204)."""
    o, _ = owner_of(org)
    orgs_store().remove_member(o, username, strict=False)
    return no_content()


@bp.get("/orgs/<org>/memberships/<username>")
def get_membership(org: str, username: str) -> Response:
    """GitHub's "Get organization membership for a user": active or pending (an owner, or the user)."""
    o = organization(org)
    login, role = caller(o)
    if role != "admin" and login.lower() != username.lower():
        if role is None:
            raise not_found()
        raise GitHubError(403, "You must be an admin to see another user's membership.", documentation_url=DOCS)
    theirs = orgs_reads.org_role(db(), o.enterprise_id, o.login, username)
    if theirs is not None:
        return jsonify(membership_json(o, username, "active", theirs))
    acct = orgs_reads.account(db(), o.enterprise_id, username)
    pending = orgs_reads.pending_invitation(db(), o, acct.id) if acct else None
    if pending is None:
        raise not_found()
    return jsonify(membership_json(o, username, "pending", "admin" if pending["role"] == "admin" else "member"))


@bp.put("/orgs/<org>/memberships/<username>")
def set_membership(org: str, username: str) -> Response:
    """GitHub's "Set organization membership for a user": a role change, or an invitation (EMU: added)."""
    o, inviter = owner_of(org)
    body = json_body(required=False)
    role = body.get("role", "member") if isinstance(body, dict) else None
    if not isinstance(role, str):
        raise GitHubError(422, "Validation Failed", documentation_url=DOCS,
                          errors=[{"resource": "Membership", "field": "role", "code": "invalid"}])
    done = orgs_store().set_membership(o, username, role, inviter)
    return jsonify(membership_json(o, username, done["state"], role))


@bp.delete("/orgs/<org>/memberships/<username>")
def remove_membership(org: str, username: str) -> Response:
    """GitHub's "Remove organization membership for a user" (404 when there is none)."""
    o, _ = owner_of(org)
    orgs_store().remove_member(o, username, strict=True)
    return no_content()


@bp.get("/orgs/<org>/invitations")
def list_invitations(org: str) -> Response:
    """GitHub's "List pending organization invitations" (role and invitation_source filters)."""
    o, _ = owner_of(org)
    role = _enum("role", ("all", "admin", "direct_member", "billing_manager", "hiring_manager"))
    source = _enum("invitation_source", ("all", "member", "scim"))
    return paged_json(orgs_reads.invitations(db(), o, role, source), lambda inv: invitation_json(o, inv))


@bp.post("/orgs/<org>/invitations")
def create_invitation(org: str) -> Response:
    """GitHub's "Create an organization invitation" by `invitee_id` or `email` (201)."""
    o, inviter = owner_of(org)
    body = json_body(required=False)
    if not isinstance(body, dict):
        raise GitHubError(400, "Body should be a JSON object")
    inv = orgs_store().create_invitation(o, body.get("invitee_id"), body.get("email"),
                                         body.get("role", "direct_member"), inviter)
    response = jsonify(invitation_json(o, inv))
    response.status_code = 201
    return response


@bp.delete("/orgs/<org>/invitations/<invitation_id>")
def cancel_invitation(org: str, invitation_id: str) -> Response:
    """GitHub's "Cancel an organization invitation" (204)."""
    o, _ = owner_of(org)
    if not invitation_id.isascii() or not invitation_id.isdigit():
        raise not_found()
    orgs_store().cancel_invitation(o, int(invitation_id))
    return no_content()


@bp.get("/orgs/<org>/outside_collaborators")
def list_outside_collaborators(org: str) -> Response:
    """GitHub's "List outside collaborators for an organization"."""
    o = organization(org)
    _, role = caller(o)
    if role is None:
        raise not_found()
    two_factor = _enum("filter", _SIMPLE_FILTERS)
    return paged_json(orgs_reads.outside_collaborators(db(), o, two_factor == "2fa_disabled"), user_json)


@bp.put("/orgs/<org>/outside_collaborators/<username>")
def convert_member(org: str, username: str) -> Response:
    """GitHub's "Convert an organization member to outside collaborator" (204; 202 with async)."""
    o, _ = owner_of(org)
    body = json_body(required=False)
    orgs_store().convert_to_outside_collaborator(o, username)
    if isinstance(body, dict) and body.get("async") is True:
        response = jsonify({})
        response.status_code = 202
        return response
    return no_content()


@bp.delete("/orgs/<org>/outside_collaborators/<username>")
def remove_outside_collaborator(org: str, username: str) -> Response:
    """GitHub's "Remove outside collaborator from an organization" (204; 422 for a member)."""
    o, _ = owner_of(org)
    orgs_store().remove_outside_collaborator(o, username)
    return no_content()
