"""`mock-ghes license usage` (the twin of `ghe-license usage`) and `mock-ghes serve`, in-process."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from ghes_helpers import make_app, token_auth

import export_format
from mock_ghes.cli import main


def _decrypt(raw: bytes) -> set[int]:
    """User ids of an encrypted export, read with the test private key."""
    document = export_format.parse_export(raw, private_key=export_format.load_private_key())
    return {u["id"] for u in document.users}


def test_writes_an_encrypted_file(tmp_path, capsys):
    target = tmp_path / "usage.json"
    assert main(["license", "usage", "-y", "-o", str(target)]) == 0
    raw = target.read_bytes()
    assert "encryption" in json.loads(raw)
    assert _decrypt(raw)
    assert f"Wrote {target}" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["-o"], ["-o", "-"], ["--output", "-"]])
def test_o_alone_or_dash_writes_to_stdout(capsysbinary, flags):
    assert main(["license", "usage", "-y", *flags]) == 0
    out = capsysbinary.readouterr().out
    assert _decrypt(out)


def test_default_file_name_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["license", "usage", "-y", "--unencrypted"]) == 0
    (written,) = list(tmp_path.glob("license-usage-*.json"))
    assert export_format.validate_bytes(written.read_bytes()).ok
    assert isinstance(json.loads(written.read_bytes())["users"], list)


def test_asks_for_confirmation_unless_y(tmp_path, monkeypatch, capsys):
    target = tmp_path / "usage.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["license", "usage", "-o", str(target)]) == 1
    assert not target.exists()
    err = capsys.readouterr().err
    assert "[y/N]" in err and "Aborted" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: no answer means no
    assert main(["license", "usage", "-o", str(target)]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main(["license", "usage", "-o", str(target)]) == 0
    assert target.exists()


def test_reads_a_kept_state_without_reseeding(tmp_path):
    state = tmp_path / "ghes.sqlite3"
    app = make_app(STATE_PATH=str(state))
    runtime = app.extensions["ghes"].runtime
    headers = token_auth(runtime.tokens()["admin"])
    victim = next(u for u in runtime.store.all_users() if u["consumes_license"] and not u["site_admin"])
    assert app.test_client().put(f"/api/v3/users/{victim['login']}/suspended", headers=headers).status_code == 204
    expected = runtime.store.seats_used()
    app.extensions["mock"].db.close()

    target = tmp_path / "usage.json"
    assert main(["license", "usage", "-y", "--unencrypted", "--state", str(state), "--seed", "99",
                 "-o", str(target)]) == 0
    users = json.loads(target.read_bytes())["users"]
    assert len(users) == expected and victim["id"] not in {u["id"] for u in users}


def test_seed_scenario_and_instance_pick_the_instance(tmp_path):
    one, two = tmp_path / "1.json", tmp_path / "2.json"
    assert main(["license", "usage", "-y", "--unencrypted", "--seed", "5", "--scenario", "small", "-o", str(one)]) == 0
    assert main(["license", "usage", "-y", "--unencrypted", "--seed", "5", "--scenario", "small",
                 "--instance", "2", "-o", str(two)]) == 0
    first, second = (json.loads(p.read_bytes())["instance"] for p in (one, two))
    assert first["server_id"] != second["server_id"] and first["host_name"].startswith("ghes-1.")


def test_bad_arguments_fail_cleanly(tmp_path, capsys):
    assert main(["license", "usage", "-y", "--instance", "9", "-o", str(tmp_path / "x.json")]) == 2
    assert "instance 9" in capsys.readouterr().err
    assert main(["license", "usage", "-y", "--scenario", "nope", "-o", str(tmp_path / "x.json")]) == 2


class _FakeServer:
    """What `serve` needs of Werkzeug's server: the bound port (0 asks for a free one) and serve_forever."""

    def __init__(self, port: int, while_serving: Any) -> None:
        """Port 0 binds "a free port": pretend it was 40123."""
        self.server_port = port or 40123
        self._while_serving = while_serving

    def serve_forever(self) -> None:
        """Run the test's checks of the live app, then return as a stopped server does
        (`serve` then closes the state, so the app cannot be used after `main` returns)."""
        self._while_serving()


@pytest.fixture
def no_server(monkeypatch):
    """`serve` without a socket: make_server records its arguments and runs `served["while_serving"]`
    (if a test sets it) as the serving; SIGTERM handling is left alone."""
    served: dict = {}

    def fake_make_server(host, port, app, **kw):
        """Record and hand back a server that does not listen."""
        served.update(host=host, port=port, app=app)
        return _FakeServer(port, lambda: served.get("while_serving", lambda: None)())

    monkeypatch.setattr("werkzeug.serving.make_server", fake_make_server)
    monkeypatch.setattr("signal.signal", lambda *args: None)
    return served


def test_serve_prints_urls_and_tokens(no_server, capsys):
    served, seen = no_server, {}

    def check() -> None:
        """While serving: the fixed admin token works and the member token is the scenario's."""
        client = served["app"].test_client()
        seen["site_admin"] = client.get("/api/v3/user", headers=token_auth("ghp_fixedadmintoken")).json["site_admin"]
        seen["member"] = served["app"].extensions["ghes"].runtime.tokens()["member"]

    served["while_serving"] = check
    assert main(["serve", "--port", "18081", "--seed", "3", "--admin-token", "ghp_fixedadmintoken"]) == 0
    out = capsys.readouterr().out
    assert served["port"] == 18081 and served["host"] == "127.0.0.1"
    assert "http://127.0.0.1:18081/enterprise/settings/license" in out
    assert "http://127.0.0.1:18081/api/v3" in out
    assert "ghp_fixedadmintoken" in out and seen["member"] in out
    assert seen["site_admin"] is True


def test_serve_on_port_0_prints_the_port_it_bound(no_server, capsys):
    """`--port 0` asks for a free port: the banner names the bound one, never ":0"."""
    assert main(["serve", "--port", "0", "--host", "0.0.0.0"]) == 0
    out = capsys.readouterr().out
    assert no_server["port"] == 0 and "http://127.0.0.1:40123/api/v3" in out and ":0/" not in out


def test_serve_needs_all_three_connect_flags(capsys):
    assert main(["serve", "--connect-url", "http://ghec.test"]) == 2
    assert "go together" in capsys.readouterr().err


def test_serve_preconfigures_connect(no_server, monkeypatch, capsys):
    served, seen = no_server, {}
    served["while_serving"] = lambda: seen.update(served["app"].extensions["ghes"].runtime.connect.state())
    monkeypatch.setenv("MOCK_GHES_CONNECT_TIMEOUT", "2")
    # Nothing listens on port 9 (discard): the start-up registration fails, is reported, and serving goes on.
    assert main(["serve", "--connect-url", "http://127.0.0.1:9", "--connect-enterprise", "acme",
                 "--connect-token", "ghp_connect"]) == 0
    out = capsys.readouterr().out
    assert "not yet registered" in out
    assert seen["license_sync"] and seen["enterprise"] == "acme" and seen["token"] == "ghp_connect"


def test_serve_closes_the_state_when_it_stops(no_server, tmp_path):
    """A stopped server (Ctrl-C, SIGTERM) has closed its state: a kept file is left without a WAL."""
    state = tmp_path / "ghes.sqlite3"
    no_server["while_serving"] = lambda: no_server["app"].extensions["mock"].db.execute(
        "INSERT INTO mock_kv(key, value) VALUES ('touched', '1')")
    assert main(["serve", "--state", str(state)]) == 0
    assert state.exists() and not Path(f"{state}-wal").exists()


def test_the_console_script_is_declared():
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert 'mock-ghes = "mock_ghes.cli:main"' in pyproject
