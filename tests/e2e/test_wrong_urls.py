"""A URL of the wrong kind is named as such (exit 4), not printed as the HTML page it answered."""
from __future__ import annotations

import pytest


def _line(err: str) -> str:
    """The one error line (no traceback, no HTML)."""
    assert "Traceback" not in err and "<!doctype" not in err.lower() and "<html" not in err.lower()
    return err.strip().splitlines()[0]


@pytest.fixture
def usage_file(pair, cli, ghes_flags, tmp_path):
    """A valid export of instance 1."""
    path = tmp_path / "usage.json"
    assert cli("export", *ghes_flags(pair), "-o", str(path)).code == 0
    return path


@pytest.mark.parametrize(("url_of", "words"), [
    pytest.param(lambda p: p.ghec.url + "/api/v3", "GHEC's API is at the root, drop the /api/v3",
                 id="ghec-with-api-v3"),
    pytest.param(lambda p: p.ghes_url(1), "is a GitHub Enterprise Server (X-GitHub-Enterprise-Version", id="ghes-root"),
    pytest.param(lambda p: p.ghes_url(1) + "/api/v3", "is a GHES API (X-GitHub-Enterprise-Version", id="ghes-api"),
])
def test_upload_to_a_url_that_is_not_a_ghec_root(pair, cli, usage_file, url_of, words):
    """`upload --ghec-url <not GHEC>`: exit 4 and what the URL really is, with the fix."""
    run = cli("upload", str(usage_file), "--ghec-url", url_of(pair), "--ghec-token", pair.ghec_token,
              "--ghec-enterprise", pair.enterprise)
    line = _line(run.err)
    assert run.code == 4, line
    assert f"--ghec-url {url_of(pair)}" in line and words in line


@pytest.mark.parametrize(("url_of", "words"), [
    pytest.param(lambda p: p.ghec.url, "is a GHEC (GitHub's API at the root", id="ghec-root"),
    pytest.param(lambda p: p.ghes_url(1) + "/api/v3", "ends in /api/v3: license-sync adds it", id="ghes-api-twice"),
])
def test_export_from_a_url_that_is_not_a_ghes(pair, cli, tmp_path, url_of, words):
    """`export --ghes-url <not GHES>`: exit 4 and what the URL really is."""
    run = cli("export", "--ghes-url", url_of(pair), "--ghes-token", pair.ghes_token(1), "-o", str(tmp_path / "x.json"))
    line = _line(run.err)
    assert run.code == 4, line
    assert f"--ghes-url {url_of(pair)}" in line and words in line


def test_a_wrong_slug_on_the_right_ghec_still_says_enterprise_not_found(pair, cli):
    """The probe vouches for the URL, so the 404 keeps its own rewording."""
    run = cli("status", "--ghec-url", pair.ghec.url, "--ghec-token", pair.ghec_token, "--ghec-enterprise", "nope")
    assert run.code == 4 and "enterprise 'nope' not found" in _line(run.err)
