"""GitHub's license report (Enterprise settings → License → "CSV report"), written from consumed-license rows.

`LicenseReportRowSchema` IS the file format: its fields' `data_key`s are GitHub's current
headers in GitHub's order (DOMAIN.md §8), and its attribute names are the older snake_case
headers (`github_com_login`, …) that GitHub's earlier reports used. GHE.com's variant reads
`GitHub` for `GitHub com` and has `Ghe license active` true. Each cell comes from the row the
consumed-licenses API serialises, so the report and the API can never disagree; cells go
through `github_http.csv_cells` (no formula ever runs). Columns GitHub fills from features the
mock does not model (cost centers, code security, secret protection, 2FA deadlines, GHE license
dates) are empty or false.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from marshmallow import Schema, fields

from github_http.csv_cells import csv_rows

Headers = Literal["current", "legacy"]
Variant = Literal["ghec", "ghe.com"]
LICENSE_TYPES = {"enterprise": "Enterprise", "visual_studio_subscription": "Visual Studio subscription"}
ENTERPRISE_ROLES = {"owner": "Owner", "member": "Member", "outside_collaborator": "Outside collaborator",
                    "repository_collaborator": "Repository collaborator", "billing_manager": "Billing manager",
                    "pending_invitation": "Pending invitation"}


def _join(values: list[str] | None) -> str:
    """A list cell: comma-separated, as GitHub writes roles and emails."""
    return ", ".join(values or [])


def _flag(value: Any) -> str:
    """A boolean cell: true/false; unknown (null or "") stays empty."""
    return "" if value is None or value == "" else ("true" if value else "false")


def _cell(header: str, read: Any) -> fields.Function:
    """A column named `header` whose cell `read(row)` computes from an API row."""
    return fields.Function(read, data_key=header)


def _none(header: str, value: str = "") -> fields.Function:
    """A column of a feature the mock does not model: always `value`."""
    return fields.Function(lambda row: value, data_key=header)


class LicenseReportRowSchema(Schema):
    """One person of the license report; attribute names are the legacy headers, data keys the current ones."""

    github_com_login = _cell("GitHub com login", lambda r: r["github_com_login"])
    github_com_name = _cell("GitHub com name", lambda r: r["github_com_name"] or "")
    enterprise_server_user_ids = _cell("Enterprise server user ids", lambda r: _join(r["enterprise_server_user_ids"]))
    github_com_user = _cell("GitHub com user", lambda r: _flag(r["github_com_user"]))
    enterprise_server_user = _cell("Enterprise server user", lambda r: _flag(r["enterprise_server_user"]))
    visual_studio_subscription_user = _cell("Visual studio subscription user",
                                            lambda r: _flag(r["visual_studio_subscription_user"]))
    license_type = _cell("License type", lambda r: LICENSE_TYPES.get(r["license_type"], r["license_type"]))
    github_com_profile = _cell("GitHub com profile", lambda r: r["github_com_profile"] or "")
    github_com_member_roles = _cell("GitHub com member roles", lambda r: _join(r["github_com_member_roles"]))
    github_com_enterprise_roles = _cell("GitHub com enterprise roles", lambda r: _join(
        [ENTERPRISE_ROLES.get(x, x) for x in r["github_com_enterprise_roles"]]))
    github_com_verified_domain_emails = _cell("GitHub com verified domain emails",
                                              lambda r: _join(r["github_com_verified_domain_emails"]))
    github_com_saml_name = _cell("GitHub com saml name", lambda r: r["github_com_saml_name_id"] or "")
    github_com_orgs_with_pending_invites = _cell("GitHub com orgs with pending invites",
                                                 lambda r: _join(r["github_com_orgs_with_pending_invites"]))
    github_com_two_factor_auth = _cell("GitHub com two factor auth", lambda r: _flag(r["github_com_two_factor_auth"]))
    github_com_two_factor_auth_required_by_date = _none("GitHub com two factor auth required by date")
    github_com_cost_center = _none("GitHub com cost center")
    github_com_code_security_license_user = _none("GitHub com code security license user", "false")
    github_com_secret_protection_license_user = _none("GitHub com secret protection license user", "false")
    ghe_license_active = _none("Ghe license active", "false")
    ghe_license_start_date = _none("Ghe license start date")
    ghe_license_end_date = _none("Ghe license end date")
    enterprise_server_primary_emails = _cell("Enterprise server primary emails",
                                             lambda r: _join(r["enterprise_server_emails"]))
    enterprise_server_advanced_security_user_ids = _none("Enterprise server advanced security user ids")
    enterprise_server_code_security_user_ids = _none("Enterprise server code security user ids")
    enterprise_server_secret_protection_user_ids = _none("Enterprise server secret protection user ids")
    visual_studio_license_status = _cell("Visual studio license status",
                                         lambda r: r["visual_studio_license_status"] or "")
    visual_studio_subscription_email = _cell("Visual studio subscription email",
                                             lambda r: r["visual_studio_subscription_email"] or "")
    total_user_accounts = _cell("Total user accounts", lambda r: str(r["total_user_accounts"]))


_SCHEMA = LicenseReportRowSchema()
CURRENT_HEADERS = [f.data_key or name for name, f in _SCHEMA.dump_fields.items()]
LEGACY_HEADERS = list(_SCHEMA.dump_fields)
GHE_LICENSE_ACTIVE = CURRENT_HEADERS.index("Ghe license active")


def header_names(headers: Headers = "current", variant: Variant = "ghec") -> list[str]:
    """The header row: GitHub's current names, the legacy snake_case ones, or GHE.com's."""
    if headers == "legacy":
        return LEGACY_HEADERS
    if variant == "ghe.com":
        return [re.sub(r"^GitHub com\b", "GitHub", n) for n in CURRENT_HEADERS]
    return CURRENT_HEADERS


#: Each column's own `read(row)`, in column order, taken from the schema's fields (every one is a
#: `fields.Function` of one argument). WHY not `_SCHEMA.dump(row)`: marshmallow's per-field machinery
#: cost ~40 µs a row, most of a 100,000-person report's time; the functions are the same ones.
_READS: list[Callable[[dict[str, Any]], str]] = [
    f.serialize_func for f in _SCHEMA.dump_fields.values() if isinstance(f, fields.Function) and f.serialize_func]
if len(_READS) != len(CURRENT_HEADERS):
    raise TypeError("every license report column must be a fields.Function of the API row")


def report_row(row: dict[str, Any], variant: Variant = "ghec") -> list[str]:
    """One person's cells, in column order."""
    cells = [read(row) for read in _READS]
    if variant == "ghe.com":
        cells[GHE_LICENSE_ACTIVE] = "true"
    return cells


def report_chunks(rows: Iterable[dict[str, Any]], headers: Headers = "current", variant: Variant = "ghec",
                  chunk: int = 1000) -> Iterator[str]:
    """The whole report as text: the header, then `chunk` rows at a time (for streamed downloads)."""
    yield csv_rows([header_names(headers, variant)])
    batch: list[list[str]] = []
    for row in rows:
        batch.append(report_row(row, variant))
        if len(batch) == chunk:
            yield csv_rows(batch)
            batch = []
    if batch:
        yield csv_rows(batch)


def chosen_format(query_headers: str | None, settings: dict[str, Any]) -> tuple[Headers, Variant]:
    """(headers, variant) from `?headers=` (else LICENSE_REPORT_HEADERS) and LICENSE_REPORT_VARIANT."""
    wanted = (query_headers or settings["LICENSE_REPORT_HEADERS"]).strip().lower()
    site = str(settings["LICENSE_REPORT_VARIANT"]).strip().lower()
    headers: Headers
    variant: Variant
    if wanted == "current":
        headers = "current"
    elif wanted == "legacy":
        headers = "legacy"
    else:
        raise ValueError("headers must be current or legacy")
    if site == "ghec":
        variant = "ghec"
    elif site == "ghe.com":
        variant = "ghe.com"
    else:
        raise ValueError("LICENSE_REPORT_VARIANT must be ghec or ghe.com")
    return headers, variant
