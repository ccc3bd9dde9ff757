"""GitHub's organization, SCIM and Visual Studio endpoints driven by a real client (PyGithub) over HTTP.

Each step checks what §7 says `total_seats_consumed` does at once (same request, no waiting),
and at the end every exchange PyGithub had is validated against GitHub's own description
(`ghec-membership-endpoints.json`) with openapi-core. SCIM and Visual Studio have no PyGithub
methods: they go through PyGithub's own requester (same auth, headers and error handling). The
world and the recorded live server are conftest's `orgs_world` / `orgs_served`, shared with the
githubkit tests (test_ghec_orgs_githubkit.py).
"""
from __future__ import annotations

from typing import Any

import github
from ghec_orgs_spec import Recorder

import scenarios


def client(url: str, token: str) -> github.Github:
    """PyGithub at the mock, lazy (no GET of each object first), without its client-side pauses."""
    return github.Github(base_url=url, auth=github.Auth.Token(token), lazy=True, retry=None,
                         seconds_between_requests=None, seconds_between_writes=None)


def seats(gh: github.Github, slug: str) -> int:
    """total_seats_consumed right now."""
    _, data = gh.requester.requestJsonAndCheck("GET", f"/enterprises/{slug}/consumed-licenses")
    return int(data["total_seats_consumed"])


def test_members_invitations_and_collaborators_move_the_count(orgs_world: scenarios.Scenario,
                                                               orgs_served: tuple[str, Recorder]) -> None:
    url, recorder, world = *orgs_served, orgs_world
    main = world.enterprises[0]
    gh = client(url, world.tokens[f"ghec:{main.slug}:owner"])
    owner = next(m for m in main.members if m.login == main.owner_login)
    org_name = owner.org_roles[0].rsplit(":", 1)[0]
    org = gh.get_organization(org_name)
    start = seats(gh, main.slug)
    members = {m.login: m for m in org.get_members()}  # complete NamedUsers (the mock has no GET /users/…)
    assert org.has_in_members(members[owner.login])
    only_here = next(m for m in main.members if m.org_roles == [f"{org_name}:Member"] and m.login != main.member_login
                     and not m.pending_invite_orgs)
    # An invitation by email (no EMU): billed at once; cancelled: gone at once.
    org.invite_user(email="brand.new.person@example.com", role="direct_member")
    assert seats(gh, main.slug) == start + 1
    invitation = next(i for i in org.invitations() if i.email == "brand.new.person@example.com")
    gh.requester.requestJsonAndCheck("DELETE", f"/orgs/{org_name}/invitations/{invitation.id}")
    assert seats(gh, main.slug) == start
    # A billing-manager invitation is not billed.
    org.invite_user(email="books@example.com", role="billing_manager")
    assert seats(gh, main.slug) == start
    # Removing a member of only this organization frees the license; inviting again takes it back.
    user = members[only_here.login]
    org.remove_from_membership(user)
    assert seats(gh, main.slug) == start - 1 and not org.has_in_members(user)
    org.add_to_members(user, "member")
    assert user.get_organization_membership(org_name).state == "pending"
    assert seats(gh, main.slug) == start
    # A member converted to an outside collaborator keeps the organization's private repositories: still billed.
    other = next(m for m in main.members if m.org_roles == [f"{org_name}:Member"] and m.login not in
                 (main.member_login, only_here.login) and not m.visual_studio_subscriber)
    org.convert_to_outside_collaborator(members[other.login])
    assert other.login in {c.login for c in org.get_outside_collaborators()}
    assert seats(gh, main.slug) == start
    org.remove_outside_collaborator(members[other.login])
    assert seats(gh, main.slug) == start - 1
    assert recorder.validate_all() >= 12


def test_scim_and_visual_studio_move_the_count(orgs_world: scenarios.Scenario,
                                               orgs_served: tuple[str, Recorder]) -> None:
    url, recorder, world = *orgs_served, orgs_world
    emu = world.enterprises[-1]
    assert emu.managed_users
    gh = client(url, world.tokens[f"ghec:{emu.slug}:owner"])
    base, org = f"/scim/v2/enterprises/{emu.slug}/Users", emu.organizations[0]
    start = seats(gh, emu.slug)
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "externalId": "E-42",
            "userName": "new.engineer@example.com", "displayName": "New Engineer", "active": True,
            "emails": [{"value": "new.engineer@example.com", "primary": True, "type": "work"}]}
    _, made = gh.requester.requestJsonAndCheck("POST", base, input=user)
    assert seats(gh, emu.slug) == start  # provisioned, in no organization: unaffiliated, not billed
    _, found = gh.requester.requestJsonAndCheck("GET", base, parameters={"filter": 'externalId eq "E-42"'})
    assert [r["id"] for r in found["Resources"]] == [made["id"]]
    login = next(a["github_com_login"] for a in _explain(gh, emu.slug) if a["github_com_login"].startswith(
        "new-engineer"))
    gh.requester.requestJsonAndCheck("PUT", f"/orgs/{org}/memberships/{login}", input={"role": "member"})
    assert seats(gh, emu.slug) == start + 1  # EMU: added directly, no invitation
    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations": [{"op": "replace", "path": "active", "value": False}]}
    gh.requester.requestJsonAndCheck("PATCH", f"{base}/{made['id']}", input=patch)
    assert seats(gh, emu.slug) == start  # suspended managed user: not billed
    gh.requester.requestJsonAndCheck("GET", f"{base}/{made['id']}")
    gh.requester.requestJsonAndCheck("PUT", f"{base}/{made['id']}", input={**user, "displayName": "Renamed"})
    assert seats(gh, emu.slug) == start + 1  # active again
    gh.requester.requestJsonAndCheck("DELETE", f"{base}/{made['id']}")
    assert seats(gh, emu.slug) == start
    main = world.enterprises[0]
    owner = client(url, world.tokens[f"ghec:{main.slug}:owner"])
    vs = f"/enterprises/{main.slug}/visual-studio-subscriptions"
    before = seats(owner, main.slug)
    _, listed = owner.requester.requestJsonAndCheck("GET", vs)
    bundled = next(s for s in listed["visual_studio_subscriptions"] if s["username"] == "visual-studio-unaffiliated")
    owner.requester.requestJsonAndCheck("PUT", f"{vs}/{bundled['subscription_id']}",
                                        input={"user_identifier": "unaffiliated-member"})
    assert seats(owner, main.slug) == before  # the bundle moved from one unaffiliated account to another
    owner.requester.requestJsonAndCheck("DELETE", f"{vs}/{bundled['subscription_id']}")
    assert seats(owner, main.slug) == before - 1  # no account linked: nobody billed for it
    assert recorder.validate_all() >= 10


def _explain(gh: github.Github, slug: str) -> list[dict[str, Any]]:
    """`/_mock/explain`'s accounts (through the same HTTP server)."""
    _, report = gh.requester.requestJsonAndCheck("GET", f"/_mock/explain?enterprise={slug}")
    return report["accounts"]
