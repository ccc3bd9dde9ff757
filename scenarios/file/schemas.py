"""The scenario file's shape: marshmallow schemas, the single source of truth of the format.

The published JSON Schema (fixtures/schema/scenario-file/<version>.json, one file per version:
1-0-0, and 1-0-1 which adds `tokens`) is derived from these (json_schema.py); the rules a
schema cannot say (an email used twice, a reference to an undeclared organization, two
primaries) are checked after loading, in checks.py. Every field
is optional at this level where a `generate` block may supply it: checks.py says what a file
without `generate` must state. Unknown keys are errors everywhere (marshmallow's RAISE).
"""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

#: The version this code writes, and every version it reads (SchemaVer: 1.0.1 only adds `tokens`).
FORMAT_VERSION = "1.0.1"
FORMAT_VERSIONS = ("1.0.0", FORMAT_VERSION)
_LOGIN = validate.Regexp(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$",
                         error="not a GitHub login: letters, digits and single inner hyphens, at most 39")
ORG_ROLES = ("owner", "member", "billing_manager")
GHEC_ROLES = ("owner", "member", "outside_collaborator", "pending_invitation")
INVITATION_ROLES = ("direct_member", "admin", "billing_manager")
VISIBILITIES = ("public", "private", "internal")
GHES_KINDS = ("user", "bot", "ghost", "scim-admin")
TOKEN_KINDS = ("classic", "fine_grained", "oauth_app", "installation")  # DOMAIN §10


class Key(fields.Field):
    """A person's key: an integer (kept as its person_id) or a name such as "alice"."""

    @staticmethod
    def accepts(value: Any) -> bool:
        """A positive int or a non-empty string (what `_deserialize` keeps as it is; the quick loader,
        fast.py, asks this instead of going through marshmallow's call)."""
        if value.__class__ is str:
            return value != ""
        return isinstance(value, (int, str)) and not isinstance(value, bool) and value not in ("", 0) \
            and not (isinstance(value, int) and value < 1)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | str:
        """Accept a positive int or a non-empty string; refuse everything else."""
        if not self.accepts(value):
            raise ValidationError("must be a positive integer or a non-empty string")
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        """Written as it is."""
        return value


class Seats(fields.Field):
    """A GHES license's seats: a count, or the string "unlimited"."""

    @staticmethod
    def accepts(value: Any) -> bool:
        """An int >= 0 or "unlimited" (what `_deserialize` keeps as it is)."""
        return value == "unlimited" or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | str:
        """Accept an int >= 0 or "unlimited"."""
        if self.accepts(value):
            return value
        raise ValidationError('must be an integer >= 0 or "unlimited"')

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        """Written as it is."""
        return value


def _int(minimum: int = 0, **kw: Any) -> fields.Integer:
    """A strict integer (no strings, no floats) of at least `minimum`."""
    return fields.Integer(strict=True, validate=validate.Range(min=minimum), **kw)


def _names(**kw: Any) -> fields.List:
    """A list of non-empty strings."""
    return fields.List(fields.String(validate=validate.Length(min=1)), **kw)


class PersonSchema(Schema):
    """A real human: the ground truth that ties accounts on both sides together (GHEC never sees it)."""

    id = Key(required=True, metadata={"type": ["integer", "string"],
                                      "description": "an integer person_id, or a name the accounts refer to"})
    name = fields.String(required=True, validate=validate.Length(min=1))
    locale = fields.String(load_default=None)
    work_email = fields.Email(load_default=None)
    personal_email = fields.Email(load_default=None)


class RepositorySchema(Schema):
    """A repository of an organization: its visibility decides whether its outside collaborators are billed."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    visibility = fields.String(load_default="private", validate=validate.OneOf(VISIBILITIES))
    fork = fields.Boolean(load_default=False)


class OrganizationSchema(Schema):
    """An organization of the enterprise; `saml` is SAML configured on this organization alone."""

    name = fields.String(required=True, validate=_LOGIN)
    saml = fields.Boolean(load_default=False)
    repositories = fields.List(fields.Nested(RepositorySchema), load_default=list)


class GhecEmailSchema(Schema):
    """One email of a GitHub.com account; only verified ones match a GHES primary (DOMAIN.md §4)."""

    address = fields.Email(required=True)
    verified = fields.Boolean(load_default=True)


class IdentitySchema(Schema):
    """A linked SAML/SCIM identity: the claims GHEC compares first (DOMAIN.md §4.1)."""

    provider = fields.String(load_default="saml", validate=validate.OneOf(("saml", "scim")))
    name_id = fields.String(required=True, validate=validate.Length(min=1))
    username = fields.String(load_default=None, metadata={"description": "default: name_id's local part"})
    name = fields.String(load_default=None, metadata={"description": "the .../claims/name claim; default none"})
    emailaddress = fields.String(load_default=None, metadata={"description": "the .../claims/emailaddress "
                                                                             "claim; default none"})
    emails = _names(load_default=None, metadata={"description": "the SCIM emails; default none"})


class VisualStudioSchema(Schema):
    """A Visual Studio subscription with GitHub Enterprise, matched to this account by `email`."""

    email = fields.Email(required=True)
    linked = fields.Boolean(load_default=True)


class GhecAccountSchema(Schema):
    """A GitHub.com account associated with the enterprise: member, collaborator, invitee, owner."""

    login = fields.String(required=True, validate=_LOGIN)
    id = _int(1, load_default=None)
    name = fields.String(load_default="")
    person = Key(load_default=None, metadata={"type": ["integer", "string"], "description": "a people[].id"})
    emails = fields.List(fields.Nested(GhecEmailSchema), load_default=list)
    orgs = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(ORG_ROLES)),
                       load_default=dict, metadata={"description": "organization -> owner | member | "
                                                                   "billing_manager"})
    pending_invitations = _names(load_default=list, metadata={"description": "organizations this account is "
                                                                             "invited to join as a member"})
    collaborator_on = _names(load_default=list, metadata={"description": '"org/repo" it is an outside '
                                                                        "collaborator on"})
    enterprise_owner = fields.Boolean(load_default=False)
    enterprise_billing_manager = fields.Boolean(load_default=False)
    setup_enterprise = fields.Boolean(load_default=False)
    two_factor = fields.Boolean(load_default=True)
    suspended = fields.Boolean(load_default=False, metadata={"description": "managed users (EMU) only"})
    guest_collaborator = fields.Boolean(load_default=False, metadata={"description": "EMU guest collaborator"})
    saml = fields.Nested(IdentitySchema, load_default=None)
    scim_external_id = fields.String(load_default=None)
    visual_studio = fields.Nested(VisualStudioSchema, load_default=None)
    role = fields.String(load_default=None, validate=validate.OneOf(GHEC_ROLES),
                         metadata={"description": "the enterprise role; default derived from the above"})


class InvitationSchema(Schema):
    """An invitation not tied to a listed account: by email, failed, or to collaborate on repositories."""

    id = _int(1, load_default=None)
    org = fields.String(required=True)
    role = fields.String(load_default="direct_member", validate=validate.OneOf(INVITATION_ROLES))
    login = fields.String(load_default=None, validate=_LOGIN)
    email = fields.Email(load_default=None)
    failed = fields.Boolean(load_default=False)
    repositories = _names(load_default=list, metadata={"description": '"org/repo": an outside-collaborator '
                                                                      "invitation"})


class UnlinkedSubscriptionSchema(Schema):
    """A Visual Studio subscription whose email belongs to no GitHub.com account."""

    id = _int(1, required=True)
    email = fields.Email(required=True)


class TokenSchema(Schema):
    """A token the scenario issues besides the printed ones (its value derives from the seed and key)."""

    key = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
                        metadata={"description": "its name, unique here: /_mock/scenario lists it as token:KEY"})
    kind = fields.String(load_default="classic", validate=validate.OneOf(TOKEN_KINDS))
    scopes = fields.List(fields.String(validate=validate.Regexp(r"^[a-z_]+(:[a-z_]+)?$")), load_default=None,
                         metadata={"description": "a classic or OAuth-app token's scopes; default the printed "
                                                  "token's of its holder"})
    login = fields.String(load_default=None, metadata={"description": "the account holding it; default the "
                                                                     "enterprise owner / site admin"})


class EnterpriseSchema(Schema):
    """A GHEC enterprise account; the first one listed is the main one (its owner's token is printed)."""

    slug = fields.String(load_default=None, validate=_LOGIN)
    name = fields.String(load_default=None)
    id = _int(1, load_default=None)
    seats_purchased = _int(0, load_default=None)
    verified_domains = _names(load_default=None)
    saml = fields.Boolean(load_default=None, metadata={"description": "SAML on the enterprise (every org)"})
    managed_users = fields.Boolean(load_default=None, metadata={"description": "Enterprise Managed Users (EMU)"})
    organizations = fields.List(fields.Nested(OrganizationSchema), load_default=list)
    accounts = fields.List(fields.Nested(GhecAccountSchema), load_default=list)
    invitations = fields.List(fields.Nested(InvitationSchema), load_default=list)
    visual_studio_unlinked = fields.List(fields.Nested(UnlinkedSubscriptionSchema), load_default=list)
    owner = fields.String(load_default=None, metadata={"description": "the enterprise owner whose token the "
                                                                      "server prints; default the first one"})
    member = fields.String(load_default=None, metadata={"description": "a plain member whose token the "
                                                                       "server prints; default the first one"})
    tokens = fields.List(fields.Nested(TokenSchema), load_default=list, metadata={"description": "since 1.0.1"})


class GhesEmailSchema(Schema):
    """One email of a GHES account; exactly one is primary (the first, when none is marked)."""

    address = fields.Email(required=True)
    primary = fields.Boolean(load_default=False)


class GhesAccountSchema(Schema):
    """A GHES user account: `last_active_at: null` is never signed in; suspended ones release their seat."""

    login = fields.String(required=True, validate=_LOGIN)
    id = _int(1, load_default=None)
    name = fields.String(load_default=None)
    person = Key(load_default=None, metadata={"type": ["integer", "string"], "description": "a people[].id"})
    kind = fields.String(load_default="user", validate=validate.OneOf(GHES_KINDS))
    emails = fields.List(fields.Nested(GhesEmailSchema), required=True, validate=validate.Length(min=1))
    site_admin = fields.Boolean(load_default=False)
    suspended = fields.Boolean(load_default=False)
    dormant = fields.Boolean(load_default=False)
    created_at = fields.AwareDateTime(load_default=None)
    last_active_at = fields.AwareDateTime(allow_none=True, metadata={"description": "null: never signed in"})
    canary = fields.String(load_default=None)


class GhesInstanceSchema(Schema):
    """A GHES appliance: its license and its user accounts."""

    host_name = fields.String(load_default=None, validate=validate.Length(min=1))
    server_id = fields.UUID(load_default=None)
    version = fields.String(load_default=None, validate=validate.Regexp(r"^\d+\.\d+\.\d+"))
    seats = Seats(load_default=None, metadata={"type": ["integer", "string"],
                                               "description": 'a count, or "unlimited"'})
    license_kind = fields.String(load_default=None)
    expire_at = fields.AwareDateTime(load_default=None)
    license_enabled_at = fields.AwareDateTime(load_default=None)
    connect = fields.Boolean(load_default=None, metadata={"description": "GitHub Connect on: make serve wires it; "
                                                                        "mock-ghes with --connect-url alone"})
    license_sync = fields.Boolean(load_default=None, metadata={"description": "license sync with Connect "
                                                                             "(default on)"})
    accounts = fields.List(fields.Nested(GhesAccountSchema), load_default=list)
    admin = fields.String(load_default=None, metadata={"description": "the site admin whose token is printed"})
    member = fields.String(load_default=None, metadata={"description": "a normal user whose token is printed"})
    tokens = fields.List(fields.Nested(TokenSchema), load_default=list, metadata={"description": "since 1.0.1"})


class GenerateSchema(Schema):
    """Generated people around the declared ones: a preset and its parameters (docs/scenarios.md)."""

    preset = fields.String(load_default="small")
    people = _int(1, load_default=None)
    ghes_instances = _int(1, load_default=None)
    overlap = fields.Float(load_default=None, validate=validate.Range(min=0, max=1))
    edge_cases = fields.Boolean(load_default=None)
    locales = _names(load_default=None)
    unlimited_seats = fields.Boolean(load_default=None)


class ScenarioFileSchema(Schema):
    """A whole world: people, GHEC enterprises and GHES instances, optionally around generated ones."""

    version = fields.String(required=True, validate=validate.OneOf(FORMAT_VERSIONS))
    seed = _int(0, load_default=1, metadata={"description": "seeds the tokens and anything generated"})
    name = fields.String(load_default=None, metadata={"description": "what this world is (shown as its preset)"})
    generate = fields.Nested(GenerateSchema, load_default=None)
    people = fields.List(fields.Nested(PersonSchema), load_default=list)
    enterprises = fields.List(fields.Nested(EnterpriseSchema), load_default=list)
    ghes = fields.List(fields.Nested(GhesInstanceSchema), load_default=list)
