"""The People page's badge counts every user, whatever the search; the caption counts the matches."""
from __future__ import annotations

from ghes_helpers import sign_in


def test_the_users_badge_is_the_total_while_searching(client, tokens, runtime):
    """A search with no result keeps the badge at the number of users (it used to show 0)."""
    sign_in(client, tokens["admin"])
    total = len(runtime.store.all_users())
    html = client.get("/enterprise/users", query_string={"q": "zz-nobody-zz"}).text
    assert f'<span class="Counter">{total}</span>' in html
    assert "0 users matching “zz-nobody-zz”" in html
