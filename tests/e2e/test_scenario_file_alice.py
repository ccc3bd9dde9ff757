"""The Alice file of docs/scenarios.md, loaded on both mocks through the plugin: the exact outcome and why."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALICE = ROOT / "fixtures" / "scenarios" / "alice.yaml"


def test_docs_show_the_alice_file_as_it_is() -> None:
    assert ALICE.read_text() in (ROOT / "docs" / "scenarios.md").read_text()


def _sync(ghes, ghec) -> dict:
    """Export from GHES, upload to GHEC, and read GHEC's consumed licenses (one page holds them all)."""
    export = ghes.session.get("/api/v3/enterprise/license-usage/export")
    assert export.status_code == 200
    upload = ghec.session.post(f"/enterprises/{ghec.enterprise}/server-usage", data=export.content,
                               headers={"Content-Type": "application/json"})
    assert upload.status_code == 201, upload.text
    return ghec.session.get(f"/enterprises/{ghec.enterprise}/consumed-licenses", params={"per_page": 100}).json()


@pytest.mark.mock_scenario(file=str(ALICE))
def test_alice_merges_by_her_saml_name_id_not_by_the_unverified_email(ghes, ghec) -> None:
    assert ghec.enterprise == "corp" and ghes.instance.host_name == "ghes.corp.example"
    users = {u["login"]: u for u in ghes.control("GET", "users")}
    assert users["alice"]["primary_email"] == "alice@corp.example"
    consumed = _sync(ghes, ghec)
    (alice,) = [row for row in consumed["users"] if row["github_com_login"] == "alice-gh"]
    assert alice["enterprise_server_emails"] == ["alice@corp.example"]
    assert alice["enterprise_server_user_ids"] == [f"ghes.corp.example:{users['alice']['id']}"]
    assert alice["github_com_saml_name_id"] == "alice@corp.example" and alice["total_user_accounts"] == 2
    (row,) = [r for r in ghec.control("GET", "explain")["rows"] if r["github_com_login"] == "alice-gh"]
    (merged,) = row["server_accounts"]
    assert merged["rule"] == "saml:name_id" and merged["primary_email"] == "alice@corp.example"
    assert "name_id" in merged["why"] and "alice-gh" in merged["why"]


@pytest.mark.mock_scenario(file=str(ALICE))
def test_without_her_saml_identity_the_unverified_email_does_not_merge(ghes, ghec) -> None:
    from license_mocks_pytest import ScenarioSpec
    from scenarios.file.use import read_document

    document = read_document(ALICE)
    del document["enterprises"][0]["accounts"][1]["saml"]
    ghec.use(ScenarioSpec.of_document(document))
    consumed = _sync(ghes, ghec)
    (alice,) = [row for row in consumed["users"] if row["github_com_login"] == "alice-gh"]
    assert alice["enterprise_server_emails"] == [] and alice["total_user_accounts"] == 1
    unmatched = {u["primary_email"]: u for u in ghec.control("GET", "explain")["unmatched"]}
    assert unmatched["alice@corp.example"]["unmatched_reason"] != ""


@pytest.mark.mock_scenario(file=str(ALICE))
def test_alice_on_the_details_page_and_through_the_cli(ghes, ghec, capsys) -> None:
    import re

    from sync_client.cli import main as license_sync

    env = ["--ghes-url", ghes.base_url, "--ghes-token", ghes.admin_token, "--ghec-url", ghec.base_url,
           "--ghec-token", ghec.owner_token, "--ghec-enterprise", ghec.enterprise]
    assert license_sync(["sync", *env]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert license_sync(["status", *env[4:], "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    consumed = ghec.session.get(f"/enterprises/{ghec.enterprise}/consumed-licenses").json()
    assert status["enterprise"] == "corp" and status["total_seats_consumed"] == consumed["total_seats_consumed"]
    assert [s["last_sync"]["status"] for s in status["server_instances"]] == ["success"]
    (row,) = [r for r in ghec.control("GET", "explain")["rows"] if r["github_com_login"] == "alice-gh"]
    client = ghec.client
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    client.post("/login", data={"token": ghec.owner_token, "csrf_token": token})
    page = client.get(f"/enterprises/corp/settings/license/users/{row['rownum']}").get_data(as_text=True)
    assert "alice-gh" in page and "alice@corp.example" in page and "name_id" in page
