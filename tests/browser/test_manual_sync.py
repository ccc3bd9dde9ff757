"""The manual sync as GitHub's docs walk it, in a real browser: export on GHES, add on GHEC.

GHES → Enterprise settings → License → Quick links → "Export license usage" downloads the file;
GHEC → Enterprise settings → License → "Enterprise Server instances" → "Add server usage"
takes it through the file picker or by drag and drop. A refused file shows its problems.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import GHES_LICENSE, consumed, ghec_license_path, shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def export_through_the_page(page: Any, ghes: Any, folder: Path) -> Path:
    """Sign in to GHES and click Quick links → "Export license usage"; the downloaded file."""
    sign_in(page, ghes.base_url, ghes.admin_token, GHES_LICENSE)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export license usage", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.startswith("license-usage-") and download.suggested_filename.endswith(".json")
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


def server_row(page: Any, server_id: str) -> Any:
    """The "Enterprise Server instances" row of one server."""
    return page.locator(f'#instances tr[data-server-id="{server_id}"]')


def expected_consumed(ghec: Any) -> int:
    """What GHEC's API says is consumed now (the page must agree)."""
    answer = ghec.session.get(f"/enterprises/{ghec.enterprise}/consumed-licenses", params={"per_page": 1})
    return answer.json()["total_seats_consumed"]


def test_export_on_ghes_then_upload_through_the_file_picker(page, ghes, ghec, tmp_path):
    """The documented manual path end to end: a real download, a real file chooser, the CSV after."""
    exported = export_through_the_page(page, ghes, tmp_path)
    document = json.loads(exported.read_bytes())
    server_id = document["instance"]["server_id"]
    assert document["users"] and "encryption" in document  # encrypted by default, as `ghe-license usage`

    sign_in(page, ghec.base_url, ghec.owner_token, ghec_license_path(ghec))
    before = consumed(page)
    assert page.locator("#no-instances").is_visible()
    with page.expect_file_chooser() as chooser_info:
        page.get_by_label("License usage file exported from GitHub Enterprise Server").click()
    chooser_info.value.set_files(exported)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload server usage").click()

    assert page.get_by_role("status").filter(has_text="Server usage uploaded for").is_visible()
    row = server_row(page, server_id)
    assert row.locator(".event").inner_text() == "Server usage uploaded"
    assert row.locator("time").first.get_attribute("datetime")
    after = consumed(page)
    assert after == expected_consumed(ghec) and after != before
    shoot(page, "ghec-license-after-upload")

    with page.expect_download() as csv_info:
        page.get_by_role("link", name="Download CSV report").click()
    lines = Path(csv_info.value.path()).read_text().splitlines()
    assert lines[0].startswith("GitHub com login,") and len(lines) == 1 + after
    page.watch.assert_clean()


def test_drag_and_drop_onto_the_drop_zone_uploads_the_file(page, ghes, ghec):
    """Dropping a file on the zone (a synthetic drop carrying a DataTransfer) puts it in the input and submits."""
    raw = ghes.session.get("/api/v3/enterprise/license-usage/export").content
    server_id = json.loads(raw)["instance"]["server_id"]
    sign_in(page, ghec.base_url, ghec.owner_token, ghec_license_path(ghec))
    zone = page.locator("#dropzone")
    page.evaluate("""([name, text]) => {
        window.__usageFile = new DataTransfer();
        window.__usageFile.items.add(new File([text], name, {type: 'application/json'}));
    }""", ["usage.json", raw.decode()])
    data_transfer = page.evaluate_handle("() => window.__usageFile")
    zone.dispatch_event("dragenter", {"dataTransfer": data_transfer})
    assert "is-dragover" in zone.get_attribute("class")  # the zone shows where to drop
    with page.expect_navigation():
        zone.dispatch_event("drop", {"dataTransfer": data_transfer})
    assert server_row(page, server_id).locator(".event").inner_text() == "Server usage uploaded"
    assert consumed(page) == expected_consumed(ghec)
    page.watch.assert_clean()


def test_a_refused_file_shows_its_problems_and_changes_nothing(page, ghes, ghec, tmp_path):
    """A bad file: every problem on the page, next to the form; GHEC's state byte-for-byte the same."""
    document = json.loads(ghes.session.get("/api/v3/enterprise/license-usage/export",
                                           params={"encrypted": "false"}).content)
    document["instance"]["version"] = "not a version"
    document["users"][0]["login"] = "octocat"  # a login must never cross to GHEC
    bad = tmp_path / "bad-usage.json"
    bad.write_text(json.dumps(document))
    sign_in(page, ghec.base_url, ghec.owner_token, ghec_license_path(ghec))
    before_count, before_state = consumed(page), ghec.snapshot()

    page.get_by_label("License usage file exported from GitHub Enterprise Server").set_input_files(bad)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload server usage").click()

    problems = page.locator("#upload-problems")
    assert problems.get_attribute("role") == "alert"
    assert "Nothing was changed" in problems.inner_text()
    items = problems.locator("li").all_inner_texts()
    assert any("$.instance.version" in item for item in items), items
    assert any("$.users[0].login" in item for item in items), items
    assert page.locator("#upload-refused").is_visible()  # the top of the page says so too
    assert consumed(page) == before_count and page.locator("#no-instances").is_visible()
    assert ghec.snapshot() == before_state
    shoot(page, "ghec-license-refused-file")
    page.watch.assert_clean()
