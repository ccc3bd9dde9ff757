"""Old, future and misdirected files (our own rules, docs/ghec.md): a file from GHEC's future is refused
(422), one older than the file it would replace is refused (409) unless forced, and a file of a server
registered through Connect with another enterprise is taken with a warning."""
from __future__ import annotations

from typing import Any

import pytest
from ghec_helpers import consuming_users, instance_block, upload

import export_format

NOW = "2026-03-01T12:00:00Z"


@pytest.fixture(autouse=True)
def frozen(client: Any) -> None:
    """GHEC's clock frozen at NOW (the app's clock decides what "future" is)."""
    assert client.put("/_mock/clock", json={"now": NOW, "freeze": True}).status_code == 200


def _file(instance: Any, generated_at: str) -> bytes:
    """The export of a scenario instance, generated at `generated_at`."""
    return export_format.build_export(instance_block(instance.server_id, instance.host_name),
                                      users=consuming_users(instance), generated_at=generated_at)


def test_a_file_from_the_future_is_refused_and_changes_nothing(client, main, owner, scenario):
    """A day ahead of GHEC's clock: 422 naming generated_at, the snapshot unchanged."""
    before = client.get("/_mock/snapshot").get_json()
    answer = upload(client, main.slug, owner, _file(scenario.ghes[0], "2026-03-02T12:00:00Z"))
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["message"] == "The license usage file is from the future."
    [problem] = body["problems"]
    assert problem["path"] == "$.generated_at" and "1 day after GHEC's time 2026-03-01T12:00:00Z" in problem["message"]
    assert client.get("/_mock/snapshot").get_json() == before


def test_a_few_minutes_of_clock_skew_are_allowed(client, main, owner, scenario):
    """Four minutes ahead is within the allowed skew (five): accepted."""
    assert upload(client, main.slug, owner, _file(scenario.ghes[0], "2026-03-01T12:04:00Z")).status_code == 201


def test_an_older_file_is_refused_with_409_unless_forced(client, main, owner, scenario):
    """The newer file stays; ?force=true replaces it anyway; the same file again is fine."""
    instance = scenario.ghes[0]
    newer, older = _file(instance, "2026-02-20T00:00:00Z"), _file(instance, "2001-01-01T00:00:00Z")
    assert upload(client, main.slug, owner, newer).status_code == 201
    assert upload(client, main.slug, owner, newer).status_code == 201  # the same time again: not older
    refused = upload(client, main.slug, owner, older)
    assert refused.status_code == 409
    assert refused.get_json()["message"] == "The license usage file is older than the one it would replace."
    assert "?force=true" in refused.get_json()["problems"][0]["message"]
    forced = client.post(f"/enterprises/{main.slug}/server-usage?force=true", data=older,
                         headers={**owner, "Content-Type": "application/json"})
    assert forced.status_code == 201 and forced.get_json()["replaced_previous"] is True


def test_a_connect_push_from_the_future_is_refused_and_recorded(client, main, connect, owner, scenario):
    """The push is 422 and the server's last sync shows the reason."""
    instance = scenario.ghes[0]
    assert client.put(f"/enterprises/{main.slug}/connect/servers/{instance.server_id}", headers=connect,
                      json={"host_name": instance.host_name, "version": "3.15.2"}).status_code == 201
    pushed = client.post(f"/enterprises/{main.slug}/connect/server-usage", headers={**connect,
                         "Content-Type": "application/json"}, data=_file(instance, "2099-01-01T00:00:00Z"))
    assert pushed.status_code == 422
    [server] = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner).get_json()["server_instances"]
    assert server["last_sync"]["status"] == "error" and "from the future" in server["last_sync"]["error"]


def test_an_upload_to_another_enterprise_than_connects_warns(client, main, other, connect, other_owner, scenario):
    """Registered through Connect with the main enterprise, uploaded to the other by its owner: taken, with a
    warning in the body and a header."""
    instance = scenario.ghes[0]
    assert client.put(f"/enterprises/{main.slug}/connect/servers/{instance.server_id}", headers=connect,
                      json={"host_name": instance.host_name, "version": "3.15.2"}).status_code == 201
    answer = upload(client, other.slug, other_owner, _file(instance, "2026-02-20T00:00:00Z"))
    assert answer.status_code == 201
    [warning] = answer.get_json()["warnings"]
    assert f"registered through GitHub Connect with enterprise {main.slug!r}, not {other.slug!r}" in warning
    assert answer.headers["X-License-Usage-Warning"] == warning


def test_an_upload_to_its_own_enterprise_has_no_warning(client, main, connect, owner, scenario):
    """The Connect enterprise itself: `warnings` is empty and no header is sent."""
    instance = scenario.ghes[0]
    assert client.put(f"/enterprises/{main.slug}/connect/servers/{instance.server_id}", headers=connect,
                      json={"host_name": instance.host_name, "version": "3.15.2"}).status_code == 201
    answer = upload(client, main.slug, owner, _file(instance, "2026-02-20T00:00:00Z"))
    assert answer.get_json()["warnings"] == [] and "X-License-Usage-Warning" not in answer.headers
