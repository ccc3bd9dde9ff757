"""The client against the real mock's fault injection (`/_mock/faults`), over real HTTP."""
from __future__ import annotations

import requests


def add_fault(url: str, **rule) -> None:
    """Register one fault rule on a mock."""
    requests.post(url + "/_mock/faults", json=rule, timeout=10).raise_for_status()


def journal_statuses(url: str, path: str) -> list[int]:
    """Statuses GHEC answered on `path`, oldest first."""
    entries = requests.get(url + "/_mock/journal", params={"path": path}, timeout=10).json()
    return [e["status"] for e in entries]


def test_secondary_rate_limit_is_waited_out_and_retried(pair, cli, ghec_flags):
    """429 + Retry-After: 0 from the mock, then success: status still answers, exit 0."""
    path = f"/enterprises/{pair.enterprise}/consumed-licenses"
    add_fault(pair.ghec.url, path=path, action="rate_limit", rate_limit="secondary", retry_after=0, times=1)
    run = cli("status", *ghec_flags(pair), "--json")
    assert run.code == 0, run.err
    assert journal_statuses(pair.ghec.url, path) == [429, 200]


def test_primary_rate_limit_far_in_the_future_stops_with_one_line(pair, cli, ghec_flags):
    """403 with x-ratelimit-remaining: 0 resetting in an hour: not waited out, exit 3."""
    add_fault(pair.ghec.url, path="/enterprises/*", action="rate_limit", rate_limit="primary", retry_after=3600)
    run = cli("status", *ghec_flags(pair))
    assert run.code == 3
    assert "is rate limiting this client for" in run.err and "Traceback" not in run.err


def test_a_5xx_during_upload_is_retried(pair, cli, ghes_flags, ghec_flags):
    """One 502 on Add server usage, then the upload lands and the proof holds."""
    add_fault(pair.ghec.url, method="POST", path="/enterprises/*/server-usage", status=502, times=1)
    run = cli("sync", *ghes_flags(pair), *ghec_flags(pair))
    assert run.code == 0, run.out + run.err
    assert journal_statuses(pair.ghec.url, f"/enterprises/{pair.enterprise}/server-usage") == [502, 201]


def test_a_dropped_connection_is_retried(pair, cli, ghes_flags):
    """The mock hangs up once on the export; the client reconnects and gets the file."""
    add_fault(pair.ghes_url(1), path="/api/v3/enterprise/license-usage/export", action="drop", times=1)
    run = cli("export", *ghes_flags(pair), "-o", "/dev/null", "--json")
    assert run.code == 0, run.err


def test_trigger_reports_a_push_ghec_never_received(pair, cli, ghes_flags, ghec_flags):
    """GHEC unreachable for the Connect push: trigger says why at once instead of waiting out its deadline."""
    add_fault(pair.ghec.url, method="POST", path="/enterprises/*/connect/server-usage", status=503)
    # bounded: early report is exit 5, a deadline would be 3
    run = cli("trigger", *ghes_flags(pair, 2), *ghec_flags(pair), "--wait", "30")
    assert run.code == 5
    assert "Sync now failed on GHES" in run.err and "Traceback" not in run.err
