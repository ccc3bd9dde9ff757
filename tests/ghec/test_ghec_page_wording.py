"""Small things a person reading the GHEC pages trips on: a missing row, a page past the end, raw values."""
from __future__ import annotations

import re

import pytest


def _csrf(html: str) -> str:
    """The CSRF token of a page's form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


@pytest.fixture
def signed_in(client, scenario, main):
    """The test client signed in as the main enterprise's owner."""
    page = client.get("/login").get_data(as_text=True)
    token = scenario.tokens[f"ghec:{main.slug}:owner"]
    answer = client.post("/login", data={"token": token, "csrf_token": _csrf(page)})
    assert answer.status_code == 302
    return client


def test_a_missing_row_page_is_a_styled_404_with_the_way_back(signed_in, main):
    """/users/99999: 404 in the site's layout, saying what is missing and linking back, not Werkzeug's page."""
    answer = signed_in.get(f"/enterprises/{main.slug}/settings/license/users/99999")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert "License 99999 not found" in html and "Back to the consumed licenses" in html
    assert "The requested URL was not found on the server" not in html  # Werkzeug's text
    assert f'href="/enterprises/{main.slug}/settings/license#consumed"' in html


def test_a_page_past_the_end_says_so(signed_in, main):
    """?page=999 does not say "No consumed licenses match" (nothing was searched): it points to the last page."""
    html = signed_in.get(f"/enterprises/{main.slug}/settings/license?page=999").get_data(as_text=True)
    assert "No consumed licenses match" not in html
    assert re.search(r"Page 999 is past the last page \((\d+)\): <a href=[^>]+page=\1", html)


def test_a_search_without_results_names_the_search(signed_in, main):
    """A search with no results quotes what was searched."""
    html = signed_in.get(f"/enterprises/{main.slug}/settings/license?q=zz-nobody-zz").get_data(as_text=True)
    assert "No consumed licenses match “zz-nobody-zz”." in html


def test_license_types_are_shown_as_github_names_them(signed_in, main):
    """The list shows "Visual Studio subscription" / "Enterprise", never the API's `visual_studio_subscription`."""
    html = "".join(signed_in.get(f"/enterprises/{main.slug}/settings/license?page={n}").get_data(as_text=True)
                   for n in range(1, 6))
    cells = re.findall(r"<td>(Enterprise|Visual Studio subscription|visual_studio_subscription|enterprise)</td>", html)
    assert "Enterprise" in cells and "Visual Studio subscription" in cells
    assert "visual_studio_subscription" not in cells and "enterprise" not in cells
