"""DOMAIN §4.1: identities are compared first when the enterprise OR any of its organizations uses SAML."""
from __future__ import annotations

from typing import Any

import pytest
from ghec_helpers import export_bytes, upload, user

import scenarios
from mock_ghec import store as store_module
from scenarios import SamlIdentity

SERVER = "22222222-2222-4222-8222-222222222222"


def test_saml_on_one_organization_matches_through_identities(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world = scenarios.build(1, "small")
    partner = world.enterprises[1]
    assert not partner.uses_saml
    partner.saml_orgs = [partner.organizations[0]]
    member = next(m for m in partner.members if m.role == "member")
    member.identity = SamlIdentity("saml", "nameid@upn.example", "nameid", "N", "nameid@upn.example",
                                   ["nameid@upn.example"])
    monkeypatch.setattr(store_module, "world", lambda *args, **kwargs: world)
    client = make_app().test_client()
    auth = {"Authorization": f"token {world.tokens[f'ghec:{partner.slug}:owner']}"}
    upload(client, partner.slug, auth, export_bytes(SERVER, "ghes.upn.example", [user(7, "NameID@upn.example")]))
    rows = client.get(f"/enterprises/{partner.slug}/consumed-licenses?per_page=100", headers=auth).get_json()["users"]
    row = next(r for r in rows if r["github_com_login"] == member.login)
    assert row["enterprise_server_user_ids"] == ["ghes.upn.example:7"]
