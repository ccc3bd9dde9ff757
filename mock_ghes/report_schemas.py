"""The site-admin reports' rows (GitHub's `/stafftools/reports/*.csv`): one schema per report kind.

The column names and their order are GitHub's (DOMAIN.md §8, "Accessing reports for your
instance"); each schema's field order IS the file's column order, so the header and the
cells can never drift apart. Where GitHub documents a column but not how its value is written,
the choice is ours and docs/ghes.md says so: booleans `true`/`false`, times ISO 8601 UTC
(`2026-01-15T10:22:01Z`), `raw_login` a JSON string of the login as the user typed it.
"""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields


class CsvBoolean(fields.Field):
    """A boolean cell as GHES writes it: `true` or `false`."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str:
        """`true`/`false`; a missing value reads as false."""
        return "true" if value else "false"


class UserReportRowSchema(Schema):
    """One account in all_users, active_users, dormant_users and suspended_users."""

    created_at = fields.String()
    id = fields.Integer()
    login = fields.String()
    email = fields.String()
    role = fields.String()  # "admin" or "user"
    suspended = CsvBoolean(data_key="suspended?")
    last_logged_ip = fields.String()
    repos = fields.Integer()
    ssh_keys = fields.Integer()
    org_memberships = fields.Integer()
    dormant = CsvBoolean(data_key="dormant?")
    last_active = fields.String()
    raw_login = fields.String()
    two_factor = CsvBoolean(data_key="2fa_enabled?")


class OrganizationReportRowSchema(Schema):
    """One organization in all_organizations."""

    id = fields.Integer()
    created_at = fields.String()
    login = fields.String()
    email = fields.String()
    owners = fields.Integer()
    members = fields.Integer()
    teams = fields.Integer()
    repos = fields.Integer()
    two_factor_required = CsvBoolean(data_key="2fa_required?")


class RepositoryReportRowSchema(Schema):
    """One repository in all_repositories."""

    created_at = fields.String()
    owner_id = fields.Integer()
    owner_type = fields.String()
    owner_name = fields.String()
    id = fields.Integer()
    name = fields.String()
    visibility = fields.String()
    readable_size = fields.String()
    raw_size = fields.Integer()
    collaborators = fields.Integer()
    fork = CsvBoolean(data_key="fork?")
    deleted = CsvBoolean(data_key="deleted?")


def columns(schema: Schema) -> list[str]:
    """The report's header: each field's name in the file, in declaration order."""
    return [field.data_key or name for name, field in schema.dump_fields.items()]
