"""Wire shapes of the organization, SCIM and Visual Studio endpoints: GitHub's, field for field
(`reference/ghec-membership-endpoints.json`), as marshmallow schemas (their single source of truth)."""
from __future__ import annotations

from marshmallow import Schema, fields

from github_http.users import SimpleUserSchema

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class OrganizationSimpleSchema(Schema):
    """GitHub's `organization-simple`."""

    login = fields.String(required=True)
    id = fields.Integer(required=True)
    node_id = fields.String(required=True)
    url = fields.Url(required=True)
    repos_url = fields.Url(required=True)
    events_url = fields.Url(required=True)
    hooks_url = fields.String(required=True)
    issues_url = fields.String(required=True)
    members_url = fields.String(required=True)
    public_members_url = fields.String(required=True)
    avatar_url = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)


class OrgMembershipSchema(Schema):
    """GitHub's `org-membership`."""

    url = fields.Url(required=True)
    state = fields.String(required=True, metadata={"enum": ["active", "pending"]})
    role = fields.String(required=True, metadata={"enum": ["admin", "member", "billing_manager"]})
    direct_membership = fields.Boolean()
    organization_url = fields.Url(required=True)
    organization = fields.Nested(OrganizationSimpleSchema, required=True)
    user = fields.Nested(SimpleUserSchema, required=True, allow_none=True)
    permissions = fields.Dict()


class OrganizationInvitationSchema(Schema):
    """GitHub's `organization-invitation`."""

    id = fields.Integer(required=True)
    login = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    role = fields.String(required=True)
    created_at = fields.String(required=True)
    failed_at = fields.String(allow_none=True)
    failed_reason = fields.String(allow_none=True)
    inviter = fields.Nested(SimpleUserSchema, required=True)
    team_count = fields.Integer(required=True)
    node_id = fields.String(required=True)
    invitation_teams_url = fields.String(required=True)
    invitation_source = fields.String()


class ScimNameSchema(Schema):
    """SCIM `name` (GitHub's `user-name-response`)."""

    givenName = fields.String()  # SCIM names its attributes in camelCase
    familyName = fields.String()
    formatted = fields.String()


class ScimEmailSchema(Schema):
    """One SCIM email."""

    value = fields.String(required=True)
    primary = fields.Boolean()
    type = fields.String()


class ScimRoleSchema(Schema):
    """One SCIM role (GitHub's `user-role` item)."""

    value = fields.String(required=True)
    primary = fields.Boolean()
    display = fields.String()
    type = fields.String()


class ScimMetaSchema(Schema):
    """SCIM `meta`."""

    resourceType = fields.String(required=True)
    created = fields.String()
    lastModified = fields.String()
    location = fields.String()


class ScimUserSchema(Schema):
    """GitHub's `scim-user` (organization SCIM)."""

    schemas = fields.List(fields.String(), required=True)
    id = fields.String(required=True)
    externalId = fields.String(allow_none=True)
    userName = fields.String(allow_none=True)
    displayName = fields.String(allow_none=True)
    name = fields.Nested(ScimNameSchema)
    emails = fields.List(fields.Nested(ScimEmailSchema), required=True)
    active = fields.Boolean(required=True)
    meta = fields.Nested(ScimMetaSchema, required=True)
    organization_id = fields.Integer()


class ScimEnterpriseUserSchema(Schema):
    """GitHub's `scim-enterprise-user-response` (enterprise SCIM, managed users)."""

    schemas = fields.List(fields.String(), required=True)
    id = fields.String(required=True)
    externalId = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    userName = fields.String()
    name = fields.Nested(ScimNameSchema)
    displayName = fields.String(allow_none=True)
    emails = fields.List(fields.Nested(ScimEmailSchema), required=True)
    roles = fields.List(fields.Nested(ScimRoleSchema))
    meta = fields.Nested(ScimMetaSchema, required=True)


class ScimUserListSchema(Schema):
    """GitHub's `scim-user-list`."""

    schemas = fields.List(fields.String(), required=True)
    totalResults = fields.Integer(required=True)
    itemsPerPage = fields.Integer(required=True)
    startIndex = fields.Integer(required=True)
    Resources = fields.List(fields.Nested(ScimUserSchema), required=True)


class ScimEnterpriseUserListSchema(ScimUserListSchema):
    """GitHub's `scim-enterprise-user-list`."""

    Resources = fields.List(fields.Nested(ScimEnterpriseUserSchema), required=True)


class ScimErrorSchema(Schema):
    """GitHub's `scim-error` (its status is an integer, unlike `basic-error`'s)."""

    message = fields.String(allow_none=True)
    documentation_url = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    status = fields.Integer()
    scimType = fields.String(allow_none=True)
    schemas = fields.List(fields.String())


class VisualStudioAssignmentSchema(Schema):
    """GitHub's `visual-studio-subscription-assignment`."""

    visual_studio_subscription_email = fields.String()
    subscription_id = fields.String()
    username = fields.String(allow_none=True)
    manual_match = fields.Boolean()


class VisualStudioListSchema(Schema):
    """GitHub's "list Visual Studio subscriptions" answer."""

    total_count = fields.Integer(required=True)
    visual_studio_subscriptions = fields.List(fields.Nested(VisualStudioAssignmentSchema), required=True)
