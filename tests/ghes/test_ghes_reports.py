"""GitHub's site-admin reports (`/stafftools/reports/*.csv`): columns, values, 202 then download, auth."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from ghes_helpers import basic_auth, sign_in

USER_COLUMNS = ["created_at", "id", "login", "email", "role", "suspended?", "last_logged_ip", "repos",
                "ssh_keys", "org_memberships", "dormant?", "last_active", "raw_login", "2fa_enabled?"]
ORG_COLUMNS = ["id", "created_at", "login", "email", "owners", "members", "teams", "repos", "2fa_required?"]
REPO_COLUMNS = ["created_at", "owner_id", "owner_type", "owner_name", "id", "name", "visibility",
                "readable_size", "raw_size", "collaborators", "fork?", "deleted?"]
URL = "/stafftools/reports/{}.csv"


def download(client: Any, name: str, headers: dict[str, str]) -> list[dict[str, str]]:
    """Ask twice, as GitHub's docs say: 202 first, then the file."""
    first = client.get(URL.format(name), headers=headers)
    assert first.status_code == 202, first.text
    second = client.get(URL.format(name), headers=headers)
    assert second.status_code == 200, second.text
    assert second.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(second.text)))


def header_of(client: Any, name: str, headers: dict[str, str]) -> list[str]:
    """The first row of a report."""
    client.get(URL.format(name), headers=headers)
    return next(csv.reader(io.StringIO(client.get(URL.format(name), headers=headers).text)))


@pytest.mark.parametrize(("name", "expected"), [
    ("all_users", USER_COLUMNS), ("active_users", USER_COLUMNS), ("dormant_users", USER_COLUMNS),
    ("suspended_users", USER_COLUMNS), ("all_organizations", ORG_COLUMNS), ("all_repositories", REPO_COLUMNS),
], ids=lambda v: v if isinstance(v, str) else "columns")
def test_each_report_has_githubs_columns_in_order(client: Any, admin: dict[str, str], name: str,
                                                  expected: list[str]) -> None:
    """The header row is exactly DOMAIN.md §8's list for that kind of report."""
    assert header_of(client, name, admin) == expected


def test_all_users_matches_the_store(client: Any, admin: dict[str, str], runtime: Any) -> None:
    """One row per account (ghost left out) with GHES's value conventions."""
    rows = download(client, "all_users", admin)
    users = [u for u in runtime.store.all_users() if u["kind"] != "ghost"]
    assert [int(r["id"]) for r in rows] == [u["id"] for u in users]
    for row, user in zip(rows, users, strict=True):
        assert row["login"] == user["login"] and row["email"] == user["primary_email"]
        assert row["role"] == ("admin" if user["site_admin"] else "user")
        assert row["suspended?"] == ("true" if user["suspended"] else "false")
        assert row["dormant?"] == ("true" if user["dormant"] else "false")
        assert row["raw_login"] == f'"{user["login"]}"'
        assert row["created_at"].endswith("Z") and "T" in row["created_at"]
        assert (row["last_active"] == "") == (user["last_active_at"] is None)


def test_filtered_reports_hold_only_their_accounts(client: Any, admin: dict[str, str]) -> None:
    """suspended_users only suspended, dormant_users only dormant, active_users neither."""
    assert {r["suspended?"] for r in download(client, "suspended_users", admin)} == {"true"}
    assert {r["dormant?"] for r in download(client, "dormant_users", admin)} == {"true"}
    active = download(client, "active_users", admin)
    assert active and {(r["suspended?"], r["dormant?"]) for r in active} == {("false", "false")}


def test_a_change_to_the_users_makes_the_next_request_a_202_again(client: Any, admin: dict[str, str],
                                                                  runtime: Any) -> None:
    """A cached report is never stale: suspending someone drops it, and the rebuilt one shows the change."""
    before = download(client, "suspended_users", admin)
    assert client.get(URL.format("suspended_users"), headers=admin).status_code == 200  # cached
    target = next(u for u in runtime.store.all_users() if not u["suspended"] and not u["site_admin"]
                  and u["kind"] == "user")
    assert client.put(f"/api/v3/users/{target['login']}/suspended", headers=admin, json={}).status_code == 204
    after = download(client, "suspended_users", admin)
    assert len(after) == len(before) + 1 and target["login"] in {r["login"] for r in after}


def test_a_report_is_rebuilt_once_the_clock_passes_its_age(client: Any, admin: dict[str, str],
                                                           runtime: Any) -> None:
    """REPORT_CACHE_SECONDS (an hour by default) on the app clock, then 202 again."""
    start = runtime.clock.now()
    runtime.clock.set(start, freeze=True)  # WHY frozen: real seconds passing under load must not count
    download(client, "all_users", admin)
    runtime.clock.set(start + timedelta(seconds=3599), freeze=True)
    assert client.get(URL.format("all_users"), headers=admin).status_code == 200
    runtime.clock.set(start + timedelta(seconds=3601), freeze=True)
    assert client.get(URL.format("all_users"), headers=admin).status_code == 202


def test_auth_as_github_documents_it(client: Any, admin: dict[str, str], member: dict[str, str],
                                     tokens: dict[str, str], runtime: Any) -> None:
    """No credentials 401; a normal user's token 403; the admin's token as a Basic password works."""
    url = URL.format("all_users")
    assert client.get(url).status_code == 401
    assert client.get(url).json["message"] == "Requires authentication"
    assert client.get(url, headers=member).status_code == 403
    assert client.get(url, headers={"Authorization": "token nope"}).status_code == 401
    login = runtime.store.instance()["admin_login"]
    basic = basic_auth(login, tokens["admin"])
    assert client.get(url, headers=basic).status_code == 202
    assert client.get(url, headers=basic).status_code == 200
    assert client.get(url, headers=basic_auth(login, "wrong")).status_code == 401


def test_unknown_report_is_githubs_404(client: Any, admin: dict[str, str]) -> None:
    """Only the six reports exist."""
    response = client.get(URL.format("all_secrets"), headers=admin)
    assert response.status_code == 404 and response.json["message"] == "Not Found"


def test_reports_page_links_every_report_for_the_signed_in_admin(client: Any, tokens: dict[str, str]) -> None:
    """The site-admin Reports page lists six downloads, and its links work with the page session."""
    sign_in(client, tokens["admin"])
    page = client.get("/stafftools/reports")
    assert page.status_code == 200
    for name in ("all_users", "active_users", "dormant_users", "suspended_users", "all_organizations",
                 "all_repositories"):
        assert f'href="/stafftools/reports/{name}.csv"' in page.text
    assert client.get(URL.format("all_users")).status_code == 202
    assert client.get(URL.format("all_users")).status_code == 200


def test_reports_are_left_out_of_snapshots_and_dropped_by_a_restore(client: Any, admin: dict[str, str]) -> None:
    """A derived table: a snapshot does not carry report files, and a restore empties the cache."""
    download(client, "all_users", admin)
    snap = client.get("/_mock/snapshot").json
    assert "ghes_reports" not in snap["tables"]
    assert client.put("/_mock/snapshot", json=snap).status_code == 204
    assert client.get(URL.format("all_users"), headers=admin).status_code == 202


def test_an_app_installation_token_is_refused() -> None:
    """GitHub: reports take a personal access token (classic) with site_admin; an App's token is a 403."""
    from ghes_helpers import make_app

    app = make_app(ADMIN_TOKEN="ghs_installationtokenofthesiteadmin000")
    client = app.test_client()
    try:
        app_token = {"Authorization": "token ghs_installationtokenofthesiteadmin000"}
        answer = client.get(URL.format("all_users"), headers=app_token)
        assert answer.status_code == 403 and answer.json["message"] == "Resource not accessible by integration"
        classic = make_app(ADMIN_TOKEN="ghp_classictokenofthesiteadmin00000000")
        assert classic.test_client().get(URL.format("all_users"), headers={
            "Authorization": "token ghp_classictokenofthesiteadmin00000000"}).status_code == 202
        classic.extensions["mock"].db.close()
    finally:
        app.extensions["mock"].db.close()
