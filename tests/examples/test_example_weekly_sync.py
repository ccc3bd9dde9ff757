"""README example (c): move the clock a week and see GitHub Connect's automatic sync on GHEC."""


def test_weekly_connect_sync_shows_on_ghec(license_sync_pair):
    """Connect is on (the fixture enabled it); a week later GHEC has the usage, with no waiting."""
    ghes, ghec = license_sync_pair.ghes, license_sync_pair.ghec
    next_sync = ghes.session.get("/api/v3/enterprise/connect").json()["next_sync_at"]
    status = f"/enterprises/{ghec.enterprise}/license-sync-status"
    [server] = ghec.session.get(status).json()["server_instances"]
    assert server["last_sync"]["status"] == "never_synced"

    license_sync_pair.advance(days=7)  # both clocks; GHES's weekly sync has run when this returns

    [server] = ghec.session.get(status).json()["server_instances"]
    assert server["last_sync"]["status"] == "success"
    assert server["last_sync"]["date"] >= next_sync
