"""README example (d): state your own case inline and see what it costs and why."""
from license_mocks_pytest import World


def test_verified_only_on_another_domain_means_two_licenses(license_sync_pair):
    """Bob's GHES primary is his work address; on GitHub.com he verified only his personal one."""
    world = World("small")  # the generated "small" world, plus Bob:
    bob = world.person("Bob Stone")
    world.ghes_account(bob, "bob", "bob.stone@corp.example")  # the first address is the primary
    world.github_account(bob, "bob-gh", verified=["bob@home.example"])
    ghes, ghec = license_sync_pair.ghes, license_sync_pair.ghec
    ghes.load_scenario(world=world)
    ghec.load_scenario(world=world)
    license_sync_pair.connect()  # loading a world resets Connect: enable it again, then push
    license_sync_pair.sync_now()

    page = ghec.session.get(f"/enterprises/{ghec.enterprise}/consumed-licenses", params={"per_page": 100})
    rows = page.json()["users"]
    [bob_gh] = [row for row in rows if row["github_com_login"] == "bob-gh"]
    [bob_ghes] = [row for row in rows if row["enterprise_server_emails"] == ["bob.stone@corp.example"]]
    assert bob_gh["enterprise_server_emails"] == [] and bob_ghes["github_com_login"] == ""
    why = {account["primary_email"]: account for account in ghec.control("GET", "explain")["unmatched"]}
    assert why["bob.stone@corp.example"]["unmatched_reason"] == "no_match"
