"""`make serve` (license_mocks_launch.serve_pair) and `demo --keep-running`, with the wait for Ctrl-C stubbed out."""
from __future__ import annotations

import socket

import requests

from license_mocks_launch import serve_pair
from sync_client.cli import main


def test_serve_pair_prints_urls_tokens_and_pages(capsys, monkeypatch):
    """make serve prints working URLs, tokens and pages while it runs."""
    checked: list[int] = []

    def instead_of_waiting(console):
        """While 'serving': the three servers answer, Connect is wired on instance 2."""
        out = capsys.readouterr().out
        urls = [line.split()[-1] for line in out.splitlines() if line.strip().startswith("export ") and "_URL=" in line]
        for url in urls:
            checked.append(requests.get(url.split("=", 1)[1] + "/_mock/clock", timeout=5).status_code)
        print(out)

    monkeypatch.setattr(serve_pair, "wait_for_interrupt", instead_of_waiting)
    code = serve_pair.main(["--seed", "7", "--scenario", "small", "--ghes-port", "0", "--ghes2-port", "0",
                            "--ghec-port", "0"])
    out = capsys.readouterr().out
    assert code == 0 and checked == [200, 200]
    assert "GHES instance 2" in out and "GitHub Connect → GHEC" in out
    assert "/enterprise/settings/license" in out and "owner token" in out and "ghp_" in out


def test_serve_pair_busy_port_is_one_line(capsys):
    """A busy fixed port is one line and exit 3, with nothing left half-started."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = serve_pair.main(["--seed", "7", "--scenario", "small", "--ghec-port", str(port),
                                "--ghes-port", "0", "--ghes2-port", "0"])
    err = capsys.readouterr().err
    assert code == 3 and "cannot listen" in err and "Traceback" not in err


def test_demo_keep_running_prints_the_pages(capsys, monkeypatch):
    """--keep-running leaves the servers up and says where to point a browser."""
    waited: list[bool] = []
    monkeypatch.setattr(serve_pair, "wait_for_interrupt", lambda console: waited.append(True))
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["demo", "--seed", "7", "--scenario", "small", "--keep-running"]) == 0
    out = capsys.readouterr().out
    assert waited == [True]
    assert "License page" in out and "/login" in out


def test_demo_without_the_launchers_is_one_line_and_exit_2(capsys, monkeypatch):
    """`license-sync demo` finds the launcher through an entry point; without it, one clear line."""
    import importlib.metadata
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    assert main(["demo", "--seed", "7"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "license_mocks_launch" in err[0]
