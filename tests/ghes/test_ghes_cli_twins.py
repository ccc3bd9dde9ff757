"""`mock-ghes license info|check|import` and `mock-ghes user-csv`: the appliance's documented outputs."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mock_ghes.cli import main
from mock_ghes.license_cli import USER_CSV_COLUMNS

INFO_KEYS = {"seats", "unlimited_seating", "expire_at", "evaluation", "perpetual", "company", "reference_number",
             "advanced_security_enabled", "advanced_security_seats"}


def test_info_j_prints_the_documented_keys(capsys: Any) -> None:
    """`ghe-license info -j`: JSON with GitHub's keys."""
    assert main(["license", "info", "-j"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == INFO_KEYS
    assert isinstance(data["seats"], int) and data["unlimited_seating"] is False


def test_info_without_j_is_one_line_per_key(capsys: Any) -> None:
    """The human form names the same keys."""
    assert main(["license", "info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert {line.split(":", 1)[0] for line in lines} == INFO_KEYS


def test_check_says_the_license_is_valid(capsys: Any) -> None:
    """`ghe-license check` prints GitHub's sentence."""
    assert main(["license", "check"]) == 0
    assert capsys.readouterr().out.strip() == "License is valid."


def _state(tmp_path: Path) -> Path:
    """A kept state file (built by a first command)."""
    state = tmp_path / "ghes.sqlite3"
    assert main(["license", "check", "--state", str(state)]) == 0
    return state


def test_import_pipe_applies_the_license_and_says_so(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    """`ghe-license import --pipe`: the documented two lines, and `info` shows the new seats afterwards."""
    state = _state(tmp_path)
    capsys.readouterr()
    license_file = b'{"seats": 1234, "kind": "standard", "expire_at": "2031-01-01T00:00:00Z"}'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(license_file)))
    assert main(["license", "import", "--pipe", "--state", str(state)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "License imported at /data/user/common/enterprise.ghl.", "License synchronized."]
    assert main(["license", "info", "-j", "--state", str(state)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["seats"] == 1234 and info["expire_at"] == "2031-01-01T00:00:00Z"


def test_import_from_ghe_license_file(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    """GHE_LICENSE_FILE=PATH is the other documented way in; an expired license then fails `check`."""
    state = _state(tmp_path)
    path = tmp_path / "expired.ghl"
    path.write_text('{"seats": "unlimited", "expire_at": "2001-01-01T00:00:00Z"}')
    monkeypatch.setenv("GHE_LICENSE_FILE", str(path))
    assert main(["license", "import", "--state", str(state)]) == 0
    capsys.readouterr()
    assert main(["license", "check", "--state", str(state)]) == 1
    assert capsys.readouterr().out.strip() == "License is expired."


@pytest.mark.parametrize(("content", "message"), [
    (b"not json", "not the mock's JSON license"), (b'{"seats": -1, "expire_at": "2030-01-01T00:00:00Z"}', "seats"),
    (b'{"seats": 5, "expire_at": "soon"}', "expire_at"),
], ids=["not-json", "negative-seats", "bad-date"])
def test_import_refuses_a_bad_license_in_one_line(tmp_path: Path, monkeypatch: Any, capsys: Any,
                                                  content: bytes, message: str) -> None:
    """Exit 2, one readable line, the license unchanged."""
    state = _state(tmp_path)
    capsys.readouterr()
    main(["license", "info", "-j", "--state", str(state)])
    before = capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(content)))
    assert main(["license", "import", "--pipe", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    main(["license", "info", "-j", "--state", str(state)])
    assert capsys.readouterr().out == before


def test_import_without_a_source_says_how(capsys: Any) -> None:
    """No --pipe and no GHE_LICENSE_FILE: exit 2 naming both."""
    assert main(["license", "import"]) == 2
    err = capsys.readouterr().err
    assert "--pipe" in err and "GHE_LICENSE_FILE" in err


def test_user_csv_lists_every_account_with_the_documented_columns(capsys: Any) -> None:
    """`ghe-user-csv -o > users.csv`: our columns (docs/ghes.md), one row per account but ghost."""
    assert main(["user-csv", "-o"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == USER_CSV_COLUMNS
    logins = [r[0] for r in rows[1:]]
    assert logins and "ghost" not in logins and len(set(logins)) == len(logins)


def test_before_3_13_the_export_is_named_ghe_license_usage(tmp_path: Path, capsys: Any) -> None:
    """An instance on GHES 3.12 speaks of `ghe-license-usage`, as GHES did before 3.13."""
    state = _state(tmp_path)
    with sqlite3.connect(state) as conn:
        conn.execute("UPDATE ghes_instance SET version = '3.12.4'")
    target = tmp_path / "usage.json"
    assert main(["license", "usage", "-y", "-o", str(target), "--state", str(state)]) == 0
    assert capsys.readouterr().err.startswith("ghe-license-usage: Wrote")
    with sqlite3.connect(state) as conn:
        conn.execute("UPDATE ghes_instance SET version = '3.13.0'")
    assert main(["license", "usage", "-y", "-o", str(target), "--state", str(state)]) == 0
    assert capsys.readouterr().err.startswith("ghe-license usage: Wrote")
