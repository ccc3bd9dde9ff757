"""GitHub Connect's License sync in a real browser: configure Connect on GHES, "Sync now", see
GHES report success and GHEC list the instance as "GitHub Connect server usage synced".
(The "never synced" state of a registered instance is checked in test_layout_and_names.py.)
"""
from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import GHES_LICENSE, LAPTOP, consumed, ghec_license_path, shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
#: docs/images/ keeps a copy of the two screenshots taken here (see docs/pages.md); GHEC's is
#: one tall window (licenses, instances, Add server usage), not the whole consumed list.
DOC_WINDOW = {"width": LAPTOP["width"], "height": 1100}


def configure_connect_through_the_form(page: Any, ghec: Any) -> None:
    """Fill GHES's GitHub Connect settings with the GHEC's URL, enterprise and Connect token."""
    page.get_by_label("GitHub Enterprise Cloud URL").fill(ghec.base_url)
    page.get_by_role("textbox", name="Enterprise", exact=True).fill(ghec.enterprise)
    page.get_by_label("Connect token").fill(ghec.connect_token)
    page.get_by_label("Enable license sync").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save GitHub Connect settings").click()


def test_sync_now_pushes_usage_and_both_sides_show_it(page, ghes, ghec):
    """Connect set up through the form, then Sync now: success on GHES, the synced event on GHEC."""
    sign_in(page, ghes.base_url, ghes.admin_token, GHES_LICENSE)
    sync_button = page.get_by_role("button", name="Sync now")
    assert sync_button.is_disabled()  # license sync is off until Connect is configured
    assert page.locator("#last-sync").inner_text() == "Never synced."

    configure_connect_through_the_form(page, ghec)
    assert page.get_by_role("status").filter(has_text="GitHub Connect settings saved.").is_visible()
    assert page.locator("#sync-state").inner_text() == "Enabled"
    with page.expect_navigation():
        sync_button.click()

    assert page.get_by_role("status").filter(has_text="License usage synced").is_visible()
    last = page.locator("#last-sync")
    assert "Success" in last.inner_text() and "(manual)" in last.inner_text()
    assert page.locator("#license-sync table tbody tr").count() == 1
    shoot(page, "ghes-license-after-sync")  # the whole page: seats, Quick links, License sync
    server_id = ghes.scenario_info()["server_id"]

    sign_in(page, ghec.base_url, ghec.owner_token, ghec_license_path(ghec))
    row = page.locator(f'#instances tr[data-server-id="{server_id}"]')
    assert row.locator(".event").inner_text() == "GitHub Connect server usage synced"
    assert row.locator(".Label").inner_text() == "success"
    api = ghec.session.get(f"/enterprises/{ghec.enterprise}/consumed-licenses", params={"per_page": 1}).json()
    assert consumed(page) == api["total_seats_consumed"]
    page.set_viewport_size(DOC_WINDOW)
    shoot(page, "ghec-license-after-sync", full_page=False)
    page.watch.assert_clean()

