"""The plugin's fixtures on the real mocks: tokens, sessions, test clients, markers and the pair."""
from __future__ import annotations

import pytest

from license_mocks_pytest.handles import LicenseSyncPair, MockGhec, MockGhes


def test_ghes_handle_talks_as_the_site_admin(ghes: MockGhes) -> None:
    """The ready session is the site admin; the member token is refused admin routes."""
    assert ghes.session.get("/api/v3/enterprise/settings/license").status_code == 200
    as_member = ghes.session.get("/api/v3/enterprise/settings/license",
                                 headers={"Authorization": f"token {ghes.member_token}"})
    assert as_member.status_code in (403, 404)
    assert ghes.api_url == ghes.base_url + "/api/v3"
    assert ghes.instance.host_name == ghes.scenario_info()["host_name"]


def test_ghec_handle_talks_as_the_enterprise_owner(ghec: MockGhec) -> None:
    """The ready session is an owner of the main enterprise; a plain member is refused."""
    path = f"/enterprises/{ghec.enterprise}/consumed-licenses"
    assert ghec.session.get(path).status_code == 200
    assert ghec.session.get(path, headers=ghec.auth_headers("member")).status_code in (403, 404)
    assert ghec.connect_token and ghec.connect_token != ghec.owner_token


def test_client_and_session_share_one_state(ghes: MockGhes) -> None:
    """The Flask test client and real HTTP reach the same app and database."""
    login = ghes.scenario_info()["member_login"]
    assert ghes.session.put(f"/api/v3/users/{login}/suspended").status_code == 204
    user = ghes.client.get(f"/api/v3/users/{login}", headers=ghes.auth_headers()).get_json()
    assert user["suspended_at"] is not None


@pytest.mark.mock_scenario(seed=7)
def test_marker_loads_another_seed_and_tokens_follow(ghes: MockGhes, ghec: MockGhec) -> None:
    """Under the marker both apps run seed 7, and the ready sessions hold seed 7's tokens."""
    assert ghes.scenario_info()["seed"] == ghec.scenario_info()["seed"] == 7
    assert ghes.scenario.seed == 7
    assert ghes.session.get("/api/v3/enterprise/settings/license").status_code == 200
    assert ghec.session.get(f"/enterprises/{ghec.enterprise}/consumed-licenses").status_code == 200


@pytest.mark.mock_scenario(preset="edge-cases")
def test_marker_loads_another_preset(ghes: MockGhes) -> None:
    """A preset alone keeps the session's seed."""
    described = ghes.scenario_info()
    assert (described["preset"], described["seed"]) == ("edge-cases", ghes.spec.seed)


def test_load_scenario_mid_test_keeps_the_handle_in_step(ghes: MockGhes) -> None:
    """Switching scenario inside a test updates `.scenario` and the session's token."""
    ghes.load_scenario(seed=11)
    assert ghes.scenario.seed == 11 and ghes.scenario_info()["seed"] == 11
    assert ghes.session.get("/api/v3/enterprise/settings/license").status_code == 200


def test_a_session_made_before_a_switch_follows_it(ghes: MockGhes) -> None:
    """The session is made on first use; one made before `load_scenario` takes the new token too."""
    first_token = ghes.admin_token
    assert ghes.session.get("/api/v3/user").status_code == 200
    ghes.load_scenario(seed=11)
    assert ghes.admin_token != first_token
    assert ghes.session.headers["Authorization"] == f"token {ghes.admin_token}"
    assert ghes.session.get("/api/v3/user").json()["login"] == ghes.scenario_info()["admin_login"]


def test_pair_is_connected_and_syncs_now(license_sync_pair: LicenseSyncPair) -> None:
    """The pair has Connect on and registered; "Sync now" lands on GHEC."""
    ghes, ghec = license_sync_pair.ghes, license_sync_pair.ghec
    connect = ghes.session.get("/api/v3/enterprise/connect").json()
    assert (connect["license_sync"], connect["registered"], connect["ghec_url"]) == (True, True, ghec.base_url)
    assert license_sync_pair.sync_now()["result"] == "success"
    [server] = ghec.session.get(f"/enterprises/{ghec.enterprise}/license-sync-status").json()["server_instances"]
    assert server["server_id"] == ghes.instance.server_id and server["last_sync"]["status"] == "success"


def test_plain_ghes_has_no_connect_left_over(ghes: MockGhes) -> None:
    """The pair's Connect settings do not outlive its test: reset drops them."""
    assert ghes.session.get("/api/v3/enterprise/connect").json()["license_sync"] is False


def test_a_reset_with_nothing_written_copies_nothing(ghes: MockGhes, ghec: MockGhec) -> None:
    """Reads leave nothing to copy back; a write (the control plane's too) does."""
    assert ghes.session.get("/api/v3/user").status_code == 200
    assert ghec.session.get("/user").status_code == 200
    assert (ghes.reset(), ghec.reset()) == ("unchanged", "unchanged")
    ghes.advance(days=1)
    assert ghes.reset() == "copied" and ghes.clock()["offset_seconds"] == 0


def test_a_scenario_switched_behind_the_handle(ghes: MockGhes) -> None:
    """Leave another scenario behind with a raw control call (the handle does not know)."""
    assert ghes.session.put("/_mock/scenario", json={"seed": 9}).status_code == 200


def test_the_next_test_is_back_on_the_default(ghes: MockGhes) -> None:
    """The fixture's reset saw a write, so it checked the scenario and switched back."""
    assert ghes.scenario_info()["seed"] == ghes.spec.seed == 1
