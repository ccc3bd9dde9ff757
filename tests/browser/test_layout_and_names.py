"""Every page at laptop (1280px) and phone (390px) width: no sideways page scroll, every control
named, landmarks and headings in order, every POST form carrying its CSRF token, the CSP header
on, no CSP violation. A screenshot of each page at both widths goes to test-artifacts/screenshots/.
"""
from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import GHES_LICENSE, GHES_USERS, check_page, ghec_license_path, sign_in, submit_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def visit(page: Any, url: str, name: str) -> list[str]:
    """Open `url` and run every page check on it."""
    response = page.goto(url)
    assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
    return check_page(page, name)


def sign_out(page: Any) -> None:
    """The header's Sign out button (a CSRF-protected POST)."""
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def test_ghes_pages(page, license_sync_pair):
    """Login, License (after a sync, so every section is filled), Users, the 403 page."""
    ghes = license_sync_pair.ghes
    license_sync_pair.sync_now()  # the License sync section with a last sync and an attempts table
    suspended = next(u for u in ghes.control("GET", "users") if u["suspended"])
    problems = visit(page, ghes.base_url + "/login", "ghes-login")
    sign_in(page, ghes.base_url, ghes.admin_token, GHES_LICENSE)
    problems += check_page(page, "ghes-license")
    problems += visit(page, ghes.base_url + GHES_USERS, "ghes-users")
    page.goto(f"{ghes.base_url}{GHES_USERS}?q={suspended['login']}")  # search; suspended accounts marked
    assert page.locator(f'tr[data-login="{suspended["login"]}"]').get_by_text("Suspended").is_visible()
    sign_out(page)
    submit_sign_in(page, ghes.member_token)
    problems += visit(page, ghes.base_url + GHES_LICENSE, "ghes-forbidden")
    assert page.get_by_role("heading", name="Access denied").is_visible()
    assert problems == []
    page.watch.assert_clean()


def test_ghec_pages(page, license_sync_pair):
    """Login, License (registered, then synced), search, a merged row, a refused upload, the non-owner home."""
    ghec = license_sync_pair.ghec
    license_path = ghec_license_path(ghec)
    problems = visit(page, ghec.base_url + "/login", "ghec-login")
    sign_in(page, ghec.base_url, ghec.owner_token, license_path)
    # Enabling license sync registered the instance: listed before its first push, and saying so.
    assert page.locator("#instances .event").inner_text() == "GitHub Connect server usage never synced"
    license_sync_pair.sync_now()  # an instance that synced and merged server accounts in the rows
    page.reload()
    assert page.locator("#instances .event").inner_text() == "GitHub Connect server usage synced"
    problems += check_page(page, "ghec-license")
    someone = ghec.scenario.enterprises[0].members[3].login
    page.get_by_role("searchbox", name="Search by login, name, email or server account").fill(someone.upper())
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    assert "matching" in page.locator("#result-count").inner_text()  # case-insensitive search
    assert page.locator("#consumed tbody").get_by_text(someone, exact=True).is_visible()
    merged = max(ghec.control("GET", "explain")["rows"], key=lambda r: len(r["server_accounts"]))
    problems += visit(page, f"{ghec.base_url}{license_path}/users/{merged['rownum']}", "ghec-license-row")
    assert page.locator("#sources li").count() == len(merged["server_accounts"])
    page.goto(ghec.base_url + license_path)
    page.get_by_label("License usage file exported from GitHub Enterprise Server").set_input_files(
        files=[{"name": "broken.json", "mimeType": "application/json", "buffer": b"{not json"}])
    with page.expect_navigation():
        page.get_by_role("button", name="Upload server usage").click()
    problems += check_page(page, "ghec-license-refused")
    sign_out(page)
    submit_sign_in(page, ghec.member_token)
    problems += check_page(page, "ghec-home-not-an-owner")
    assert problems == []
    page.watch.assert_clean()
