"""GitHub's public GHEC routes: shapes against GitHub's OpenAPI extract, pagination edges, auth matrix."""
from __future__ import annotations

import re

import pytest
from ghec_helpers import all_rows, export_for, reference, upload
from ghec_spec_check import check
from openapi_core.validation.response.exceptions import InvalidData

ROW_PROPS = reference()["components"]["schemas"]["get-consumed-licenses"]["properties"]["users"]["items"]["properties"]


def links(response) -> dict[str, str]:
    """The Link header as {rel: url}."""
    header = response.headers.get("Link")
    if header is None:
        return {}
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def test_consumed_licenses_default_page_matches_reference(client, main, owner):
    """Default per_page is 30; the body validates against GitHub's schema; every field is there."""
    response = client.get(f"/enterprises/{main.slug}/consumed-licenses", headers=owner)
    assert response.status_code == 200
    check(f"/enterprises/{main.slug}/consumed-licenses", response)
    body = response.get_json()
    assert len(body["users"]) == 30
    assert body["total_seats_consumed"] == len(main.members)
    assert body["total_seats_purchased"] == main.seats_purchased
    for row in body["users"]:
        assert set(ROW_PROPS) <= set(row), set(ROW_PROPS) - set(row)
        assert isinstance(row["github_com_two_factor_auth"], bool)


def test_rows_after_uploads_match_reference_and_schema_types(client, scenario, main, owner):
    """GHES-only rows too: two-factor is null (the schema's nullable boolean), never the example's ""."""
    for instance in scenario.ghes:
        assert upload(client, main.slug, owner, export_for(instance)).status_code == 201
    for page in (1, 2, 3):
        url = f"/enterprises/{main.slug}/consumed-licenses?per_page=100&page={page}"
        check(url, client.get(url, headers=owner))
    rows = all_rows(client, main.slug, owner)
    ghes_only = [r for r in rows if not r["github_com_user"]]
    assert ghes_only and all(r["github_com_two_factor_auth"] is None for r in ghes_only)
    assert all(r["enterprise_server_user"] and r["total_user_accounts"] == len(r["enterprise_server_user_ids"])
               for r in ghes_only)
    assert all(re.fullmatch(r"[a-z0-9.-]+:\d+", i) for r in rows for i in r["enterprise_server_user_ids"])


def test_reference_check_really_rejects_a_wrong_type(client, main, owner):
    """The helper is not vacuous: the upstream example's "" for two-factor fails it."""
    response = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page=1", headers=owner)
    response.set_data(response.data.replace(b'"github_com_two_factor_auth":true', b'"github_com_two_factor_auth":""')
                      .replace(b'"github_com_two_factor_auth":false', b'"github_com_two_factor_auth":""'))
    with pytest.raises(InvalidData):
        check(f"/enterprises/{main.slug}/consumed-licenses?per_page=1", response)


def test_sync_status_matches_reference(client, scenario, main, owner):
    """Empty before any sync; each uploaded server listed with a successful last sync."""
    url = f"/enterprises/{main.slug}/license-sync-status"
    response = client.get(url, headers=owner)
    check(url, response)
    assert response.get_json() == {"server_instances": []}
    upload(client, main.slug, owner, export_for(scenario.ghes[0]))
    response = client.get(url, headers=owner)
    check(url, response)
    [instance] = response.get_json()["server_instances"]
    assert instance["server_id"] == scenario.ghes[0].server_id
    assert instance["hostname"] == scenario.ghes[0].host_name
    assert instance["last_sync"]["status"] == "success" and instance["last_sync"]["error"] == ""


@pytest.mark.parametrize("per_page", [73, 146])  # 146 rows: exact multiples
def test_pagination_exact_multiples(client, main, owner, per_page):
    """The last page is full; it has prev/first but no next/last; one page → no Link at all."""
    pages = 146 // per_page
    last = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page={per_page}&page={pages}", headers=owner)
    assert len(last.get_json()["users"]) == min(per_page, 100)
    if per_page == 146:  # capped at 100: two pages
        assert last.get_json()["users"] and links(last)["next"].endswith("page=2")
        return
    assert set(links(last)) == {"prev", "first"}
    first = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page={per_page}", headers=owner)
    assert set(links(first)) == {"next", "last"}
    assert links(first)["last"].endswith(f"per_page={per_page}&page=2")


def test_single_page_has_no_link(client, other, other_owner):
    """The small enterprise fits in one default page: no Link header."""
    response = client.get(f"/enterprises/{other.slug}/consumed-licenses", headers=other_owner)
    assert response.status_code == 200 and "Link" not in response.headers
    assert len(response.get_json()["users"]) == len(other.members)


def test_page_past_the_end(client, main, owner):
    """An empty page with prev (to the last real page) and first."""
    response = client.get(f"/enterprises/{main.slug}/consumed-licenses?page=99", headers=owner)
    body = response.get_json()
    assert response.status_code == 200 and body["users"] == [] and body["total_seats_consumed"] == 146
    assert links(response)["prev"].endswith("page=5") and links(response)["first"].endswith("page=1")


@pytest.mark.parametrize("query,size", [("per_page=500", 100), ("per_page=0", 30), ("per_page=abc", 30),
                                        ("per_page=-3", 30), ("page=0&per_page=10", 10), ("page=x", 30)])
def test_per_page_capped_and_garbage_defaults(client, main, owner, query, size):
    """per_page is capped at 100; 0, negatives and garbage mean the default 30; bad page means 1."""
    response = client.get(f"/enterprises/{main.slug}/consumed-licenses?{query}", headers=owner)
    assert response.status_code == 200 and len(response.get_json()["users"]) == size


def test_pages_are_disjoint_and_ordered(client, main, owner):
    """Walking the Link header yields every row once."""
    url, seen = f"/enterprises/{main.slug}/consumed-licenses?per_page=40", []
    while url:
        response = client.get(url, headers=owner)
        seen += [r["github_com_login"] for r in response.get_json()["users"]]
        url = links(response).get("next")
    assert len(seen) == len(set(seen)) == 146


def test_links_point_at_the_asked_host(client, main, owner):
    """Never at api.github.com; the caller's other query parameters are kept."""
    response = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page=50&extra=1", headers=owner,
                          base_url="http://ghec.test:9999")
    for url in links(response).values():
        assert url.startswith(f"http://ghec.test:9999/enterprises/{main.slug}/consumed-licenses?")
        assert "extra=1" in url


ROUTES = ["consumed-licenses", "license-sync-status"]


@pytest.mark.parametrize("route", ROUTES)
def test_auth_matrix(client, main, other, owner, member, other_owner, connect, route):
    """401 none/bad, 403 member, 404 another enterprise's owner and unknown enterprises, alike."""
    url = f"/enterprises/{main.slug}/{route}"
    none = client.get(url)
    assert none.status_code == 401 and none.get_json()["message"] == "Requires authentication"
    bad = client.get(url, headers={"Authorization": "token ghp_nope"})
    assert bad.status_code == 401 and bad.get_json()["message"] == "Bad credentials"
    assert client.get(url, headers={"Authorization": "Basic Zm9vOmJhcg=="}).status_code == 401
    assert client.get(url, headers=connect).status_code == 401  # a Connect token is not a person
    assert client.get(url, headers=member).status_code == 403
    outsider = client.get(url, headers=other_owner)
    missing = client.get(f"/enterprises/no-such-enterprise/{route}", headers=owner)
    assert outsider.status_code == missing.status_code == 404
    assert outsider.get_json() == missing.get_json()
    bearer = {"Authorization": owner["Authorization"].replace("token", "Bearer")}
    assert client.get(url, headers=bearer).status_code == 200
    assert client.get(f"/enterprises/{other.slug}/{route}", headers=other_owner).status_code == 200


def test_enterprise_by_id_and_case_insensitive_slug(client, main, owner):
    """GitHub also accepts the enterprise id; slugs compare case-insensitively."""
    assert client.get(f"/enterprises/{main.id}/consumed-licenses", headers=owner).status_code == 200
    assert client.get(f"/enterprises/{main.slug.upper()}/consumed-licenses", headers=owner).status_code == 200


def test_github_headers(client, main, owner):
    """Rate-limit headers, the API version, GitHub's media type."""
    response = client.get(f"/enterprises/{main.slug}/consumed-licenses", headers=owner)
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset",
                 "x-ratelimit-resource"):
        assert name in response.headers
    assert response.headers["x-ratelimit-limit"] == "5000"
    assert response.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28"
    unknown = client.get(f"/enterprises/{main.slug}/consumed-licenses",
                         headers={**owner, "X-GitHub-Api-Version": "1999-01-01"})
    assert unknown.status_code == 400


def test_user(client, main, owner):
    """GET /user says who the token belongs to."""
    response = client.get("/user", headers=owner)
    assert response.status_code == 200 and response.get_json()["login"] == main.owner_login
    assert response.get_json()["type"] == "User"
    assert client.get("/user").status_code == 401
