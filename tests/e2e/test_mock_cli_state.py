"""`--state` mistakes of the mock CLIs, and what their banners say (created or kept, which scenario)."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest

import mock_ghec
from mock_ghec.cli import banner
from mock_ghec.cli import main as ghec_main
from mock_ghes.cli import main as ghes_main


def test_license_usage_refuses_a_missing_state_file(tmp_path, capsys):
    """A typo in --state is an error (exit 2), not a fresh seed-1 world exported."""
    typo = tmp_path / "typo.sqlite3"
    assert ghes_main(["license", "usage", "-y", "-o", str(tmp_path / "out.json"), "--state", str(typo)]) == 2
    err = capsys.readouterr().err
    assert f"--state {typo} does not exist" in err and "Traceback" not in err
    assert not typo.exists() and not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("main", [pytest.param(ghes_main, id="mock-ghes"), pytest.param(ghec_main, id="mock-ghec")])
def test_serve_refuses_a_state_in_a_missing_folder(tmp_path, capsys, main):
    """`serve --state /missing/dir/s.sqlite3` says the folder is missing (exit 2) and creates nothing."""
    target = tmp_path / "missing" / "dir" / "s.sqlite3"
    assert main(["serve", "--port", "0", "--state", str(target)]) == 2
    assert f"the folder {target.parent} does not exist" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


def _banner_of(read_until, argv: list[str], marker: str) -> tuple[str, str]:
    """Run a mock server until its banner's `marker` line, stop it with SIGTERM; (stdout so far, stderr)."""
    process = subprocess.Popen([sys.executable, "-m", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = read_until(process, marker, 60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    return out, err.decode(errors="replace")


def test_ghes_banner_says_created_then_kept_with_its_scenario(tmp_path, read_until):
    """First start creates the file from --seed 7; a start with --seed 8 keeps it and says --seed 8 was not applied."""
    state = tmp_path / "ghes.sqlite3"
    out, _ = _banner_of(read_until, ["mock_ghes.cli", "serve", "--port", "0", "--seed", "7", "--scenario", "small",
                         "--state", str(state)], "state ")
    assert f"{state} (created: seed 7, scenario small)" in out
    out, err = _banner_of(read_until, ["mock_ghes.cli", "serve", "--port", "0", "--seed", "8", "--state", str(state)],
                          "state ")
    assert f"{state} (kept: seed 7, scenario small)" in out
    assert "--seed 8 not applied: the kept state file" in err


def test_ghec_banner_says_created_with_its_scenario(tmp_path, read_until):
    """mock-ghec's banner has the same state line."""
    state = tmp_path / "ghec.sqlite3"
    out, _ = _banner_of(read_until, ["mock_ghec.cli", "serve", "--port", "0", "--seed", "7", "--scenario", "small",
                         "--state", str(state)], "State ")
    assert f"{state} (created: seed 7, scenario small)" in out


def test_ghec_banner_keeps_its_columns_apart():
    """Seed 7's second enterprise has a 20-letter slug: its owner's login is not glued to it."""
    app = mock_ghec.create_app({"TESTING": True, "SEED": 7, "SCENARIO": "small"})
    try:
        text = banner(app, "http://127.0.0.1:1", None)
    finally:
        app.extensions["mock"].db.close()
    assert "Owner of nicholson-industries  " in text
    people = [line for line in text.splitlines() if " token ghp_" in line]
    assert len(people) == 4 and len({line.rindex(" token ") for line in people}) == 1  # one aligned column


def test_ghes_serve_help_explains_host_and_port(capsys):
    """--host and --port have help text."""
    with pytest.raises(SystemExit):
        ghes_main(["serve", "--help"])
    text = capsys.readouterr().out
    assert "address to listen on" in text and "0 = a free port" in text


@pytest.mark.parametrize("main", [pytest.param(ghes_main, id="mock-ghes"), pytest.param(ghec_main, id="mock-ghec")])
@pytest.mark.parametrize(("value", "words"), [
    pytest.param("notjson", "'notjson' is not JSON (Expecting value); give an object of scenario overrides",
                 id="not-json"),
    pytest.param("[1]", "'[1]' is JSON but not an object", id="not-an-object"),
])
def test_params_that_are_not_a_json_object_say_what_to_give(capsys, main, value, words):
    """--params notjson: a usage error (exit 2) with an example, not only "Expecting value…"."""
    with pytest.raises(SystemExit) as stop:
        main(["serve", "--port", "0", "--params", value])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and words in err and "--params '{\"people\": 40}'" in err
