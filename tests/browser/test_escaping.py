"""Hostile values render as text in a real browser: no script element appears, no dialog opens.

The values are planted the ways they could really arrive: a display name from the directory
(written through the control plane's snapshot, since no API sets names), a login through GHES's
user API, a search query in the URL, and a key inside a refused upload file (its problems list
echoes the key's path). The pages' CSP would also block an inline script, so the tests look for
the script *element* too: escaping, not CSP, is what must keep it out.
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from browser_helpers import GHES_USERS, XSS, ghec_license_path, replace_in_snapshot, shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PLAIN_NAME = r"[A-Za-z][A-Za-z .'-]*[A-Za-z]"


def no_injected_script(page: Any) -> None:
    """The markup stayed text: no script element carries it and nothing ran."""
    assert page.locator("script", has_text="alert").count() == 0
    assert page.locator("script:not([src])").count() == 0  # the pages have no inline script at all
    assert not page.watch.dialogs


def plain_ascii(name: str | None) -> bool:
    """A name the snapshot rewrite can find verbatim (ASCII, no JSON metacharacters, no quotes)."""
    return bool(name) and re.fullmatch(PLAIN_NAME, name) is not None and "'" not in name


def test_ghes_pages_show_markup_as_text(page, ghes):
    """A display name, an API-created login and a search query with markup stay text on GHES."""
    victim = next(u for u in ghes.control("GET", "users")
                  if u["kind"] == "user" and not u["site_admin"] and plain_ascii(u["name"]) and len(u["name"]) > 6)
    replace_in_snapshot(ghes, victim["name"], XSS)
    created = ghes.session.post("/api/v3/admin/users", json={"login": XSS, "email": "xss@example.com"})
    assert created.status_code == 201, created.text

    sign_in(page, ghes.base_url, ghes.admin_token, f"{GHES_USERS}?q={victim['login']}")
    row = page.locator(f'tr[data-login="{victim["login"]}"]')
    assert row.get_by_text(XSS, exact=True).is_visible()
    no_injected_script(page)

    page.goto(f"{ghes.base_url}{GHES_USERS}?q={quote(XSS)}")
    assert page.get_by_role("searchbox", name="Search users").input_value() == XSS
    assert XSS in page.locator("caption").inner_text()
    no_injected_script(page)

    page.goto(f"{ghes.base_url}{GHES_USERS}?q=xss%40example.com")
    assert page.locator('tr[data-login="script-alert-1-script"]').is_visible()  # normalised as GitHub does
    page.watch.assert_clean()


def test_ghec_pages_show_markup_as_text(page, ghec, tmp_path):
    """A display name, a search query and a hostile upload key stay text on GHEC (list, row, problems)."""
    member = next(m for m in ghec.scenario.enterprises[0].members if plain_ascii(m.name) and len(m.name) > 6)
    replace_in_snapshot(ghec, member.name, XSS)
    license_path = ghec_license_path(ghec)

    sign_in(page, ghec.base_url, ghec.owner_token, f"{license_path}?q={member.login}")
    row = page.locator("#consumed tbody tr").first
    assert row.get_by_text(XSS, exact=True).is_visible()
    no_injected_script(page)
    row.get_by_role("link", name="Details").click()
    assert XSS in page.get_by_role("heading", level=1).inner_text()
    no_injected_script(page)

    page.goto(f"{ghec.base_url}{license_path}?q={quote(XSS)}")
    assert page.get_by_role("searchbox").input_value() == XSS
    assert XSS in page.locator("#result-count").inner_text()
    no_injected_script(page)

    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps({"format": "x", "users": [{XSS: 1}]}))
    page.get_by_label("License usage file exported from GitHub Enterprise Server").set_input_files(hostile)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload server usage").click()
    problems = page.locator("#upload-problems").inner_text()
    assert XSS in problems, problems
    no_injected_script(page)
    shoot(page, "ghec-license-hostile-file")
    page.watch.assert_clean()
