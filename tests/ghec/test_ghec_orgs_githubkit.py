"""GitHub's organization, membership, invitation and SCIM endpoints driven by githubkit over HTTP.

githubkit's typed methods parse every answer into its pydantic models (generated from GitHub's
own description), so a body that does not match GitHub's shape fails here; at the end every
exchange is also validated against `ghec-membership-endpoints.json` with openapi-core. SCIM has
no githubkit namespace: it goes through githubkit's generic `request()` (same auth and errors).
The world and the recorded live server are conftest's `orgs_world` / `orgs_served`, shared with
the PyGithub tests (test_ghec_orgs_client.py).
"""
from __future__ import annotations

import pytest
from ghec_orgs_spec import Recorder
from githubkit import GitHub, TokenAuthStrategy
from githubkit.exception import RequestFailed

import scenarios


def kit(url: str, token: str) -> GitHub:
    """githubkit at the mock: no cache and no retries, so each call is one exchange."""
    return GitHub(TokenAuthStrategy(token), base_url=url + "/", http_cache=False, auto_retry=False)


def seats(gh: GitHub, slug: str) -> int:
    """total_seats_consumed right now."""
    return int(gh.request("GET", f"/enterprises/{slug}/consumed-licenses").json()["total_seats_consumed"])


def test_members_memberships_and_invitations_through_githubkit(orgs_world: scenarios.Scenario,
                                                                orgs_served: tuple[str, Recorder]) -> None:
    """Members, a membership's role, invitations made and cancelled, a membership removed and given
    back: each typed answer parses, and `total_seats_consumed` moves at once as DOMAIN §7 says."""
    url, recorder = orgs_served
    main = orgs_world.enterprises[0]
    owner = next(m for m in main.members if m.login == main.owner_login)
    org = owner.org_roles[0].rsplit(":", 1)[0]
    only_here = next(m for m in main.members if m.org_roles == [f"{org}:Member"] and m.login != main.member_login
                     and not m.pending_invite_orgs)
    with kit(url, orgs_world.tokens[f"ghec:{main.slug}:owner"]) as gh:
        start = seats(gh, main.slug)
        logins = {user.login for user in gh.rest.orgs.list_members(org, per_page=100).parsed_data}
        assert {owner.login, only_here.login} <= logins
        assert gh.rest.orgs.check_membership_for_user(org, owner.login).status_code == 204
        assert gh.rest.orgs.get_membership_for_user(org, owner.login).parsed_data.role == "admin"
        # An invitation by email (no EMU) is billed at once; cancelled, it is gone at once.
        made = gh.rest.orgs.create_invitation(org, email="kit.person@example.com", role="direct_member").parsed_data
        assert made.email == "kit.person@example.com" and seats(gh, main.slug) == start + 1
        pending = gh.rest.orgs.list_pending_invitations(org, per_page=100).parsed_data
        assert made.id in {invitation.id for invitation in pending}
        assert gh.rest.orgs.cancel_invitation(org, made.id).status_code == 204
        assert seats(gh, main.slug) == start
        # A member made an admin keeps its seat; its membership removed frees it; set again, it is invited.
        promoted = gh.rest.orgs.set_membership_for_user(org, only_here.login, role="admin").parsed_data
        assert promoted.role == "admin" and promoted.state == "active" and seats(gh, main.slug) == start
        assert gh.rest.orgs.remove_membership_for_user(org, only_here.login).status_code == 204
        assert seats(gh, main.slug) == start - 1
        again = gh.rest.orgs.set_membership_for_user(org, only_here.login, role="member").parsed_data
        assert again.state == "pending" and seats(gh, main.slug) == start
        assert isinstance(gh.rest.orgs.list_outside_collaborators(org).parsed_data, list)
    assert recorder.validate_all() >= 10


def test_organization_scim_through_githubkits_request(orgs_world: scenarios.Scenario,
                                                      orgs_served: tuple[str, Recorder]) -> None:
    """SCIM through `request()`: provision (billed: an invitation to its email), find by filter,
    deprovision (freed); the owner's classic token without `admin:org` gets SCIM's 403."""
    url, recorder = orgs_served
    main = orgs_world.enterprises[0]
    owner = next(m for m in main.members if m.login == main.owner_login)
    org = owner.org_roles[0].rsplit(":", 1)[0]
    base = f"/scim/v2/organizations/{org}/Users"
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "kit.scim@example.com",
            "name": {"givenName": "Kit", "familyName": "Scim"}, "externalId": "KIT-1",
            "emails": [{"value": "kit.scim@example.com", "primary": True, "type": "work"}]}
    with kit(url, orgs_world.tokens[f"ghec:{main.slug}:owner"]) as gh:
        start = seats(gh, main.slug)
        made = gh.request("POST", base, json=user)
        assert made.status_code == 201 and seats(gh, main.slug) == start + 1
        found = gh.request("GET", base, params={"filter": 'externalId eq "KIT-1"'}).json()
        assert [r["id"] for r in found["Resources"]] == [made.json()["id"]]
        assert gh.request("DELETE", f"{base}/{made.json()['id']}").status_code == 204
        assert seats(gh, main.slug) == start
    with kit(url, orgs_world.tokens[f"ghec:{main.slug}:owner:no_scopes"]) as gh, \
            pytest.raises(RequestFailed) as refused:
        gh.request("GET", base)
    body = refused.value.response.json()
    assert refused.value.response.status_code == 403 and "'admin:org'" in body["detail"]
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert recorder.validate_all() >= 4
