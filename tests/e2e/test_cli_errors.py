"""Errors a user will meet: one clear line on stderr, a documented non-zero exit, never a traceback."""
from __future__ import annotations

import json

import pytest

from github_http.live import LiveServer


def one_line(err: str) -> str:
    """The error line, after checking there is no traceback."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines and lines[0].startswith("license-sync: error: ")
    return lines[0]


@pytest.fixture
def closed_url() -> str:
    """A loopback URL nobody listens on (bound, then released)."""
    from flask import Flask
    server = LiveServer(Flask("closed"))
    url = server.url
    server._server.server_close()
    return url


def test_unreachable_server(cli, closed_url):
    """A refused connection is exit 3 and names the server, not a requests traceback."""
    run = cli("status", "--ghec-url", closed_url, "--ghec-token", "t", "--ghec-enterprise", "e", "--retries", "0")
    assert run.code == 3
    assert one_line(run.err) == f"license-sync: error: cannot reach GHEC at {closed_url}: connection refused"


def test_bad_token(pair, cli):
    """A 401 from either side is exit 4 and says the token was rejected."""
    run = cli("status", "--ghec-url", pair.ghec.url, "--ghec-token", "ghp_wrong", "--ghec-enterprise", pair.enterprise)
    assert run.code == 4
    assert "rejected the token (401 Bad credentials)" in one_line(run.err)
    run = cli("export", "--ghes-url", pair.ghes_url(1), "--ghes-token", "ghp_wrong", "-o", "/dev/null")
    assert run.code == 4
    assert one_line(run.err).startswith(f"license-sync: error: GHES at {pair.ghes_url(1)} rejected the token")


def test_wrong_enterprise(pair, cli):
    """A 404 on an enterprise route is reworded: the slug is the usual culprit."""
    run = cli("status", "--ghec-url", pair.ghec.url, "--ghec-token", pair.ghec_token, "--ghec-enterprise", "no-such-co")
    assert run.code == 4
    assert "enterprise 'no-such-co' not found" in one_line(run.err)


def test_missing_settings_name_the_flag_and_the_variable(cli):
    """The user learns both ways to give a missing setting."""
    run = cli("status", "--ghec-token", "t", "--ghec-enterprise", "e")
    assert run.code == 2
    assert one_line(run.err) == "license-sync: error: missing --ghec-url (or environment variable GHEC_URL)"


def test_missing_file(cli, tmp_path):
    """A missing file is a usage error (exit 2), not an invalid export."""
    run = cli("validate", str(tmp_path / "nope.json"))
    assert run.code == 2
    assert "file not found" in one_line(run.err)


BAD = {"format": "ghes-license-usage", "format_version": 1, "generated_at": "2026-02-30T10:00:00Z",
       "instance": {"server_id": "not-a-uuid", "host_name": "ghes.example", "version": "3.15.2",
                    "http_only": False, "license": "sha256:" + "0" * 64, "public_key": "k", "features": []},
       "users": [{"id": 1, "login": "octocat", "emails": [{"address": "octo@example.com", "primary": True}]}]}


def test_invalid_file_lists_each_problem_as_path_and_message(cli, tmp_path):
    """validate promises `path: message` lines, and the same list as JSON."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(BAD))
    run = cli("validate", str(bad))
    assert run.code == 1
    assert "Traceback" not in run.out + run.err
    lines = run.out.strip().splitlines()
    assert "is not a valid export" in lines[0]
    problems = [line.strip() for line in lines[1:]]
    assert any(p.startswith("$.instance.server_id: ") for p in problems)
    assert any(p.startswith("$.users[0].login: ") for p in problems)
    assert any(p.startswith("$.generated_at: ") for p in problems)

    run = cli("validate", str(bad), "--json")
    assert run.code == 1
    paths = {p["path"] for p in run.json["problems"]}
    assert {"$.instance.server_id", "$.users[0].login"} <= paths


def test_a_file_that_is_not_json_is_invalid_not_a_crash(cli, tmp_path):
    """Binary junk is reported as invalid, never a decoding traceback."""
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\x00\x01 not json")
    run = cli("validate", str(junk))
    assert run.code == 1
    assert "Traceback" not in run.out + run.err


def test_ghec_refusing_the_upload_shows_its_problems(pair, cli, ghec_flags, tmp_path):
    """GHEC's own listed problems reach the user (exit 5), in text and JSON."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(BAD))
    run = cli("upload", str(bad), *ghec_flags(pair))
    assert run.code == 5
    line = one_line(run.err)
    assert f"GHEC at {pair.ghec.url} refused the upload" in line
    details = run.err.strip().splitlines()[1:]
    assert any("server_id" in d for d in details), run.err

    run = cli("upload", str(bad), *ghec_flags(pair), "--json")
    assert run.code == 5
    assert run.json["status"] >= 400 and run.json["problems"]


def test_trigger_without_connect_is_a_usage_error(pair, cli, ghes_flags, ghec_flags):
    """Sync now on a GHES without Connect is explained, not waited for."""
    run = cli("trigger", *ghes_flags(pair, 1), *ghec_flags(pair))
    assert run.code == 2
    assert "Connect license sync is not configured" in one_line(run.err)


def test_bad_flag_is_one_line_with_exit_2(cli):
    """argparse errors follow the same one-line convention."""
    run = cli("status", "--no-such-flag")
    assert run.code == 2
    assert one_line(run.err).startswith("license-sync: error: unrecognized arguments")


def test_a_pasted_token_with_a_line_break_is_a_usage_error(cli, monkeypatch):
    """A token copied with junk around it is explained, instead of failing inside the HTTP library."""
    monkeypatch.setenv("GHEC_TOKEN", "ghp_abc\nghp_def")
    run = cli("status", "--ghec-url", "http://127.0.0.1:9", "--ghec-enterprise", "e")
    assert run.code == 2
    assert one_line(run.err) == ("license-sync: error: --ghec-token/GHEC_TOKEN contains spaces or line breaks; "
                                 "give the token alone")
