"""DOMAIN §7 on the mock GHEC, one test per rule: the `edge-cases` world plants each rule at least
once; the account's verdict in `/_mock/explain` names the rule with its sentence, and the count
(`total_seats_consumed`, the consumed-license rows) has the account exactly when the rule bills it.
"""
from __future__ import annotations

from typing import Any

import pytest

import scenarios
from scenarios import billing
from scenarios.license_edges import LICENSE_CASES

SEED = 3
#: The sentence each rule's verdict carries (a fragment of it, and how it ends).
SENTENCES = {
    billing.ORG_OWNER: "owner of", billing.ORG_MEMBER: "member of",
    billing.OUTSIDE_COLLABORATOR_PRIVATE: "outside collaborator on",
    billing.PENDING_INVITATION: "pending invitation to", billing.PENDING_COLLABORATOR_INVITATION:
        "pending invitation to collaborate on", billing.VISUAL_STUDIO_UNAFFILIATED: "linked to a Visual Studio",
    billing.SETUP_USER: "the user who set up the enterprise", billing.SUSPENDED_MANAGED_USER: "suspended managed user",
    billing.ENTERPRISE_OWNER_NO_ORG: "enterprise owner in no organization",
    billing.BILLING_MANAGER_ONLY: "billing manager only",
    billing.PENDING_BILLING_MANAGER_INVITATION: "pending billing-manager invitation only",
    billing.OUTSIDE_COLLABORATOR_PUBLIC: "outside collaborator on public repositories",
    billing.PENDING_COLLABORATOR_INVITATION_PUBLIC: "collaborate on a public repository only",
    billing.PENDING_INVITATION_EMU: "with managed users (EMU)", billing.FAILED_INVITATION: "failed invitation only",
    billing.GUEST_COLLABORATOR: "guest collaborator", billing.VISUAL_STUDIO_UNLINKED: "Visual Studio subscriber",
    billing.UNAFFILIATED: "in no organization (unaffiliated)",
}


@pytest.fixture(scope="module")
def world() -> scenarios.Scenario:
    """The edge-cases world (built first: it fills LICENSE_CASES)."""
    return scenarios.build(SEED, "edge-cases")


@pytest.fixture(scope="module")
def state(world: scenarios.Scenario) -> dict[str, Any]:
    """Per enterprise: its explain report, and the logins of its consumed-license rows with the total."""
    from mock_ghec import create_app
    app = create_app({"TESTING": True, "SEED": SEED, "SCENARIO": "edge-cases"})
    client, out = app.test_client(), {}
    for ent in world.enterprises:
        auth = {"Authorization": f"token {world.tokens[f'ghec:{ent.slug}:owner']}"}
        page = client.get(f"/enterprises/{ent.slug}/consumed-licenses?per_page=100", headers=auth).get_json()
        out[ent.slug] = {"explain": client.get(f"/_mock/explain?enterprise={ent.slug}").get_json(), "page": page,
                         "rows": [r["github_com_login"] for r in page["users"]]}
    app.extensions["mock"].db.close()
    return out


def _planted(world: scenarios.Scenario, state: dict[str, Any], rule: str) -> list[tuple[str, dict, dict]]:
    """(slug, verdict, enterprise state) of every planted account (or invitation) with `rule`."""
    out = []
    for ent in world.enterprises:
        for entry in state[ent.slug]["explain"]["accounts"]:
            key = entry["github_com_login"] or f"invitation:{entry['invitation_id']}"
            if LICENSE_CASES.get(key) == rule:
                out.append((ent.slug, entry, state[ent.slug]))
        if rule == billing.VISUAL_STUDIO_UNLINKED:
            out += [(ent.slug, s, state[ent.slug]) for s in state[ent.slug]["explain"]["visual_studio_unlinked"]]
    return out


def test_every_rule_is_planted_once_at_least(world: scenarios.Scenario, state: dict[str, Any]) -> None:
    assert set(LICENSE_CASES.values()) == set(billing.RULES)
    assert all(_planted(world, state, rule) for rule in billing.RULES)


@pytest.mark.parametrize("rule", billing.RULES)
def test_rule(world: scenarios.Scenario, state: dict[str, Any], rule: str) -> None:
    planted = _planted(world, state, rule)
    assert planted, rule
    for _, verdict, ent in planted:
        billed = rule in billing.BILLED_RULES
        assert verdict["rule"] == rule and verdict["billed"] is billed, verdict
        assert SENTENCES[rule] in verdict["why"], verdict["why"]
        assert verdict["why"].endswith(": billed" if billed else ": not billed") or "billed (bundled" in verdict["why"]
        login = verdict.get("github_com_login")
        if login:  # a GitHub.com account: in the consumed licenses exactly when billed
            assert (login in ent["rows"]) is billed, (login, rule)
        elif verdict.get("invitation_id"):  # invitations by email: a row with no login each, when billed
            invited = [a for a in ent["explain"]["accounts"] if a["invitation_id"]]
            assert ent["rows"].count("") == sum(a["billed"] for a in invited) and verdict in invited
        # the count is the billed accounts (no server usage uploaded yet)
        accounts = ent["explain"]["accounts"]
        assert ent["page"]["total_seats_consumed"] == sum(a["billed"] for a in accounts) == len(ent["rows"])
        assert ent["explain"]["summary"]["license_rules"]["by_rule"][rule] >= 1


def test_the_row_page_says_why_it_is_billed(world: scenarios.Scenario) -> None:
    from mock_ghec import create_app
    app = create_app({"TESTING": True, "SEED": SEED, "SCENARIO": "edge-cases"})
    main = world.enterprises[0]
    client = app.test_client()
    with client.session_transaction() as session:  # signed in as the owner (the sign-in form has its own tests)
        session["who"] = main.owner_login
    auth = {"Authorization": f"token {world.tokens[f'ghec:{main.slug}:owner']}"}
    rows = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page=100", headers=auth).get_json()["users"]
    rownum = 1 + [r["github_com_login"] for r in rows].index("collaborator-internal-repo")
    page = client.get(f"/enterprises/{main.slug}/settings/license/users/{rownum}").get_data(as_text=True)
    app.extensions["mock"].db.close()
    assert 'data-rule="outside-collaborator-private-repository"' in page
    assert "outside collaborator on" in page and "infra: billed" in page
