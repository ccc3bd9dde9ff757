"""Every mistake a user makes is exit 2 with one line that says what to do (never "internal error", 70)."""
from __future__ import annotations

import pytest


def _usage_line(run) -> str:
    """The one error line of a usage error."""
    assert "Traceback" not in run.err and "internal error" not in run.err
    assert run.code == 2, run.err
    return run.err.strip().splitlines()[0]


GHEC = ["--ghec-url", "http://127.0.0.1:9", "--ghec-token", "ghp_x", "--ghec-enterprise", "acme"]


@pytest.mark.parametrize(("argv", "words"), [
    pytest.param(["status", "--ghec-url", "http://127.0.0.1:9", "--ghec-token", "…", "--ghec-enterprise", "acme"],
                 "contains '…', which no token has: paste the token itself", id="readme-placeholder-token"),
    pytest.param(["export", "--ghes-url", "http://127.0.0.1:9", "--ghes-token", "tök"],
                 "contains 'ö', which no token has", id="non-ascii-ghes-token"),
    pytest.param(["demo", "--scenario", "nope"], "--scenario 'nope' is not a preset; choose one of small, demo",
                 id="demo-unknown-scenario"),
    pytest.param(["status", "--ghec-url", "http://127.0.0.1:99999", "--ghec-token", "t", "--ghec-enterprise", "e"],
                 "has a port out of range", id="port-out-of-range"),
    pytest.param(["status", "--ghec-url", "http://:80", "--ghec-token", "t", "--ghec-enterprise", "e"],
                 "has no host name", id="url-without-host"),
    pytest.param(["status", *GHEC, "--timeout", "-1"], "--timeout: '-1': give a number of seconds above 0",
                 id="negative-timeout"),
    pytest.param(["status", *GHEC, "--retries", "-3"], "--retries: '-3': give 0 or more", id="negative-retries"),
    pytest.param(["trigger", "--wait", "0"], "--wait: '0': give a number of seconds above 0", id="zero-wait"),
    pytest.param(["status", "--ghec-url", "http://127.0.0.1:9", "--ghec-token", "t", "--ghec-enterprise", "a b"],
                 "'a b' is not an enterprise slug", id="slug-with-space"),
])
def test_a_user_mistake_is_exit_2_with_what_to_do(cli, argv, words):
    """Refused before anything is sent or started (the demo prints no banner first)."""
    run = cli(*argv)
    assert words in _usage_line(run)
    assert "license-sync demo" not in run.out  # no banner before the error


def test_every_missing_setting_is_named_at_once(cli):
    """`sync` with nothing set names all five settings in one line, not one per attempt."""
    line = _usage_line(cli("sync"))
    for flag, env in (("--ghes-url", "GHES_URL"), ("--ghes-token", "GHES_TOKEN"), ("--ghec-url", "GHEC_URL"),
                      ("--ghec-token", "GHEC_TOKEN"), ("--ghec-enterprise", "GHEC_ENTERPRISE")):
        assert f"{flag} (or environment variable {env})" in line


def test_export_into_a_missing_folder_is_a_usage_error(pair, cli, ghes_flags, tmp_path):
    """-o into a folder that does not exist: exit 2 and what to do, nothing half-written."""
    line = _usage_line(cli("export", *ghes_flags(pair), "-o", str(tmp_path / "no" / "such" / "usage.json")))
    assert "its folder does not exist" in line


def test_export_saves_under_the_name_ghes_gives_the_file(pair, cli, ghes_flags, tmp_path, monkeypatch):
    """One default export file name: the page's, the API's and `ghe-license usage`'s, dated by GHES's clock."""
    monkeypatch.chdir(tmp_path)
    assert cli("export", *ghes_flags(pair)).code == 0
    [written] = list(tmp_path.iterdir())
    assert written.name.startswith("license-usage-") and written.name[-16:-5].count("-") == 3  # -YYYY-MM-DD
