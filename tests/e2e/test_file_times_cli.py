"""The CLI side of old, future and misdirected files: validate warns on age, upload says 409 and takes
--force, and an upload to another enterprise than the server's Connect one prints GHEC's warning."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests


def _export(cli, ghes_flags, pair, path, index=1):
    """Export instance `index` to `path`."""
    run = cli("export", *ghes_flags(pair, index), "-o", str(path))
    assert run.code == 0, run.err
    return path


def _move_ghes_clock(pair, index, days):
    """Set GHES instance `index`'s clock `days` from now (negative: the past)."""
    when = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert requests.put(pair.ghes_url(index) + "/_mock/clock", json={"now": when}, timeout=10).status_code == 200


def test_validate_warns_on_an_old_file_and_upload_refuses_it_unless_forced(pair, cli, ghes_flags, ghec_flags,
                                                                          tmp_path):
    """A month-old export after a fresh one: validate warns (exit 0), upload is refused, --force takes it."""
    fresh = _export(cli, ghes_flags, pair, tmp_path / "fresh.json")
    _move_ghes_clock(pair, 1, -30)
    old = _export(cli, ghes_flags, pair, tmp_path / "old.json")
    checked = cli("validate", str(old))
    assert checked.code == 0 and "warning: generated_at" in checked.out and "days ago" in checked.out
    assert cli("validate", str(old), "--json").json["warnings"]
    assert "warning" not in cli("validate", str(fresh)).out
    assert cli("upload", str(fresh), *ghec_flags(pair)).code == 0
    refused = cli("upload", str(old), *ghec_flags(pair))
    assert refused.code == 5
    assert "refused the upload (409): The license usage file is older than the one it would replace." in refused.err
    assert "--force" in refused.err
    assert cli("upload", str(old), *ghec_flags(pair), "--force").code == 0


def test_validate_warns_on_a_file_from_the_future_and_upload_is_refused(pair, cli, ghes_flags, ghec_flags, tmp_path):
    """GHES's clock a year ahead: validate warns; GHEC refuses with 422."""
    _move_ghes_clock(pair, 1, 365)
    future = _export(cli, ghes_flags, pair, tmp_path / "future.json")
    assert "is in the future" in cli("validate", str(future)).out
    refused = cli("upload", str(future), *ghec_flags(pair))
    assert refused.code == 5 and "(422): The license usage file is from the future." in refused.err


def test_upload_to_another_enterprise_prints_the_warning(pair, cli, ghes_flags, tmp_path):
    """Instance 2 is registered through Connect with the main enterprise; its file uploaded to the other one."""
    other = pair.world.enterprises[1].slug
    path = _export(cli, ghes_flags, pair, tmp_path / "two.json", index=2)
    run = cli("upload", str(path), "--ghec-url", pair.ghec.url, "--ghec-token",
              pair.world.tokens[f"ghec:{other}:owner"], "--ghec-enterprise", other)
    assert run.code == 0
    assert f"GHEC warns: server {pair.world.ghes[1].server_id}" in run.out
    assert f"with enterprise {pair.enterprise!r}, not {other!r}" in run.out


def test_validate_help_offers_no_network_options(cli):
    """validate reads a file only: no --timeout, --retries or --control-key in its help."""
    run = cli("validate", "--help")
    assert run.code == 0 and "--json" in run.out
    for flag in ("--timeout", "--retries", "--control-key", "--ghes-url", "--ghec-url"):
        assert flag not in run.out
