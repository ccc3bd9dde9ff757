"""GitHub's license report (the License page's "CSV report", and the API download): headers, values, variants."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from ghec_helpers import all_rows, export_bytes, upload, user

from mock_ghec.license_report import CURRENT_HEADERS, LEGACY_HEADERS

# GitHub's current headers, typed from DOMAIN.md §8 (GitHub's reference), not from our code.
GITHUB_HEADERS = [
    "GitHub com login", "GitHub com name", "Enterprise server user ids", "GitHub com user",
    "Enterprise server user", "Visual studio subscription user", "License type", "GitHub com profile",
    "GitHub com member roles", "GitHub com enterprise roles", "GitHub com verified domain emails",
    "GitHub com saml name", "GitHub com orgs with pending invites", "GitHub com two factor auth",
    "GitHub com two factor auth required by date", "GitHub com cost center",
    "GitHub com code security license user", "GitHub com secret protection license user", "Ghe license active",
    "Ghe license start date", "Ghe license end date", "Enterprise server primary emails",
    "Enterprise server advanced security user ids", "Enterprise server code security user ids",
    "Enterprise server secret protection user ids", "Visual studio license status",
    "Visual studio subscription email", "Total user accounts"]


def report(client: Any, slug: str, headers: dict[str, str], query: str = "") -> list[dict[str, str]]:
    """The API download, parsed."""
    response = client.get(f"/enterprises/{slug}/license-report.csv{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_headers_are_githubs_current_ones_in_order() -> None:
    """The schema's data keys are exactly GitHub's documented list."""
    assert CURRENT_HEADERS == GITHUB_HEADERS


def test_legacy_headers_are_the_old_snake_case_names() -> None:
    """Older reports: github_com_login … enterprise_server_primary_emails … total_user_accounts."""
    assert LEGACY_HEADERS[0] == "github_com_login" and LEGACY_HEADERS[-1] == "total_user_accounts"
    assert "enterprise_server_primary_emails" in LEGACY_HEADERS and len(LEGACY_HEADERS) == len(GITHUB_HEADERS)


def test_every_consumed_license_is_one_row_agreeing_with_the_api(client: Any, main: Any, owner: dict[str, str]) -> None:
    """Same people, same values as `consumed-licenses`, in GitHub's report conventions."""
    rows = report(client, main.slug, owner)
    api = all_rows(client, main.slug, owner)
    assert len(rows) == len(api)
    for line, row in zip(rows, api, strict=True):
        assert line["GitHub com login"] == row["github_com_login"]
        assert line["Total user accounts"] == str(row["total_user_accounts"])
        assert line["License type"] in ("Enterprise", "Visual Studio subscription")
        assert line["GitHub com member roles"] == ", ".join(row["github_com_member_roles"])
        assert line["Ghe license active"] == "false"
    roles = {r for line in rows for r in line["GitHub com enterprise roles"].split(", ") if r}
    assert roles and roles <= {"Owner", "Member", "Outside collaborator", "Repository collaborator",
                               "Billing manager", "Pending invitation"}


def test_server_accounts_after_an_upload(client: Any, main: Any, owner: dict[str, str]) -> None:
    """A server-only person: ids as host:id, primary emails, no GitHub.com login."""
    raw = export_bytes("7f3c1a2e-0000-4000-8000-000000000001", "ghes.corp.example",
                       [user(41, "lone.server@corp.example")])
    assert upload(client, main.slug, owner, raw).status_code == 201
    line = next(r for r in report(client, main.slug, owner) if r["Enterprise server user ids"])
    assert line["Enterprise server user ids"] == "ghes.corp.example:41"
    assert line["Enterprise server primary emails"] == "lone.server@corp.example"
    assert line["GitHub com login"] == "" and line["Enterprise server user"] == "true"


def test_a_formula_in_an_email_is_never_run_by_a_spreadsheet(client: Any, main: Any, owner: dict[str, str]) -> None:
    """OWASP's advice: a cell starting with = + - @ tab CR gets a leading quote."""
    evil = "=cmd|'/Ccalc.exe'!A0@evil.example"
    raw = export_bytes("7f3c1a2e-0000-4000-8000-000000000002", "ghes.corp.example", [user(7, evil)])
    assert upload(client, main.slug, owner, raw).status_code == 201
    text = client.get(f"/enterprises/{main.slug}/license-report.csv", headers=owner).get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + evil in cells and evil not in cells


def test_legacy_query_and_unknown_value(client: Any, main: Any, owner: dict[str, str]) -> None:
    """`?headers=legacy` gives the snake_case header row; anything else is a 422."""
    text = client.get(f"/enterprises/{main.slug}/license-report.csv?headers=legacy", headers=owner)
    assert next(csv.reader(io.StringIO(text.get_data(as_text=True)))) == LEGACY_HEADERS
    bad = client.get(f"/enterprises/{main.slug}/license-report.csv?headers=v2", headers=owner)
    assert bad.status_code == 422 and "current or legacy" in bad.get_json()["message"]


def test_ghe_com_variant_is_a_setting(make_app: Any, scenario: Any, main: Any) -> None:
    """Data residency: `GitHub …` headers and `Ghe license active` true."""
    app = make_app(LICENSE_REPORT_VARIANT="ghe.com")
    owner = {"Authorization": f"token {scenario.tokens[f'ghec:{main.slug}:owner']}"}
    rows = report(app.test_client(), main.slug, owner)
    assert rows and "GitHub login" in rows[0] and "GitHub com login" not in rows[0]
    assert {r["Ghe license active"] for r in rows} == {"true"}


@pytest.mark.parametrize("who", ["nobody", "member", "other-owner"])
def test_only_the_enterprises_owner_gets_it(client: Any, main: Any, member: dict[str, str],
                                           other_owner: dict[str, str], who: str) -> None:
    """The same refusal as consumed-licenses gives the same caller (401, 403 or 404), as GitHub JSON."""
    headers = {"nobody": {}, "member": member, "other-owner": other_owner}[who]
    response = client.get(f"/enterprises/{main.slug}/license-report.csv", headers=headers)
    reference = client.get(f"/enterprises/{main.slug}/consumed-licenses", headers=headers)
    assert response.status_code == reference.status_code and response.status_code in (401, 403, 404)
    assert response.get_json()["message"] == reference.get_json()["message"]


def test_the_fast_cells_are_the_schemas_dump(client: Any, main: Any, owner: dict[str, str]) -> None:
    """Agreement: `report_row` calls the schema's own column functions; each row equals its dump."""
    from mock_ghec.license_report import LicenseReportRowSchema, report_row

    schema = LicenseReportRowSchema()
    api = all_rows(client, main.slug, owner)
    assert api
    for row in api:
        dumped = schema.dump(row)
        assert report_row(row) == [dumped[h] for h in CURRENT_HEADERS]
