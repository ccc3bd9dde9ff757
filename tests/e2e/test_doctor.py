"""`license-sync doctor` against the mocks: all pass on a good configuration, and each kind of bad one
fails its own check with a fix (exit 1), as a checklist and as JSON."""
from __future__ import annotations

import socket

import pytest
import requests


def _flags(pair, index=2, **change):
    """Doctor's flags for instance `index` (2 has Connect) and the GHEC; `change` overrides one."""
    values = {"ghes-url": pair.ghes_url(index), "ghes-token": pair.ghes_token(index), "ghec-url": pair.ghec.url,
              "ghec-token": pair.ghec_token, "ghec-enterprise": pair.enterprise}
    values.update({k.replace("_", "-"): v for k, v in change.items()})
    return [part for key, value in values.items() if value is not None for part in (f"--{key}", value)]


def _closed_url() -> str:
    """A loopback URL nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _checks(run):
    """{key: finding} of a --json run."""
    return {c["key"]: c for c in run.json["checks"]}


def test_a_good_configuration_passes_every_check(pair, cli):
    """Instance 2 (Connect on, registered at start) and GHEC: every check passes, exit 0."""
    run = cli("doctor", *_flags(pair), "--json")
    checks = _checks(run)
    assert run.code == 0 and run.json["ok"] is True, checks
    assert set(checks) == {"ghes-url", "ghes-token", "ghec-url", "ghec-token", "ghec-enterprise", "connect", "clock"}
    assert all(c["status"] == "pass" for c in checks.values()), checks
    text = cli("doctor", *_flags(pair))
    assert text.code == 0 and "All checks pass." in text.out and "✓ pass" in text.out


def test_connect_off_is_a_warning_with_how_to_turn_it_on(pair, cli):
    """Instance 1 has no Connect: the manual flow still works, so a warning (exit 0) with the fix."""
    run = cli("doctor", *_flags(pair, index=1), "--json")
    connect = _checks(run)["connect"]
    assert run.code == 0 and connect["status"] == "warn" and "PUT /api/v3/enterprise/connect" in connect["fix"]


@pytest.mark.parametrize(("change", "failing", "words"), [
    pytest.param(lambda p: {"ghec_url": p.ghes_url(1) + "/api/v3"}, "ghec-url", "is a GHES API", id="ghes-api-as-ghec"),
    pytest.param(lambda p: {"ghec_url": p.ghec.url + "/api/v3"}, "ghec-url", "drop the /api/v3", id="ghec-api-v3"),
    pytest.param(lambda p: {"ghes_url": p.ghec.url}, "ghes-url", "is a GHEC", id="ghec-as-ghes"),
    pytest.param(lambda p: {"ghes_url": _closed_url()}, "ghes-url", "connection refused", id="ghes-unreachable"),
    pytest.param(lambda p: {"ghes_token": "ghp_wrong"}, "ghes-token", "rejected the token", id="ghes-bad-token"),
    pytest.param(lambda p: {"ghes_token": p.world.tokens["ghes:2:member"]}, "ghes-token", "is not a site admin",
                 id="ghes-not-admin"),
    pytest.param(lambda p: {"ghec_token": "ghp_wrong"}, "ghec-token", "rejected the token", id="ghec-bad-token"),
    pytest.param(lambda p: {"ghec_token": p.world.tokens[f"ghec:{p.enterprise}:member"]}, "ghec-enterprise",
                 "consumed-licenses answered", id="ghec-not-owner"),
    pytest.param(lambda p: {"ghec_enterprise": "no-such-co"}, "ghec-enterprise", "consumed-licenses answered 404",
                 id="wrong-slug"),
    pytest.param(lambda p: {"ghes_url": None, "ghes_token": None}, "ghes-url", "no GHES URL given", id="missing-ghes"),
])
def test_each_bad_configuration_fails_its_check_with_a_fix(pair, cli, change, failing, words):
    """The failing check names what it found and how to fix it; exit 1."""
    run = cli("doctor", *_flags(pair, **change(pair)), "--json")
    finding = _checks(run)[failing]
    assert run.code == 1 and run.json["ok"] is False
    assert finding["status"] == "fail" and words in finding["detail"] and finding["fix"], finding


def test_connect_to_another_ghec_fails(pair, cli):
    """Doctor's GHEC is not the one GHES syncs to."""
    run = cli("doctor", *_flags(pair, ghec_url=pair.ghec.url.replace("127.0.0.1", "localhost")), "--json")
    connect = _checks(run)["connect"]
    assert run.code == 1 and connect["status"] == "fail" and "GHES syncs to" in connect["detail"]


def test_clocks_a_day_apart_fail_the_clock_check(pair, cli):
    """GHES's clock moved a day ahead (the mocks' clocks): the skew is reported with the fix."""
    assert requests.post(pair.ghes_url(2) + "/_mock/clock/advance", json={"days": 1}, timeout=10).status_code == 200
    run = cli("doctor", *_flags(pair), "--json")
    clock = _checks(run)["clock"]
    assert run.code == 1 and clock["status"] == "fail" and "86,400 s ahead of GHEC" in clock["detail"]
    assert "/_mock/clock" in clock["fix"]


def test_doctor_help_names_the_public_endpoints(cli):
    """--help says which endpoints doctor uses on real GitHub."""
    run = cli("doctor", "--help")
    assert run.code == 0
    assert "GET /api/v3/user" in run.out and "consumed-licenses" in run.out and "only public endpoints" in run.out
