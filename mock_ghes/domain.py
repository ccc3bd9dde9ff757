"""The GHES domain's rules and refusals, shared by the store (which enforces them) and the routes.

Kept apart from `store` so routes can name a refusal without importing SQL, and so the
login and email rules are written once.
"""
from __future__ import annotations

import re

from export_format.schemas import EMAIL_PATTERN
from export_format.strict import compile_json_pattern

__all__ = ["EMAIL", "MAX_LOGIN_LENGTH", "AlreadyExists", "InvalidValue", "NotAllowed", "StoreError",
           "UnknownUser", "normalise_login"]

MAX_LOGIN_LENGTH = 39  # GitHub's limit for a login
EMAIL = compile_json_pattern(EMAIL_PATTERN)  # the export's own email rule, matched as the validator does


class StoreError(Exception):
    """A change the domain refuses; routes turn it into GitHub's answer."""


class UnknownUser(StoreError):
    """No account has that login."""


class AlreadyExists(StoreError):
    """A login or email is taken (GitHub's 422 `already_exists`)."""

    def __init__(self, field: str) -> None:
        """Remember which field collided, for the 422's `errors[].field`."""
        super().__init__(f"{field} already exists")
        self.field = field


class InvalidValue(StoreError):
    """A value GitHub would refuse (`errors[].code = invalid`)."""

    def __init__(self, field: str, message: str) -> None:
        """Remember the field and why it is invalid."""
        super().__init__(message)
        self.field = field


class NotAllowed(StoreError):
    """An action GitHub refuses outright (suspending yourself, touching `ghost`)."""


def normalise_login(login: str) -> str:
    """GitHub's rule: only alphanumerics and single hyphens ("octo_cat" becomes "octo-cat")."""
    return re.sub(r"[^A-Za-z0-9]+", "-", login).strip("-")


