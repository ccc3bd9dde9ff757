"""`license_sync_pair`'s setup made from a kept one (license_mocks_pytest/prepared.py) must be the
setup by its requests, byte for byte on both apps, and the reset after it a fresh start; whenever
an assumption fails, the requests are made. The shared fixtures are reset_helpers.py's (the wall
clock stands still, so that two setups can be made at the same moment)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import requests
from flask import Flask
from reset_helpers import LATER, PRESETS, WallClock, every_row, make, state, wall

from license_mocks_pytest.handles import LicenseSyncPair, MockGhec, MockGhes
from license_mocks_pytest.prepared import REQUESTED, RESTORED
from license_mocks_pytest.scenario_spec import ScenarioSpec
from license_mocks_pytest.servers import RunningMock, start_mock

__all__ = ["make", "wall"]  # fixtures, imported to be used here


def seen(pair: LicenseSyncPair) -> tuple[object, ...]:
    """Both apps as a test sees them (snapshot, faults, clock, journal), every row of both, and what
    GHEC's rate limit has counted of the Connect token (`/rate_limit` counts nothing itself; its
    journal line is cleared again)."""
    states = state(pair.ghes.app), state(pair.ghec.app), every_row(pair.ghes.app), every_row(pair.ghec.app)
    budget = pair.ghec.client.get("/rate_limit", headers=pair.ghec.auth_headers("connect")).get_json()["rate"]
    pair.ghec.app.extensions["mock"].journal.clear()
    return (*states, budget["used"])


@pytest.fixture()
def serve(wall: WallClock) -> Iterator[Callable[[str], LicenseSyncPair]]:
    """`serve(preset)`: both mocks served on loopback as the plugin starts them, as a reset pair."""
    running: list[RunningMock] = []

    def start(preset: str) -> LicenseSyncPair:
        spec = ScenarioSpec.of(1, preset)
        running.extend([start_mock("ghes", spec), start_mock("ghec", spec)])
        pair = LicenseSyncPair(MockGhes(running[-2].app, running[-2].url, spec),
                               MockGhec(running[-1].app, running[-1].url, spec))
        reset(pair)
        return pair

    yield start
    for one in running:
        one.stop()


def reset(pair: LicenseSyncPair) -> tuple[str, str]:
    """Both apps reset, as the fixtures do before each test."""
    return pair.ghes.reset(), pair.ghec.reset()


@pytest.mark.parametrize("preset", PRESETS)
def test_a_restored_setup_is_the_requested_one_byte_for_byte(preset: str, serve: Callable[[str], LicenseSyncPair],
                                                             wall: WallClock) -> None:
    pair = serve(preset)
    fresh = seen(pair)
    assert pair.prepare() == REQUESTED
    requested = seen(pair)
    assert requested != fresh and pair.ghes.journal() == [] and pair.ghec.journal() == []
    assert reset(pair) == ("copied", "copied")  # the kept rows taken off: the fresh state again
    assert seen(pair) == fresh
    assert pair.prepare() == RESTORED
    assert seen(pair) == requested
    connect = pair.ghes.session.get("/api/v3/enterprise/connect").json()
    assert (connect["license_sync"], connect["registered"]) == (True, True)
    assert pair.sync_now()["result"] == "success"  # and it works as one: GHEC takes the push


@pytest.mark.parametrize("preset", PRESETS)
def test_the_reset_after_a_restored_setup_is_a_fresh_start(preset: str, serve: Callable[[str], LicenseSyncPair],
                                                           wall: WallClock, make: Callable[..., Flask]) -> None:
    """Also at a later moment, when the reset redoes what seeding took from the clock."""
    pair = serve(preset)
    pair.prepare()
    reset(pair)
    assert pair.prepare() == RESTORED
    wall.now = LATER
    assert reset(pair) == ("copied", "copied")
    assert state(pair.ghes.app) == state(make("ghes", SCENARIO=preset))
    assert state(pair.ghec.app) == state(make("ghec", SCENARIO=preset))


def _moved_clock(pair: LicenseSyncPair, wall: WallClock) -> None:
    wall.now += timedelta(seconds=1)


def _ghes_written(pair: LicenseSyncPair, wall: WallClock) -> None:
    login = pair.ghes.scenario_info()["member_login"]
    pair.ghes.control("POST", f"users/{login}/sign-in")


def _ghec_clock(pair: LicenseSyncPair, wall: WallClock) -> None:
    pair.ghec.advance(seconds=30)


def _ghec_fault(pair: LicenseSyncPair, wall: WallClock) -> None:
    pair.ghec.add_fault(method="PUT", path="/enterprises/*/connect/servers/*", status=503)


def _other_session(pair: LicenseSyncPair, wall: WallClock) -> None:
    session = requests.Session()
    session.trust_env = False
    pair.ghes.app.extensions["connect_session"] = session


@pytest.mark.parametrize("change", [_moved_clock, _ghes_written, _ghec_clock, _ghec_fault, _other_session])
def test_a_setup_is_requested_whenever_the_kept_one_may_differ(change: Callable[[LicenseSyncPair, WallClock], None],
                                                               serve: Callable[[str], LicenseSyncPair],
                                                               wall: WallClock) -> None:
    """Another second, a write or a fault since the reset, another Connect session: the requests are
    made, and their outcome is what the state shows (a refused registration, the new time)."""
    pair = serve("small")
    pair.prepare()
    reset(pair)
    change(pair, wall)
    assert pair.prepare() == REQUESTED
    connect = pair.ghes.session.get("/api/v3/enterprise/connect").json()
    assert connect["registered_at"] == pair.ghes.clock()["now"] or connect["registration_error"]
    assert connect["registered"] is (change is not _ghec_fault)


def test_connect_itself_always_asks_and_is_journaled(serve: Callable[[str], LicenseSyncPair]) -> None:
    """`.connect()` is the test's own call: its requests are made and recorded, kept setup or not."""
    pair = serve("small")
    pair.prepare()
    reset(pair)
    assert pair.connect()["registered"] is True
    assert [e["method"] for e in pair.ghec.journal(path="/enterprises/*/connect/servers/*")] == ["PUT"]
    assert [e["path"] for e in pair.ghes.journal()] == ["/api/v3/enterprise/connect"]


def test_the_fixture_starts_with_empty_journals(license_sync_pair: LicenseSyncPair) -> None:
    """The setup is the fixture's, not the test's: neither journal shows it, whichever way it was made."""
    assert license_sync_pair.ghes.journal() == [] and license_sync_pair.ghec.journal() == []
    assert license_sync_pair.ghes.session.get("/api/v3/enterprise/connect").json()["registered"] is True


def test_a_restored_setup_runs_the_weekly_sync_when_due(serve: Callable[[str], LicenseSyncPair],
                                                         wall: WallClock) -> None:
    """GHES's schedule is the kept row's (a week from the setup), and GHES forgot the due time it
    had in memory (none, from the request before the setup): a week later, the next request runs
    the scheduled push."""
    pair = serve("small")
    pair.prepare()
    reset(pair)
    assert pair.ghes.session.get("/api/v3/enterprise/connect").json()["next_sync_at"] is None
    assert pair.prepare() == RESTORED
    wall.now += timedelta(days=7)
    connect = pair.ghes.session.get("/api/v3/enterprise/connect").json()
    assert (connect["last_sync"]["trigger"], connect["last_sync"]["result"]) == ("scheduled", "success")
