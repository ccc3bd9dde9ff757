"""Domain errors of the organization store; `orgs_api.to_http` maps them to GitHub's answers in one place."""
from __future__ import annotations


class OrgsError(Exception):
    """Something GitHub would refuse; `field` names the request field at fault, if any."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        """Keep the sentence and, for a validation error, the field and GitHub's error code."""
        super().__init__(message)
        self.message, self.field, self.code = message, field, code


class NotFound(OrgsError):
    """The organization, user, invitation, identity or subscription does not exist (for this caller)."""


class Forbidden(OrgsError):
    """The caller may see it but not do this (not an owner; the last owner)."""


class Invalid(OrgsError):
    """A request GitHub answers with 422 (or 400 for SCIM)."""


class Conflict(OrgsError):
    """SCIM: a user with this userName or externalId exists already (409)."""
