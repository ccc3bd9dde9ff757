"""Scenario files where they are used: serve, make serve, demo, PUT /_mock/scenario, and nothing half-loads."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import mock_ghec
import mock_ghes
from license_mocks_launch import serve_pair
from scenarios.tokens import token_for
from sync_client.cli import main as license_sync

ROOT = Path(__file__).resolve().parents[2]
ALICE = ROOT / "fixtures" / "scenarios" / "alice.yaml"
BAD = 'version: "1.0.0"\ncolour: blue\nenterprises: [{slug: e, accounts: [{login: o, enterprise_owner: true}]}]\n' \
      'ghes: [{host_name: h, accounts: [{login: a, site_admin: true, emails: [{address: x@y.example, ' \
      'primary: true}, {address: z@y.example, primary: true}]}]}]\n'


@pytest.fixture(scope="module")
def two_instance_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small preset's world as a scenario file (two GHES instances, two enterprises)."""
    app = mock_ghec.create_app({"SCENARIO": "small"})
    path = tmp_path_factory.mktemp("world") / "small.yaml"
    path.write_text(yaml.safe_dump(app.test_client().get("/_mock/scenario/file").get_json(), sort_keys=False))
    app.extensions["mock"].db.close()
    return path


@pytest.mark.parametrize("kind", ["ghes", "ghec"])
def test_serve_takes_the_file_and_seed_overrides_it(kind: str) -> None:
    proc = subprocess.Popen([sys.executable, "-m", f"mock_{kind}.cli", "serve", "--port", "0", "--scenario-file",
                             str(ALICE), "--seed", "7"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wanted = token_for(7, "ghes:1:admin" if kind == "ghes" else "ghec:corp:owner")
        lines = []
        while proc.stdout is not None and wanted not in "".join(lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            lines.append(line)
        assert ("ghes-admin" if kind == "ghes" else "corp-admin") in "".join(lines)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("kind", ["ghes", "ghec"])
def test_serve_with_a_bad_file_lists_every_problem_and_exits_2(kind: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    done = subprocess.run([sys.executable, "-m", f"mock_{kind}.cli", "serve", "--port", "0", "--scenario-file",
                           str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "$.colour: unknown key" in done.stderr and "$.ghes[0].accounts[0].emails: 2 primary emails" in done.stderr
    both = subprocess.run([sys.executable, "-m", f"mock_{kind}.cli", "serve", "--port", "0", "--scenario-file",
                           str(ALICE), "--scenario", "demo"], capture_output=True, text=True, timeout=60)
    assert both.returncode == 2 and "leave out --scenario" in both.stderr


@pytest.mark.parametrize("kind", ["ghes", "ghec"])
def test_put_scenario_takes_the_file_and_a_bad_one_changes_nothing(kind: str) -> None:
    app = (mock_ghes.create_app if kind == "ghes" else mock_ghec.create_app)({"SCENARIO": "small"})
    client = app.test_client()
    try:
        before = client.get("/_mock/snapshot").get_json()
        refused = client.put("/_mock/scenario", data=BAD, content_type="application/yaml")
        assert refused.status_code == 422 and refused.get_json()["message"] == "Invalid scenario file."
        assert {"path": "$.colour", "message": "unknown key"} in refused.get_json()["problems"]
        assert client.get("/_mock/snapshot").get_json() == before
        loaded = client.put("/_mock/scenario", data=ALICE.read_text(), content_type="application/yaml")
        assert loaded.status_code == 200 and loaded.get_json()["scenario_file"]
        as_json = client.put("/_mock/scenario", json=yaml.safe_load(ALICE.read_text()))
        assert as_json.get_json()["scenario_file"] == loaded.get_json()["scenario_file"]
        client.post("/_mock/reset")
        assert client.get("/_mock/scenario").get_json()["scenario_file"] == loaded.get_json()["scenario_file"]
    finally:
        app.extensions["mock"].db.close()


def test_demo_tells_the_story_on_a_file_and_refuses_one_it_cannot(two_instance_file: Path, capsys) -> None:
    assert license_sync(["demo", "--scenario-file", str(two_instance_file), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True and result["scenario"] == "small" and result["seed"] == 1
    assert license_sync(["demo", "--scenario-file", str(ALICE)]) == 2
    assert "needs two" in capsys.readouterr().err


def test_make_serve_serves_every_instance_of_the_file(capsys, monkeypatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(serve_pair, "wait_for_interrupt", lambda console: seen.append(capsys.readouterr().out))
    code = serve_pair.main(["--scenario-file", str(ALICE), "--ghes-port", "0", "--ghes2-port", "0", "--ghec-port", "0"])
    assert code == 0 and "GHES instance 1" in seen[0] and "GHES instance 2" not in seen[0]
    assert "enterprise corp" in seen[0] and token_for(1, "ghes:1:admin") in seen[0]


def test_the_file_says_which_instance_has_connect_and_license_sync(tmp_path: Path) -> None:
    from license_mocks_launch.servers import start_pair

    document = yaml.safe_load(ALICE.read_text())
    document["ghes"][0].update(connect=True, license_sync=False)
    path = tmp_path / "alice-connect.yaml"
    path.write_text(yaml.safe_dump(document))
    with start_pair(None, scenario_file=str(path)) as pair:
        assert pair.connected == (1,) and pair.seed == 1
    app = mock_ghes.create_app({"SCENARIO_FILE": str(path), "CONNECT_URL": "http://127.0.0.1:9"})
    try:
        token = token_for(1, "ghes:1:admin")
        connect = app.test_client().get("/api/v3/enterprise/connect", headers={"Authorization": f"token {token}"})
        body = connect.get_json()
        assert connect.status_code == 200 and body["enterprise"] == "corp" and body["license_sync"] is False
    finally:
        app.extensions["mock"].db.close()
