"""The auth matrix of the organization, SCIM and Visual Studio routes (GitHub's answers per caller).

Kinds: `org_owner` (an organization owner only: a member or billing manager of it gets 403,
anyone else the same 404 as a missing organization), `org_member` (any member reads it),
`org_member_check` (an outsider is redirected, 302, as GitHub does), `org_public` (an outsider
sees the public members: none, as we model no public membership), `owner` (enterprise
owner, the existing matrix), `emu_owner` (enterprise owner of an enterprise with managed users:
the small scenario has none, so its owner gets 404 too).
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from rel_auth import BAD_TOKEN, bearer, call, json_error, same_answer, url

ORG, S, E = "/orgs/<org>", "/scim/v2/organizations/<org>/Users", "/scim/v2/enterprises/<enterprise>/Users"
V = "/enterprises/<enterprise>/visual-studio-subscriptions"
ORGS_ROUTES = {
    ("GET", f"{ORG}/members"): "org_public", ("GET", f"{ORG}/members/<username>"): "org_member_check",
    ("DELETE", f"{ORG}/members/<username>"): "org_owner", ("GET", f"{ORG}/memberships/<username>"): "org_member",
    ("PUT", f"{ORG}/memberships/<username>"): "org_owner", ("DELETE", f"{ORG}/memberships/<username>"): "org_owner",
    ("GET", f"{ORG}/invitations"): "org_owner", ("POST", f"{ORG}/invitations"): "org_owner",
    ("DELETE", f"{ORG}/invitations/<invitation_id>"): "org_owner",
    ("GET", f"{ORG}/outside_collaborators"): "org_member",
    ("PUT", f"{ORG}/outside_collaborators/<username>"): "org_owner",
    ("DELETE", f"{ORG}/outside_collaborators/<username>"): "org_owner",
    ("GET", S): "org_owner", ("POST", S): "org_owner",
    **{(m, f"{S}/<scim_user_id>"): "org_owner" for m in ("GET", "PUT", "PATCH", "DELETE")},
    ("GET", E): "emu_owner", ("POST", E): "emu_owner",
    **{(m, f"{E}/<scim_user_id>"): "emu_owner" for m in ("GET", "PUT", "PATCH", "DELETE")},
    ("GET", V): "owner", ("PUT", f"{V}/<visual_studio_subscription_id>"): "owner",
    ("DELETE", f"{V}/<visual_studio_subscription_id>"): "owner",
}
MISSING_ORG = "no-such-organization"


def _org_of(member: Any, role: str) -> str:
    """The first organization where the scenario account has `role` ("Owner" / "Member")."""
    return next(r.rsplit(":", 1)[0] for r in member.org_roles if r.endswith(":" + role))


def org_callers_answer_as_github(app: Flask, tokens: dict[str, str], scenario: Any, method: str, rule: str,
                                 kind: str) -> None:
    """Every kind of caller of one organization, SCIM or Visual Studio route."""
    main = scenario.enterprises[0]
    by_login = {m.login: m for m in main.members}
    owner_org = _org_of(by_login[main.owner_login], "Owner")
    member_org = _org_of(by_login[main.member_login], "Member")
    client = app.test_client()
    path = url(rule, org=owner_org, enterprise=tokens["slug"], username=main.owner_login)
    json_error(call(client, method, path), 401, "Requires authentication")
    json_error(call(client, method, path, bearer(BAD_TOKEN)), 401, "Bad credentials")
    json_error(call(client, method, path, bearer(tokens["connect"])), 401, "Bad credentials")
    if kind in ("owner", "emu_owner"):
        json_error(call(client, method, path, bearer(tokens["member"])), 403)
        json_error(call(client, method, path, bearer(tokens["other_owner"])), 404, "Not Found")
        if kind == "emu_owner":  # no managed users in this enterprise: its own owner finds no SCIM either
            assert call(client, method, path, bearer(tokens["owner"])).status_code == 404
        elif method == "GET":
            assert call(client, method, path, bearer(tokens["owner"])).status_code == 200
        return
    outsider = call(client, method, path, bearer(tokens["other_owner"]))
    missing = call(client, method, url(rule, org=MISSING_ORG, username=main.owner_login),
                   bearer(tokens["other_owner"]))
    if kind == "org_member_check":
        assert outsider.status_code == 302 and "/public_members/" in outsider.headers["Location"]
    elif kind == "org_public":
        assert outsider.status_code == 200 and outsider.get_json() == []
    else:
        not_found(outsider, rule)
        assert same_answer(outsider, owner_org, missing, MISSING_ORG)
    not_found(call(client, method, url(rule, org=MISSING_ORG, username=main.owner_login), bearer(tokens["owner"])),
              rule)
    as_member = call(client, method, url(rule, org=member_org, username=main.member_login), bearer(tokens["member"]))
    if kind == "org_owner":
        json_error(as_member, 403)
    elif method == "GET":
        assert as_member.status_code in (200, 204), as_member.status_code
    if method == "GET":  # an id the rule names is "x" here: no such SCIM user
        owner = call(client, method, path, bearer(tokens["owner"]))
        assert owner.status_code in ((404,) if "<scim_user_id>" in rule else (200, 204)), owner.status_code


def not_found(response: Any, rule: str) -> None:
    """GitHub's 404: a SCIM error on an organization's SCIM routes (GitHub's scim_not_found), else its JSON 404."""
    if not rule.startswith("/scim/v2/organizations/"):
        json_error(response, 404, "Not Found")
        return
    body = response.get_json()
    assert response.status_code == 404 and body["status"] == 404, body
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and body["detail"] == "Not Found", body
