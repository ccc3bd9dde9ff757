"""The organization, SCIM and Visual Studio operations of the app's OpenAPI document (`/_mock/openapi.json`):
GitHub's operation ids and component names (`reference/ghec-membership-endpoints.json`), shapes from orgs_schemas."""
from __future__ import annotations

from typing import Any

from .orgs_schemas import (
    OrganizationInvitationSchema,
    OrgMembershipSchema,
    ScimEnterpriseUserListSchema,
    ScimEnterpriseUserSchema,
    ScimErrorSchema,
    ScimUserListSchema,
    ScimUserSchema,
    VisualStudioAssignmentSchema,
    VisualStudioListSchema,
)

ORGS_SCHEMAS: dict[str, Any] = {
    "org-membership": OrgMembershipSchema, "organization-invitation": OrganizationInvitationSchema,
    "scim-user": ScimUserSchema, "scim-user-list": ScimUserListSchema,
    "scim-enterprise-user-response": ScimEnterpriseUserSchema,
    "scim-enterprise-user-list": ScimEnterpriseUserListSchema, "scim-error": ScimErrorSchema,
    "visual-studio-subscription-assignment": VisualStudioAssignmentSchema,
    "visual-studio-subscriptions": VisualStudioListSchema,
}


def _param(name: str, where: str = "path", kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": {"type": kind}}


_ERR = {"description": "GitHub error", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/basic-error"}}}}
#: SCIM routes answer a SCIM error, or GitHub's basic error where GitHub's description says so (an
#: enterprise's 401/403/404), as application/json or application/scim+json (GitHub lists both).
_SCIM_ERROR_SCHEMA = {"anyOf": [{"$ref": "#/components/schemas/scim-error"},
                                {"$ref": "#/components/schemas/basic-error"}]}
_SCIM_ERR = {"description": "SCIM error", "content": {media: {"schema": _SCIM_ERROR_SCHEMA}
                                                      for media in ("application/json", "application/scim+json")}}
_NONE = {"description": "No content"}
_PAGES = [_param("per_page", "query", "integer"), _param("page", "query", "integer")]
_SCIM_PAGES = [_param("startIndex", "query", "integer"), _param("count", "query", "integer"),
               _param("filter", "query")]


def _body(ref: str | None, array: bool = False, media: str = "application/json") -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{ref}"} if ref else {"type": "object"}
    if array:
        schema = {"type": "array", "items": schema}
    return {"description": "Response", "content": {media: {"schema": schema}}}


def _op(op_id: str, summary: str, params: list, ok: dict[str, Any], errors: tuple[int, ...],
        scim: bool = False, body: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op_id, "tags": [op_id.split("/")[0]], "summary": summary,
                           "parameters": params,
                           "responses": {**ok, **{str(c): _SCIM_ERR if scim else _ERR for c in errors}}}
    if body:
        out["requestBody"] = {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}}
    return out


_O, _U, _E = _param("org"), _param("username"), _param("enterprise")
_SID, _INV, _VS = _param("scim_user_id"), _param("invitation_id", kind="integer"), _param(
    "visual_studio_subscription_id")
_SCIM_USER, _ENT_USER = _body("scim-user", media="application/scim+json"), _body(
    "scim-enterprise-user-response", media="application/scim+json")
ORGS_PATHS: list[tuple[str, dict[str, Any]]] = [
    ("/orgs/{org}/members", {"get": _op("orgs/list-members", "List organization members", [_O, *_PAGES],
                                        {"200": _body("SimpleUser", True)}, (401, 404, 422))}),
    ("/orgs/{org}/members/{username}", {
        "get": _op("orgs/check-membership-for-user", "Check organization membership for a user", [_O, _U],
                   {"204": _NONE, "302": _NONE}, (401, 404)),
        "delete": _op("orgs/remove-member", "Remove an organization member", [_O, _U], {"204": _NONE},
                      (401, 403, 404))}),
    ("/orgs/{org}/memberships/{username}", {
        "get": _op("orgs/get-membership-for-user", "Get organization membership for a user", [_O, _U],
                   {"200": _body("org-membership")}, (401, 403, 404)),
        "put": _op("orgs/set-membership-for-user", "Set organization membership for a user", [_O, _U],
                   {"200": _body("org-membership")}, (401, 403, 404, 422), body=True),
        "delete": _op("orgs/remove-membership-for-user", "Remove organization membership for a user", [_O, _U],
                      {"204": _NONE}, (401, 403, 404))}),
    ("/orgs/{org}/invitations", {
        "get": _op("orgs/list-pending-invitations", "List pending organization invitations", [_O, *_PAGES],
                   {"200": _body("organization-invitation", True)}, (401, 403, 404, 422)),
        "post": _op("orgs/create-invitation", "Create an organization invitation", [_O],
                    {"201": _body("organization-invitation")}, (401, 403, 404, 422), body=True)}),
    ("/orgs/{org}/invitations/{invitation_id}", {"delete": _op(
        "orgs/cancel-invitation", "Cancel an organization invitation", [_O, _INV], {"204": _NONE},
        (401, 403, 404, 422))}),
    ("/orgs/{org}/outside_collaborators", {"get": _op(
        "orgs/list-outside-collaborators", "List outside collaborators for an organization", [_O, *_PAGES],
        {"200": _body("SimpleUser", True)}, (401, 404, 422))}),
    ("/orgs/{org}/outside_collaborators/{username}", {
        "put": _op("orgs/convert-member-to-outside-collaborator", "Convert an organization member to outside "
                   "collaborator", [_O, _U], {"202": _body(None), "204": _NONE}, (401, 403, 404), body=True),
        "delete": _op("orgs/remove-outside-collaborator", "Remove outside collaborator from an organization",
                      [_O, _U], {"204": _NONE}, (401, 403, 404, 422))}),
    ("/scim/v2/organizations/{org}/Users", {
        "get": _op("scim/list-provisioned-identities", "List SCIM provisioned identities", [_O, *_SCIM_PAGES],
                   {"200": _body("scim-user-list", media="application/scim+json")}, (400, 401, 403, 404), True),
        "post": _op("scim/provision-and-invite-user", "Provision and invite a SCIM user", [_O],
                    {"201": _SCIM_USER}, (400, 401, 403, 404, 409), True, True)}),
    ("/scim/v2/organizations/{org}/Users/{scim_user_id}", {
        method: _op(op_id, summary, [_O, _SID], {"204": _NONE} if method == "delete" else {"200": _SCIM_USER},
                    (400, 401, 403, 404, 409), True, method in ("put", "patch"))
        for method, op_id, summary in (
            ("get", "scim/get-provisioning-information-for-user", "Get SCIM provisioning information for a user"),
            ("put", "scim/set-information-for-provisioned-user", "Update a provisioned organization membership"),
            ("patch", "scim/update-attribute-for-user", "Update an attribute for a SCIM user"),
            ("delete", "scim/delete-user-from-org", "Delete a SCIM user from an organization"))}),
    ("/scim/v2/enterprises/{enterprise}/Users", {
        "get": _op("enterprise-admin/list-provisioned-identities-enterprise", "List SCIM provisioned identities "
                   "for an enterprise", [_E, *_SCIM_PAGES],
                   {"200": _body("scim-enterprise-user-list", media="application/scim+json")},
                   (400, 401, 403, 404), True),
        "post": _op("enterprise-admin/provision-enterprise-user", "Provision a SCIM enterprise user", [_E],
                    {"201": _ENT_USER}, (400, 401, 403, 404, 409), True, True)}),
    ("/scim/v2/enterprises/{enterprise}/Users/{scim_user_id}", {
        method: _op(op_id, summary, [_E, _SID], {"204": _NONE} if method == "delete" else {"200": _ENT_USER},
                    (400, 401, 403, 404, 409), True, method in ("put", "patch"))
        for method, op_id, summary in (
            ("get", "enterprise-admin/get-provisioning-information-for-enterprise-user",
             "Get SCIM provisioning information for an enterprise user"),
            ("put", "enterprise-admin/set-information-for-provisioned-enterprise-user",
             "Set SCIM information for a provisioned enterprise user"),
            ("patch", "enterprise-admin/update-attribute-for-enterprise-user",
             "Update an attribute for a SCIM enterprise user"),
            ("delete", "enterprise-admin/delete-user-from-enterprise", "Delete a SCIM user from an enterprise"))}),
    ("/enterprises/{enterprise}/visual-studio-subscriptions", {"get": _op(
        "enterprise-admin/list-vss", "Get a list of Visual Studio subscriptions for the enterprise",
        [_E, _param("is_unmatched_only", "query", "boolean"), *_PAGES],
        {"200": _body("visual-studio-subscriptions")}, (401, 403, 404))}),
    ("/enterprises/{enterprise}/visual-studio-subscriptions/{visual_studio_subscription_id}", {
        "put": _op("enterprise-admin/update-vss-manual-match", "Add or update a Visual Studio subscription user "
                   "match", [_E, _VS], {"200": _body("visual-studio-subscription-assignment")},
                   (401, 403, 404, 422), body=True),
        "delete": _op("enterprise-admin/delete-vss-manual-match", "Delete a Visual Studio subscription user match",
                      [_E, _VS], {"200": _body("visual-studio-subscription-assignment")}, (401, 403, 404, 422))}),
]
