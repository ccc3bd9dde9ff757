"""`/_mock/reset` copies back the state kept right after seeding (github_http/templates.py): the
result must be a fresh start's, byte for byte, on both apps and every preset but `large`.

The wall clock stands still (github_http.clock.utc_now patched) so that a fresh start and a
reset at the same moment can be compared; the reset is done at a later moment than the seeding,
so what seeding takes from the clock (GHES's `seeded_at`) must be redone, not copied.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from reset_helpers import FACTORIES, LATER, PRESETS, WallClock, change_everything, make, state, wall

from github_http.storage import Database
from github_http.templates import MAX_TEMPLATES, StateTemplates

__all__ = ["make", "wall"]  # fixtures, imported to be used here


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_reset_is_a_fresh_start_byte_for_byte(kind: str, preset: str, wall: WallClock,
                                                make: Callable[..., Flask]) -> None:
    used = make(kind, SCENARIO=preset)
    change_everything(kind, used)
    wall.now = LATER
    answer = used.test_client().post("/_mock/reset")
    assert (answer.status_code, answer.headers["X-Mock-Reset"]) == (204, "copied")
    assert state(used) == state(make(kind, SCENARIO=preset))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_rebuilt_reset_is_a_fresh_start_too(kind: str, wall: WallClock, make: Callable[..., Flask]) -> None:
    used = make(kind, SCENARIO="small", RESET_TEMPLATE_MIB=0)  # nothing kept: every reset rebuilds
    change_everything(kind, used)
    wall.now = LATER
    assert used.test_client().post("/_mock/reset").headers["X-Mock-Reset"] == "rebuilt"
    assert state(used) == state(make(kind, SCENARIO="small"))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_reset_with_nothing_written_since_copies_nothing(kind: str, wall: WallClock,
                                                           make: Callable[..., Flask]) -> None:
    app = make(kind, SCENARIO="small")
    client = app.test_client()
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "unchanged"  # the fresh start itself
    client.get("/_mock/snapshot")  # a read, even in a transaction, writes nothing
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "unchanged"
    client.post("/_mock/clock/advance", json={"seconds": 5})  # the control plane writes too
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert client.get("/_mock/clock").get_json()["offset_seconds"] == 0
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "unchanged"


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_kept_state_file_is_always_copied_back(kind: str, wall: WallClock, make: Callable[..., Flask],
                                                 tmp_path: Any) -> None:
    """Another process may write a kept file: 'nothing written' is not knowable there."""
    client = make(kind, SCENARIO="small", STATE_PATH=str(tmp_path / "state.sqlite3")).test_client()
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"


def test_a_scenario_switch_is_reset_to_the_new_scenario(wall: WallClock, make: Callable[..., Flask]) -> None:
    used = make("ghec", SCENARIO="small")
    client = used.test_client()
    assert client.put("/_mock/scenario", json={"seed": 2, "preset": "edge-cases"}).status_code == 200
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "rebuilt"  # first time on this scenario
    change_everything("ghec", used)
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert state(used) == state(make("ghec", SCENARIO="edge-cases", SEED=2))


def test_cached_pages_and_reads_never_outlive_a_reset(wall: WallClock, make: Callable[..., Flask]) -> None:
    """The reset's connection is the one the next request reads on (the test client's thread): its
    read cache and GHEC's page cache must not serve what was there before the reset."""
    app = make("ghec", SCENARIO="small")
    client = app.test_client()
    main = client.get("/_mock/scenario").get_json()["enterprises"][0]
    page = f"/enterprises/{main['slug']}/consumed-licenses?per_page=5"
    owner = {"Authorization": f"token {main['tokens']['owner']}"}
    fresh = client.get(page, headers=owner).data
    client.put(f"/enterprises/{main['slug']}/connect/servers/5f1d5f1d-0000-4000-8000-000000000002",
               json={"host_name": "ghes.example.test", "version": "3.15.2"},
               headers={"Authorization": f"Bearer {main['tokens']['connect']}"})
    client.post("/_mock/clock/advance", json={"days": 1})
    assert client.get("/_mock/clock").get_json()["offset_seconds"] == 86400  # kept by the read cache
    assert client.get(page, headers=owner).data  # kept by the page cache
    assert client.post("/_mock/reset").headers["X-Mock-Reset"] == "copied"
    assert client.get("/_mock/clock").get_json()["offset_seconds"] == 0
    assert client.get(page, headers=owner).data == fresh
    assert state(app)[:3] == state(make("ghec", SCENARIO="small"))[:3]  # its journal has the GET above


def test_kept_states_are_bounded_in_number_and_size() -> None:
    """At most MAX_TEMPLATES scenarios, least recently used out first; a state over the byte bound
    is not kept (its reset rebuilds). A copy back is seen at once on the connection that made it."""
    db = Database()
    try:
        templates = StateTemplates(db, 1 << 20)
        for n in range(MAX_TEMPLATES + 2):
            db.set_kv("n", str(n))
            templates.keep(f"k{n}")
        assert templates.keys() == [f"k{n}" for n in range(2, MAX_TEMPLATES + 2)]
        assert db.get_kv("n") == str(MAX_TEMPLATES + 1)  # now kept by the read cache
        assert templates.restore("k2") and db.get_kv("n") == "2"
        assert not templates.restore("k0")
        tiny = StateTemplates(db, 1024)  # smaller than the file's pages
        tiny.keep("k")
        assert tiny.keys() == [] and not tiny.restore("k")
    finally:
        db.close()
