"""The organization store reads back in the scenario model's field names (what `scenario dump` writes)."""
from __future__ import annotations

from typing import Any

import scenarios
from mock_ghec.orgs_dump import enterprise_fields, member_fields


def test_a_seeded_world_reads_back_as_declared(make_app: Any) -> None:
    world = scenarios.build(3, "edge-cases")
    app = make_app(SEED=3, SCENARIO="edge-cases")
    db = app.extensions["mock"].db
    for ent in world.enterprises:
        fields = member_fields(db, ent.id)
        for m in ent.members:
            got = fields[m.id]
            assert got["org_roles"] == m.org_roles and got["billing_manager_orgs"] == m.billing_manager_orgs
            assert got["pending_invite_orgs"] == m.pending_invite_orgs, m.login
            assert got["collaborator_repos"] == m.collaborator_repos, m.login
            assert (got["suspended"], got["setup_enterprise"], got["guest_collaborator"]) == (
                m.suspended, m.setup_enterprise, m.guest_collaborator)
            assert got["visual_studio_subscriber"] == m.visual_studio_subscriber, m.login
            if m.visual_studio_subscriber:
                assert got["visual_studio_linked"] == m.visual_studio_linked
        declared = enterprise_fields(db, ent.id)
        assert declared["managed_users"] == ent.managed_users
        assert [(r["org"], r["name"], r["visibility"], r["fork"]) for r in declared["repositories"]] == sorted(
            (r.org, r.name, r.visibility, r.fork) for r in ent.repositories)
        assert sorted(i["id"] for i in declared["invitations"]) == sorted(i.id for i in ent.invitations)
        assert [email for _, email in declared["visual_studio_unlinked"]] == [e for _, e in ent.visual_studio_unlinked]


def test_a_change_through_the_api_is_in_the_dump(make_app: Any) -> None:
    world = scenarios.build(3, "edge-cases")
    main = world.enterprises[0]
    app = make_app(SEED=3, SCENARIO="edge-cases")
    owner = next(m for m in main.members if m.login == main.owner_login)
    org = owner.org_roles[0].rsplit(":", 1)[0]
    auth = {"Authorization": f"token {world.tokens[f'ghec:{main.slug}:owner']}"}
    unaffiliated = next(m for m in main.members if m.login == "unaffiliated-member")
    assert app.test_client().put(f"/orgs/{org}/memberships/{unaffiliated.login}", json={"role": "member"},
                                 headers=auth).status_code == 200
    assert member_fields(app.extensions["mock"].db, main.id)[unaffiliated.id]["pending_invite_orgs"] == [org]


def test_the_scenario_dump_carries_a_change_made_through_the_api(make_app: Any) -> None:
    """`GET /_mock/scenario/file` (what `mock-ghec scenario dump` writes) after an invitation by email: loading
    that file gives the organization state the server has now, the invitation included."""
    world = scenarios.build(3, "edge-cases")
    main = world.enterprises[0]
    app = make_app(SEED=3, SCENARIO="edge-cases")
    client = app.test_client()
    owner = next(m for m in main.members if m.login == main.owner_login)
    org = owner.org_roles[0].rsplit(":", 1)[0]
    auth = {"Authorization": f"token {world.tokens[f'ghec:{main.slug}:owner']}"}
    answer = client.post(f"/orgs/{org}/invitations", json={"email": "dumped@corp.example"}, headers=auth)
    assert answer.status_code == 201
    seats = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page=1", headers=auth).get_json()
    document = client.get("/_mock/scenario/file").get_json()
    again = make_app(SCENARIO_DOCUMENT=document).test_client()
    invitations = again.get(f"/orgs/{org}/invitations", headers=auth).get_json()
    assert "dumped@corp.example" in {i["email"] for i in invitations}
    assert again.get(f"/enterprises/{main.slug}/consumed-licenses?per_page=1",
                     headers=auth).get_json()["total_seats_consumed"] == seats["total_seats_consumed"]
