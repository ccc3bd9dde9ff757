"""The organization, SCIM and Visual Studio endpoints in process: GitHub's refusals, the journal,
snapshot and restore, organization SCIM, and what a change does to the rows (DOMAIN §7)."""
from __future__ import annotations

from typing import Any

import pytest
from ghec_orgs_spec import check

import scenarios

SEED = 3


@pytest.fixture
def world() -> scenarios.Scenario:
    return scenarios.build(SEED, "edge-cases")


@pytest.fixture
def ctx(make_app: Any, world: scenarios.Scenario) -> dict[str, Any]:
    """A fresh edge-cases app, the main enterprise's owner headers and the organization it owns."""
    app = make_app(SEED=SEED, SCENARIO="edge-cases")
    main = world.enterprises[0]
    owner = next(m for m in main.members if m.login == main.owner_login)
    return {"client": app.test_client(), "main": main, "org": owner.org_roles[0].rsplit(":", 1)[0],
            "auth": {"Authorization": f"token {world.tokens[f'ghec:{main.slug}:owner']}"},
            "emu": world.enterprises[-1],
            "emu_auth": {"Authorization": f"token {world.tokens[f'ghec:{world.enterprises[-1].slug}:owner']}"}}


def seats(ctx: dict[str, Any], slug: str | None = None, auth: dict | None = None) -> int:
    slug = slug or ctx["main"].slug
    got = ctx["client"].get(f"/enterprises/{slug}/consumed-licenses", headers=auth or ctx["auth"])
    return int(got.get_json()["total_seats_consumed"])


def validated(response: Any, method: str, path: str) -> Any:
    """The response, after checking it against GitHub's description."""
    check(method, path.split("?")[0], path.partition("?")[2], response.status_code, response.content_type,
          response.headers.get("Link"), response.get_data())
    return response


def test_refusals_are_githubs(ctx: dict[str, Any]) -> None:
    c, org, auth = ctx["client"], ctx["org"], ctx["auth"]
    bad = validated(c.post(f"/orgs/{org}/invitations", json={}, headers=auth), "POST", f"/orgs/{org}/invitations")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "invitee_id"
    again = c.post(f"/orgs/{org}/invitations", json={"invitee_id": 1}, headers=auth)
    assert again.status_code == 422 and again.get_json()["message"] == "Validation Failed"
    member = next(m for m in ctx["main"].members if f"{org}:Member" in m.org_roles)
    already = c.post(f"/orgs/{org}/invitations", json={"invitee_id": member.id}, headers=auth)
    assert already.status_code == 422 and "already" in already.get_json()["errors"][0]["message"]
    assert c.post(f"/orgs/{org}/invitations", data="{", headers=auth).status_code == 400
    assert validated(c.delete(f"/orgs/{org}/invitations/123456789", headers=auth), "DELETE",
                     f"/orgs/{org}/invitations/123456789").status_code == 404
    assert c.delete(f"/orgs/{org}/outside_collaborators/{member.login}", headers=auth).status_code == 422
    assert c.get("/orgs/no-such-org/members", headers=auth).status_code == 404
    emu_org = ctx["emu"].organizations[0]
    assert c.post(f"/orgs/{emu_org}/invitations", json={"email": "x@y.example"},
                  headers=ctx["emu_auth"]).status_code == 422
    owner = ctx["main"].owner_login
    last = c.delete(f"/orgs/{org}/memberships/{owner}", headers=auth)
    if last.status_code == 403:  # the organization's only owner stays
        assert "last owner" in last.get_json()["message"]
    vs = f"/enterprises/{ctx['main'].slug}/visual-studio-subscriptions"
    assert c.put(f"{vs}/nope", json={"user_identifier": owner}, headers=auth).status_code == 404
    first = c.get(vs, headers=auth).get_json()["visual_studio_subscriptions"][0]["subscription_id"]
    assert validated(c.delete(f"{vs}/{first}", headers=auth), "DELETE", f"{vs}/{first}").status_code == 422
    assert c.put(f"{vs}/{first}", json={"user_identifier": "nobody-at-all"}, headers=auth).status_code == 422


def test_scim_refusals_and_filters(ctx: dict[str, Any]) -> None:
    c, base = ctx["client"], f"/scim/v2/enterprises/{ctx['emu'].slug}/Users"
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "externalId": "X1", "userName": "x1@e.example",
            "displayName": "X One", "active": True, "emails": [{"value": "x1@e.example", "primary": True}]}
    made = validated(c.post(base, json=user, headers=ctx["emu_auth"]), "POST", base)
    assert made.status_code == 201 and made.content_type.startswith("application/scim+json")
    dup = validated(c.post(base, json=user, headers=ctx["emu_auth"]), "POST", base)
    assert dup.status_code == 409 and dup.get_json()["status"] == 409
    assert c.get(f"{base}?filter=nickName%20eq%20%22x%22", headers=ctx["emu_auth"]).status_code == 400
    found = c.get(f"{base}?filter=userName%20eq%20%27X1@E.example%27", headers=ctx["emu_auth"])
    assert [r["externalId"] for r in validated(found, "GET", base).get_json()["Resources"]] == ["X1"]
    assert validated(c.get(f"{base}/nope", headers=ctx["emu_auth"]), "GET", f"{base}/nope").status_code == 404
    org_scim = f"/scim/v2/organizations/{ctx['emu'].organizations[0]}/Users"
    assert c.get(org_scim, headers=ctx["emu_auth"]).status_code == 404  # EMU organizations: enterprise SCIM only
    main_base = f"/scim/v2/enterprises/{ctx['main'].slug}/Users"
    assert c.get(main_base, headers=ctx["auth"]).status_code == 404  # no managed users there


def test_org_scim_provisioning_invites_and_deprovisioning_frees(ctx: dict[str, Any]) -> None:
    c, org, auth = ctx["client"], ctx["org"], ctx["auth"]
    base, start = f"/scim/v2/organizations/{org}/Users", seats(ctx)
    body = {"userName": "scim.person@corp.example", "name": {"givenName": "Scim", "familyName": "Person"},
            "emails": [{"value": "scim.person@corp.example", "primary": True}], "externalId": "S-1"}
    made = validated(c.post(base, json=body, headers=auth), "POST", base).get_json()
    assert seats(ctx) == start + 1  # a pending invitation to its email, no EMU: billed
    listed = validated(c.get(f"{base}?filter=externalId%20eq%20%22S-1%22", headers=auth), "GET", base).get_json()
    assert listed["totalResults"] == 1 and listed["Resources"][0]["id"] == made["id"]
    invitations = c.get(f"/orgs/{org}/invitations?invitation_source=scim", headers=auth).get_json()
    assert [i["email"] for i in invitations] == ["scim.person@corp.example"]
    patched = c.patch(f"{base}/{made['id']}", json={"Operations": [{"op": "replace", "value": {"displayName": "S P"}}]},
                      headers=auth)
    assert validated(patched, "PATCH", f"{base}/{made['id']}").get_json()["displayName"] == "S P"
    gone = c.delete(f"{base}/{made['id']}", headers=auth)
    assert validated(gone, "DELETE", f"{base}/{made['id']}").status_code == 204 and gone.data == b""
    assert seats(ctx) == start


def test_changes_are_journaled_snapshotted_and_restored(ctx: dict[str, Any]) -> None:
    c, org, auth = ctx["client"], ctx["org"], ctx["auth"]
    saved = c.get("/_mock/snapshot").get_json()
    start = seats(ctx)
    assert c.post(f"/orgs/{org}/invitations", json={"email": "snap@corp.example"}, headers=auth).status_code == 201
    assert seats(ctx) == start + 1
    journal = c.get("/_mock/journal?method=POST").get_json()
    entries = journal["entries"] if isinstance(journal, dict) else journal
    assert any(e["path"] == f"/orgs/{org}/invitations" and e["status"] == 201 for e in entries)
    taken = c.get("/_mock/snapshot").get_json()
    assert c.put("/_mock/snapshot", json=saved).status_code == 204
    assert seats(ctx) == start and c.get(f"/orgs/{org}/invitations", headers=auth).get_json() == [
        i for i in c.get(f"/orgs/{org}/invitations", headers=auth).get_json() if i["email"] != "snap@corp.example"]
    assert c.put("/_mock/snapshot", json=taken).status_code == 204
    assert seats(ctx) == start + 1


def test_a_billing_manager_is_no_row_and_matches_no_server_account(ctx: dict[str, Any]) -> None:
    """Only billed accounts are rows: the upload path's match index leaves the others out."""
    explain = ctx["client"].get("/_mock/explain").get_json()
    manager = next(a for a in explain["accounts"] if a["github_com_login"] == "billing-manager-only")
    assert manager["billed"] is False and manager["why"] == "billing manager only: not billed"
    assert "billing-manager-only" not in {r["github_com_login"] for r in explain["rows"]}
