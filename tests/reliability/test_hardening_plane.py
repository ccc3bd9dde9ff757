"""Issue 18's repros about hosts, origins, state and connections, each now refused safely.

6 Host header spliced into Link; 7 control plane from a web page (cross-origin, DNS
rebinding); 9 snapshot restore; 11 state files; 12 slow bodies.
"""
from __future__ import annotations

import copy
import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hardening_helpers import (
    LOOPBACK,
    auth,
    csrf_of,
    ghec_app,
    ghec_tokens,
    ghes_admin,
    ghes_app,
    is_github_error,
    snapshot,
)

from github_http.live import LiveServer
from mock_ghec.cli import main as ghec_main
from mock_ghes.cli import main as ghes_main

TOKENS = ghec_tokens()
EVIL_HOST = 'a>; rel="x", <http://evil.example'


@pytest.fixture(scope="module")
def ghec() -> Any:
    app = ghec_app()
    yield app
    app.extensions["mock"].db.close()


@pytest.fixture(scope="module")
def ghes() -> Any:
    app = ghes_app()
    yield app
    app.extensions["mock"].db.close()


@pytest.mark.parametrize("hot", [True, False], ids=["hot-path", "flask-route"])
def test_6_a_host_header_with_link_syntax_is_refused(hot: bool) -> None:
    app = ghec_app(HOT_PATHS=hot)
    try:
        client, path = app.test_client(), f"/enterprises/{TOKENS['slug']}/consumed-licenses?per_page=1"
        response = client.get(path, headers={**auth(TOKENS["owner"]), "Host": EVIL_HOST})
        assert response.status_code == 400 and is_github_error(response)
        assert "evil" not in response.headers.get("Link", "")
        fine = client.get(path, headers={**auth(TOKENS["owner"]), "Host": "mock.example:8082"})
        assert fine.status_code == 200 and fine.headers["Link"].startswith("<http://mock.example:8082/")
    finally:
        app.extensions["mock"].db.close()


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example", "Content-Type": "text/plain"}, {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"}, {"Content-Type": "application/x-www-form-urlencoded"},
    {"Host": "rebind.evil.example"}, {"Host": "rebind.evil.example:8082", "Origin": "http://rebind.evil.example:8082"},
], ids=["origin-text-plain", "origin-null", "sec-fetch-cross-site", "form-content-type", "rebind-host",
        "rebind-host-same-origin"])
def test_7_browser_requests_from_other_sites_cannot_drive_the_control_plane(ghec: Any, headers: dict) -> None:
    client = ghec.test_client()
    assert client.post("/_mock/faults", json={"path": "/nowhere"}, environ_base=LOOPBACK).status_code == 201
    before = snapshot(client)
    reads = [] if set(headers) == {"Content-Type"} else [("GET", "/_mock/scenario")]  # a form type alone: writes only
    for method, path in [("POST", "/_mock/reset"), ("PUT", "/_mock/snapshot"), *reads]:
        response = client.open(path, method=method, headers=headers, data=b"{}", environ_base=LOOPBACK)
        assert response.status_code == 403 and is_github_error(response), (path, response.get_data()[:200])
        assert "ghp_" not in response.get_data(as_text=True)
    assert snapshot(client) == before
    client.delete("/_mock/faults", environ_base=LOOPBACK)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8082", "[::1]:8082", "app.localhost", "10.1.2.3"],
                         ids=["localhost", "ipv4", "ipv6", "dot-localhost", "lan-ip"])
def test_7_loopback_names_and_addresses_are_served(ghec: Any, host: str) -> None:
    response = ghec.test_client().get("/_mock/scenario", headers={"Host": host, "Origin": f"http://{host}"},
                                      environ_base=LOOPBACK)
    assert response.status_code == 200


def test_7_allowed_hosts_admits_a_name() -> None:
    app = ghec_app(ALLOWED_HOSTS="mock.internal, other.internal")
    try:
        client = app.test_client()
        assert client.get("/_mock/scenario", headers={"Host": "mock.internal:8082"},
                          environ_base=LOOPBACK).status_code == 200
        assert client.get("/_mock/scenario", headers={"Host": "evil.example"}, environ_base=LOOPBACK).status_code == 403
    finally:
        app.extensions["mock"].db.close()


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Host": "rebind.evil.example"},
                                     {"Sec-Fetch-Site": "same-site"}], ids=["origin", "rebind-host", "same-site"])
def test_7_page_forms_refuse_other_sites(ghes: Any, headers: dict) -> None:
    client = ghes.test_client()
    form = client.get("/login")
    response = client.post("/login", headers=headers, data={"csrf_token": csrf_of(form.get_data(as_text=True)),
                                                             "token": ghes_admin()["Authorization"].split()[1]})
    assert response.status_code == 403
    same = client.post("/login", headers={"Origin": "http://localhost"},
                       data={"csrf_token": csrf_of(form.get_data(as_text=True)),
                             "token": ghes_admin()["Authorization"].split()[1]})
    assert same.status_code == 302


def _with(snap: dict, table: str, column: str, value: Any) -> dict:
    """A copy of `snap` whose first row of `table` has `value` in `column`."""
    changed = copy.deepcopy(snap)
    rows, columns = changed["tables"][table]["rows"], changed["tables"][table]["columns"]
    rows[0][columns.index(column)] = value
    return changed


@pytest.mark.parametrize("value", ["../../x", "x\r\nSet-Cookie: y", "x" * 300, 7, "h\u0000.example"],
                         ids=["path", "crlf", "too-long", "number", "nul"])
def test_9_restore_validates_values_all_or_nothing(ghes: Any, value: Any) -> None:
    client = ghes.test_client()
    before = snapshot(client)
    changed = _with(json.loads(before), "ghes_instance", "host_name", value)
    response = client.put("/_mock/snapshot", json=changed, environ_base=LOOPBACK)
    assert response.status_code in (400, 422) and is_github_error(response)
    assert snapshot(client) == before
    export = client.get("/api/v3/enterprise/license-usage/export?encrypted=false", headers=ghes_admin())
    assert export.status_code == 200


@pytest.mark.parametrize(("table", "column", "value"), [
    ("mock_faults", "spec", json.dumps({"path": "/user", "headers": {"X": "b\r\nSet-Cookie: x=y"}})),
    ("ghec_enterprises", "slug", "a/../b"), ("ghec_account_emails", "address", "not an email"),
    ("ghec_enterprises", "seats_purchased", 2**80), ("ghec_enterprises", "name", {"$b64": 5}),
], ids=["fault-header", "slug", "email", "int-80-bits", "bad-b64"])
def test_9_restore_checks_every_table(ghec: Any, table: str, column: str, value: Any) -> None:
    client = ghec.test_client()
    if table == "mock_faults":
        client.post("/_mock/faults", json={"path": "/nowhere"}, environ_base=LOOPBACK)
    before = snapshot(client)
    response = client.put("/_mock/snapshot", json=_with(json.loads(before), table, column, value),
                          environ_base=LOOPBACK)
    assert response.status_code == 422 and is_github_error(response), response.get_data()[:300]
    assert snapshot(client) == before
    client.delete("/_mock/faults", environ_base=LOOPBACK)


def test_9_column_names_cannot_inject_sql(ghec: Any) -> None:
    client = ghec.test_client()
    before = snapshot(client)
    changed = json.loads(before)
    changed["tables"]["mock_kv"]["columns"][0] = 'key") VALUES (1); --'
    assert client.put("/_mock/snapshot", json=changed, environ_base=LOOPBACK).status_code == 422
    assert snapshot(client) == before


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` must stop before it binds: a refused state file never gets as far as serving."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the app started serving a state file it should have refused")

    monkeypatch.setattr("werkzeug.serving.make_server", refuse)


def _state_of(main: Any, path: Path) -> None:
    """Create a state file of that app (its create_app on `path`)."""
    app = (ghec_app if main is ghec_main else ghes_app)(STATE_PATH=str(path))
    app.extensions["mock"].db.close()


@pytest.mark.parametrize(("owner", "opener"), [("ghes", "ghec"), ("ghec", "ghes")], ids=["ghes-file", "ghec-file"])
def test_11_the_other_apps_state_file_is_refused(tmp_path: Path, capsys: Any, no_serving: None, owner: str,
                                                 opener: str) -> None:
    state = tmp_path / "state.sqlite3"
    _state_of(ghes_main if owner == "ghes" else ghec_main, state)
    main = ghec_main if opener == "ghec" else ghes_main
    assert main(["serve", "--port", "0", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert "belongs to the mock" in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("app", ["ghec", "ghes"])
def test_11_a_newer_table_version_is_refused(tmp_path: Path, capsys: Any, no_serving: None, app: str) -> None:
    state, main = tmp_path / "state.sqlite3", ghec_main if app == "ghec" else ghes_main
    _state_of(main, state)
    with sqlite3.connect(state) as conn:
        conn.execute(f"UPDATE mock_kv SET value = '99' WHERE key = '{app}_schema_version'")
        assert conn.total_changes == 1
    assert main(["serve", "--port", "0", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert "another version" in err and "v99" in err and err.count("\n") == 1


@pytest.mark.parametrize("kind", ["text-file", "directory", "proc-file", "under-proc"])
@pytest.mark.parametrize("app", ["ghec", "ghes"])
def test_11_a_path_that_is_no_state_file_is_one_line_and_exit_2(tmp_path: Path, capsys: Any, no_serving: None,
                                                                 kind: str, app: str) -> None:
    target = {"text-file": tmp_path / "notes.txt", "directory": tmp_path, "proc-file": Path("/proc/self/status"),
              "under-proc": Path("/proc/no-such-dir/state.sqlite3")}[kind]
    if kind == "text-file":
        target.write_text("hello\n")
    main = ghec_main if app == "ghec" else ghes_main
    assert main(["serve", "--port", "0", "--state", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mock-{app}: ") and err.count("\n") == 1 and "Traceback" not in err


def _raw(port: int, request: bytes, read_timeout: float = 10.0) -> bytes:
    """Send raw bytes to a live server; what it answers before closing (or until `read_timeout`)."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        sock.sendall(request)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk
            if b"\r\n\r\n" in received and b'"status"' in received:
                return received


def test_12_a_declared_body_over_the_limit_is_413_before_it_arrives(ghes: Any) -> None:
    with LiveServer(ghes) as server:
        answer = _raw(server.port, b"PUT /_mock/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                   b"application/json\r\nContent-Length: 629145600\r\n\r\n0123456789")
    assert answer.startswith(b"HTTP/1.1 413") and b"629,145,600" in answer


def test_12_a_stalled_body_times_out(ghec: Any) -> None:
    with LiveServer(ghec, timeout=0.5) as server:
        answer = _raw(server.port, b"POST /_mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                   b"application/json\r\nContent-Length: 100\r\n\r\n{\"path\": ")
        # Dropped, or answered 4xx (Werkzeug reports the short body as 400; a route reading it, 408).
        assert answer == b"" or answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 408"))
        assert _raw(server.port, b"GET /_mock/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    ).startswith(b"HTTP/1.1 200")
