"""README example (a): test your own sync script against the mock GHES and GHEC.

`sync_license_usage` stands for the user's script; the test is what they would write.
"""
import requests


def sync_license_usage(ghes_url: str, ghes_token: str, ghec_url: str, enterprise: str, ghec_token: str) -> dict:
    """Export license usage from GHES, upload it to GHEC, return GHEC's consumed licenses."""
    export = requests.get(f"{ghes_url}/api/v3/enterprise/license-usage/export",
                          headers={"Authorization": f"token {ghes_token}"}, timeout=30)
    export.raise_for_status()
    cloud = {"Authorization": f"token {ghec_token}"}
    upload = requests.post(f"{ghec_url}/enterprises/{enterprise}/server-usage", data=export.content,
                           headers={**cloud, "Content-Type": "application/json"}, timeout=30)
    upload.raise_for_status()
    consumed = requests.get(f"{ghec_url}/enterprises/{enterprise}/consumed-licenses",
                            headers=cloud, params={"per_page": 100}, timeout=30)
    consumed.raise_for_status()
    return consumed.json()


def test_people_on_both_sides_consume_one_license(ghes, ghec):
    """After the sync, a person with a GHES account and a GitHub.com account is one row."""
    result = sync_license_usage(ghes.base_url, ghes.admin_token,
                                ghec.base_url, ghec.enterprise, ghec.owner_token)

    both_sides = [row for row in result["users"]
                  if row["enterprise_server_user"] and row["github_com_login"]]
    assert both_sides, "no GHES account was matched to a GitHub.com member"
    assert all(row["total_user_accounts"] >= 2 for row in both_sides)  # two accounts, one license
    # The mock recorded the upload exactly as the script sent it.
    [upload] = ghec.journal(method="POST", path="/enterprises/*/server-usage")
    assert upload["status"] == 201
