"""The seeded population's data model: one set of people, from which both sides are derived.

Every mock (GHES instances, GHEC enterprises) and the sync client's `verify` read these
dataclasses; `person_id` is the ground truth of who is who, which GHEC never sees and must
reconstruct from emails and identities alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

GhesUserKind = Literal["user", "bot", "ghost", "scim-admin"]
GhecRole = Literal["owner", "member", "outside_collaborator", "pending_invitation"]
RepoVisibility = Literal["public", "private", "internal"]
InvitationRole = Literal["direct_member", "admin", "billing_manager"]  # GitHub's invitation roles


@dataclass(slots=True)
class Person:
    """A real human (ground truth); both sides' accounts point back here by `person_id`."""

    id: int
    name: str
    locale: str
    work_email: str
    personal_email: str | None


@dataclass(slots=True)
class GhesEmail:
    """One email address of a GHES account; exactly one per account is primary."""

    address: str
    primary: bool


@dataclass(slots=True)
class GhesUser:
    """A GHES user account with everything GHES knows, most of which must never cross."""

    id: int
    login: str
    name: str
    emails: list[GhesEmail]
    kind: GhesUserKind = "user"
    site_admin: bool = False
    suspended: bool = False
    dormant: bool = False
    created_at: datetime | None = None
    last_active_at: datetime | None = None  # None: never signed in
    person_id: int | None = None  # None for ghost, scim-admin and bots
    canary: str = ""  # planted in attributes that must never reach GHEC (bio, ssh key comment)

    @property
    def primary_email(self) -> str:
        """The address GHEC matches on (DOMAIN §4: only the primary is named)."""
        return next(e.address for e in self.emails if e.primary)


@dataclass(slots=True)
class DeclaredToken:
    """A token a scenario file declares (`tokens:`), besides the printed ones; scenarios.tokens derives
    its value from the seed and `declared_key`."""

    key: str
    kind: str  # classic | fine_grained | oauth_app | installation (DOMAIN §10)
    login: str  # the account holding it
    scopes: tuple[str, ...] | None = None  # a classic or OAuth-app token's; None: the holder's printed token's


@dataclass(slots=True)
class GhesInstance:
    """One GHES appliance of the scenario, with its license and its users."""

    index: int  # 1-based, as `--instance K`
    server_id: str  # UUID
    host_name: str
    version: str
    seats: int | Literal["unlimited"]
    license_kind: str  # "standard" | "evaluation" ...
    expire_at: datetime
    license_enabled_at: datetime  # when license sync / Connect was enabled
    users: list[GhesUser]
    admin_login: str  # a site admin whose token the server prints
    member_login: str  # a normal user whose token the server prints
    tokens: list[DeclaredToken] = field(default_factory=list)  # declared by a scenario file


@dataclass(slots=True)
class SamlIdentity:
    """A linked SAML/SCIM identity; its attributes are what GHEC compares first (DOMAIN §4.1)."""

    provider: Literal["saml", "scim"]
    name_id: str
    username: str
    name_claim: str  # .../identity/claims/name
    emailaddress_claim: str  # .../identity/claims/emailaddress
    emails: list[str]


@dataclass(slots=True)
class Repository:
    """A repository of an organization of the enterprise."""

    org: str
    name: str
    visibility: RepoVisibility = "private"
    fork: bool = False


@dataclass(slots=True)
class Invitation:
    """A pending or failed invitation to an organization, by account or by email."""

    id: int
    org: str
    role: InvitationRole = "direct_member"
    login: str | None = None  # the invitee's GitHub.com account, None when invited by email
    email: str | None = None
    failed: bool = False
    collaborator_repos: list[str] = field(default_factory=list)  # "org/repo": an outside-collaborator invitation


@dataclass(slots=True)
class GhecMember:
    """A GitHub.com account associated with an enterprise (member, collaborator or invitee)."""

    id: int
    login: str
    name: str
    verified_emails: list[str]
    unverified_emails: list[str]
    role: GhecRole
    enterprise_owner: bool
    org_roles: list[str]  # "org:Owner" / "org:Member"
    pending_invite_orgs: list[str]
    two_factor: bool
    identity: SamlIdentity | None
    visual_studio_subscriber: bool
    visual_studio_email: str
    person_id: int | None
    billing_manager_orgs: list[str] = field(default_factory=list)
    enterprise_billing_manager: bool = False
    collaborator_repos: list[str] = field(default_factory=list)  # "org/repo" it is an outside collaborator on
    suspended: bool = False  # only meaningful for managed users (EMU)
    visual_studio_linked: bool = True  # the subscription is linked to this account
    setup_enterprise: bool = False  # the user who set up the enterprise
    scim_external_id: str | None = None
    guest_collaborator: bool = False  # EMU guest role: neither member nor collaborator (not billed)


@dataclass(slots=True)
class Enterprise:
    """A GHEC enterprise account with its organizations and people."""

    id: int
    slug: str
    name: str
    seats_purchased: int
    uses_saml: bool
    organizations: list[str]
    verified_domains: list[str]
    members: list[GhecMember]
    owner_login: str  # whose token the server prints
    member_login: str  # a plain member, not an owner
    managed_users: bool = False  # EMU
    saml_orgs: list[str] = field(default_factory=list)  # orgs with their own SAML when uses_saml is False
    repositories: list[Repository] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)  # by email, failed, and collaborator invitations
    # (subscription id, email) of Visual Studio subscriptions linked to no account
    visual_studio_unlinked: list[tuple[int, str]] = field(default_factory=list)
    tokens: list[DeclaredToken] = field(default_factory=list)  # declared by a scenario file


@dataclass(slots=True)
class ScenarioParams:
    """Everything that, with the seed, determines a scenario (so it can be rebuilt anywhere)."""

    people: int = 200
    ghes_instances: int = 2
    overlap: float = 0.6  # fraction of people with accounts on both sides
    edge_cases: bool = True
    locales: tuple[str, ...] = ("en_US", "de_DE", "ja_JP", "fr_FR", "zh_CN")
    unlimited_seats: bool = False  # the last GHES instance's license says seats "unlimited"


@dataclass(slots=True)
class PlantedCase:
    """An edge case planted on purpose, so tests and `truth.describe` can point at it."""

    kind: str  # e.g. "email-case-only", "secondary-email-only"
    person_id: int
    exercises: str  # the rule it tests, in one sentence
    expect_merge: bool  # whether a correct GHEC matcher merges the GHES account(s) into one row
    ghes_logins: list[tuple[int, str]]  # (instance index, login)
    ghec_login: str | None  # login in the main enterprise, None when GHES-only


@dataclass(slots=True)
class Scenario:
    """A whole seeded world: people, GHES instances and GHEC enterprises (the first is the main one)."""

    seed: int
    preset: str
    params: ScenarioParams
    people: list[Person]
    ghes: list[GhesInstance]
    enterprises: list[Enterprise]
    tokens: dict[str, str] = field(default_factory=dict)  # key -> token: docs/scenarios.md
    planted: list[PlantedCase] = field(default_factory=list)  # edge cases planted on purpose
