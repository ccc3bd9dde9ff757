"""Token kinds and classic scopes (DOMAIN §10) on the mock GHEC, from the scenario's tokens."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import scenarios
from github_http.token_kinds import CLASSIC, FINE_GRAINED, INSTALLATION, OAUTH_APP, kind_of

KINDS = {"": CLASSIC, ":fine_grained": FINE_GRAINED, ":oauth_app": OAUTH_APP, ":installation": INSTALLATION,
         ":no_scopes": CLASSIC}


def _headers(scenario: scenarios.Scenario, slug: str, suffix: str) -> dict[str, str]:
    """The owner's token of one kind."""
    return {"Authorization": f"token {scenario.tokens[f'ghec:{slug}:owner{suffix}']}"}


@pytest.mark.parametrize(("suffix", "kind"), KINDS.items(), ids=[k or "classic" for k in KINDS])
def test_the_scenario_issues_each_kind_with_githubs_prefix(scenario: scenarios.Scenario, slug: str,
                                                           suffix: str, kind: str) -> None:
    """`ghp_`, `github_pat_` (22 + `_` + 59), `gho_`, `ghs_`: the kind is read back from the prefix."""
    token = scenario.tokens[f"ghec:{slug}:owner{suffix}"]
    assert kind_of(token) == kind
    if kind == FINE_GRAINED:
        assert len(token) == len("github_pat_") + 82 and token[len("github_pat_") + 22] == "_"


LICENSES = ["consumed-licenses", "license-sync-status"]


@pytest.mark.parametrize("endpoint", LICENSES)
def test_license_endpoints_by_token_kind(ghec: Flask, scenario: scenarios.Scenario, slug: str, endpoint: str) -> None:
    """Classic with read:enterprise, OAuth app and fine-grained pass; a classic token without the scope
    and an App installation token get GitHub's 403s; every answer says which scopes the route accepts."""
    client = ghec.test_client()
    url = f"/enterprises/{slug}/{endpoint}"
    for suffix in ("", ":oauth_app", ":fine_grained"):
        response = client.get(url, headers=_headers(scenario, slug, suffix))
        assert response.status_code == 200, suffix
        assert response.headers["X-Accepted-OAuth-Scopes"] == "admin:enterprise, read:enterprise"
    missing = client.get(url, headers=_headers(scenario, slug, ":no_scopes"))
    assert missing.status_code == 403 and "'read:enterprise'" in missing.get_json()["message"]
    assert missing.headers["X-OAuth-Scopes"] == "read:org, user"
    app_token = client.get(url, headers=_headers(scenario, slug, ":installation"))
    assert app_token.status_code == 403
    assert app_token.get_json()["message"] == "Resource not accessible by integration"


def test_x_oauth_scopes_only_for_scoped_kinds(ghec: Flask, scenario: scenarios.Scenario, slug: str) -> None:
    """Classic and OAuth-app tokens hear their scopes on every response (an error too); fine-grained
    and installation tokens have none to hear."""
    client = ghec.test_client()
    assert client.get("/user", headers=_headers(scenario, slug, "")).headers["X-OAuth-Scopes"] == \
        "admin:org, read:enterprise, read:org, scim:enterprise, user"
    assert client.get("/nope", headers=_headers(scenario, slug, ":oauth_app")).headers["X-OAuth-Scopes"]
    for suffix in (":fine_grained", ":installation"):
        assert "X-OAuth-Scopes" not in client.get("/user", headers=_headers(scenario, slug, suffix)).headers


def test_the_tokens_serve_prints_can_read_licenses(make_ghec: object, slug: str) -> None:
    """`--owner-token` (OWNER_TOKEN) is a classic token with every scope an owner needs."""
    app = make_ghec(OWNER_TOKEN="ghp_fixedOwnerToken000000000000000000000")  # type: ignore[operator]
    response = app.test_client().get(f"/enterprises/{slug}/consumed-licenses",
                                     headers={"Authorization": "token ghp_fixedOwnerToken000000000000000000000"})
    assert response.status_code == 200 and "read:enterprise" in response.headers["X-OAuth-Scopes"]


def test_ghes_site_admin_routes_say_which_scope_they_accept(ghes: Flask, admin: dict[str, str]) -> None:
    """GHES's admin routes answer `X-Accepted-OAuth-Scopes: site_admin`; the admin's classic token
    hears its scopes; routes that need no scope send no accepted list."""
    client = ghes.test_client()
    license_info = client.get("/api/v3/enterprise/settings/license", headers=admin)
    assert license_info.headers["X-Accepted-OAuth-Scopes"] == "site_admin"
    assert license_info.headers["X-OAuth-Scopes"] == "read:enterprise, site_admin, user"
    assert "X-Accepted-OAuth-Scopes" not in client.get("/api/v3/user", headers=admin).headers


def test_enterprise_scim_needs_scim_enterprise(make_ghec: object) -> None:
    """EMU SCIM: the enterprise owner's classic token (as printed) carries `scim:enterprise` and
    provisions; its classic token without the scope gets SCIM's 403 naming it; an installation or
    fine-grained token passes on the owner's role (GitHub enables SCIM for Apps)."""
    world = scenarios.build(3, "edge-cases")
    emu = world.enterprises[-1]
    app = make_ghec(SEED=3, SCENARIO="edge-cases")  # type: ignore[operator]
    client, base = app.test_client(), f"/scim/v2/enterprises/{emu.slug}/Users"
    for suffix in ("", ":oauth_app", ":installation", ":fine_grained"):
        answer = client.get(base, headers=_headers(world, emu.slug, suffix))
        assert answer.status_code == 200, (suffix, answer.get_json())
    assert client.get(base, headers=_headers(world, emu.slug, "")).headers["X-Accepted-OAuth-Scopes"] == \
        "scim:enterprise"
    refused = client.post(base, json={"userName": "x@y.example"}, headers=_headers(world, emu.slug, ":no_scopes"))
    body = refused.get_json()
    assert refused.status_code == 403 and body["status"] == 403 and "'scim:enterprise'" in body["detail"]
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    listed = client.get(base, headers=_headers(world, emu.slug, "")).get_json()
    assert all(user["userName"] != "x@y.example" for user in listed["Resources"])  # nothing changed


def test_ghes_site_admin_routes_by_token_kind(ghes: Flask) -> None:
    """Only the site admin's classic token (and its OAuth-app one) with `site_admin` reaches GitHub's
    site-admin routes; fine-grained, installation and scope-less classic tokens get GitHub's 403s."""
    client = ghes.test_client()
    tokens = client.get("/_mock/scenario").get_json()["tokens"]
    expected = {"admin": None, "admin:oauth_app": None,
                "admin:fine_grained": "Resource not accessible by personal access token",
                "admin:installation": "Resource not accessible by integration",
                "admin:no_scopes": "Your token has not been granted the required scopes to use this endpoint. "
                                   "It needs the 'site_admin' scope; your token has: [read:enterprise, user]."}
    for key, message in expected.items():
        answer = client.get("/api/v3/enterprise/stats/users", headers={"Authorization": f"token {tokens[key]}"})
        assert answer.status_code == (200 if message is None else 403), key
        if message is not None:
            assert answer.get_json()["message"] == message


TOKENS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios" / "tokens.yaml"


def test_tokens_a_scenario_file_declares_on_both_apps(make_ghec: object, make_ghes: object) -> None:
    """fixtures/scenarios/tokens.yaml: each app lists its declared tokens as `token:<key>` in
    `/_mock/scenario` and answers them by kind and by the scopes the file states (or the holder's)."""
    ghec = make_ghec(SCENARIO_FILE=str(TOKENS_FILE)).test_client()  # type: ignore[operator]
    listed = ghec.get("/_mock/scenario").get_json()["enterprises"][0]["tokens"]
    def ghec_get(key: str, path: str) -> Any:
        return ghec.get(path, headers={"Authorization": f"token {listed[key]}"})
    reader = ghec_get("token:license-reader", "/enterprises/corp/consumed-licenses")
    assert reader.status_code == 200 and reader.headers["X-OAuth-Scopes"] == "read:enterprise"
    assert ghec_get("token:license-reader", "/scim/v2/organizations/corp-eng/Users").status_code == 403  # no admin:org
    app_token = ghec_get("token:provisioning-app", "/enterprises/corp/consumed-licenses")
    assert app_token.get_json()["message"] == "Resource not accessible by integration"
    assert ghec_get("token:provisioning-app", "/scim/v2/organizations/corp-eng/Users").status_code == 200
    assert ghec_get("token:alice", "/user").headers["X-OAuth-Scopes"] == "read:org, user"
    ghes = make_ghes(SCENARIO_FILE=str(TOKENS_FILE)).test_client()  # type: ignore[operator]
    tokens = ghes.get("/_mock/scenario").get_json()["tokens"]
    def ghes_get(key: str) -> Any:
        return ghes.get("/api/v3/enterprise/settings/license", headers={"Authorization": f"token {tokens[key]}"})
    exporter = ghes_get("token:exporter")
    assert exporter.status_code == 200 and exporter.headers["X-OAuth-Scopes"] == "site_admin"
    pat = ghes_get("token:pat")
    assert pat.status_code == 403 and pat.get_json()["message"] == "Resource not accessible by personal access token"
