"""`license-sync diff OLD NEW`: users added and removed, emails changed, primary moved; plain,
encrypted, --json; and the one-line refusals (another server, an invalid file, GitHub's shape)."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from export_format import DEFAULT_PRIVATE_KEY_PATH, build_export, load_public_key
from export_format.testing import corpus
from sync_client.cli import main

SMALL = corpus().golden["small.plain.json"]


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep rich from wrapping the lines the tests read."""
    monkeypatch.setenv("COLUMNS", "250")


def _next_week() -> dict[str, Any]:
    """small.plain.json a week later: one user gone, one new, an email added, a primary moved."""
    doc = copy.deepcopy(json.loads(SMALL.read_bytes()))
    doc["generated_at"] = "2026-12-05T10:00:00Z"
    doc["users"] = [u for u in doc["users"] if u["id"] != 5]
    doc["users"].append({"id": 12, "emails": [{"address": "new@acme.example", "primary": True}]})
    grace = doc["users"][1]["emails"]
    grace[0]["primary"], grace[1]["primary"] = False, True
    doc["users"][2]["emails"].append({"address": "m@new.example", "primary": False})
    doc["users"][2]["emails"].pop(1)
    doc["users"][0]["emails"][0]["address"] = "ADA@acme.example"  # case only: GHEC matches ignoring case
    return doc


def _write(tmp_path: Path, name: str, doc: dict[str, Any], encrypted: bool = False) -> str:
    path = tmp_path / name
    if encrypted:
        path.write_bytes(build_export(doc["instance"], users=doc["users"], encrypt_to=load_public_key(),
                                      generated_at=doc["generated_at"]))
    else:
        path.write_text(json.dumps(doc))
    return str(path)


def test_the_json_report_lists_every_kind_of_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _write(tmp_path, "new.json", _next_week())
    assert main(["diff", "--json", str(SMALL), new]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["added"] == [{"id": 12, "primary": "new@acme.example"}]
    assert report["removed"] == [{"id": 5, "primary": "linus@acme.example"}]
    assert report["emails_changed"] == [{"id": 7, "added": ["m@new.example"], "removed": ["mh@nasa.example"]}]
    assert report["primary_moved"] == [{"id": 2, "old": "grace@acme.example", "new": "grace@home.example"}]
    assert report["unchanged"] == 1 and report["different"] is True
    assert report["old"]["users"] == 4 and report["new"]["generated_at"] == "2026-12-05T10:00:00Z"


def test_the_plain_text_report_reads_line_by_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _next_week()
    new["instance"]["version"] = "3.15.3"
    assert main(["diff", str(SMALL), _write(tmp_path, "new.json", new)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == ['  instance.version: "3.15.2" → "3.15.3"',
                       "+ 1 user added", "    + 12  new@acme.example",
                       "- 1 user removed", "    - 5  linus@acme.example",
                       "~ 1 user with emails added or removed", "    ~ 7  +m@new.example -mh@nasa.example",
                       "> 1 primary email moved", "    > 2  grace@acme.example → grace@home.example",
                       "= 1 user unchanged"]


def test_encrypted_inputs_are_opened_with_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path, "old.json", json.loads(SMALL.read_bytes()), encrypted=True)
    new = _write(tmp_path, "new.json", _next_week(), encrypted=True)
    key = str(DEFAULT_PRIVATE_KEY_PATH)
    assert main(["diff", "--json", "--ghec-private-key", key, old, new]) == 1
    assert json.loads(capsys.readouterr().out)["added"] == [{"id": 12, "primary": "new@acme.example"}]


def test_the_same_users_are_no_difference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SMALL), str(corpus().golden["small.encrypted.json"])]) == 0
    assert "no differences: 4 users" in capsys.readouterr().out


@pytest.mark.parametrize(("other", "words", "code"), [
    ("edge-cases", "diff compares two exports of the same server", 2),
    ("github", "as GitHub ships it: its user list is encrypted for GitHub", 2),
    ("invalid", "is not a valid export; not comparing", 1),
], ids=["another-server", "github-shipped", "invalid"])
def test_what_cannot_be_compared_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             other: str, words: str, code: int) -> None:
    paths = {"edge-cases": str(corpus().golden["edge-cases.plain.json"]),
             "github": str(corpus().github_shipped["ghes-3.15.json"]),
             "invalid": str(next(c.path for c in corpus().bad_inputs if c.name == "two-primaries.json"))}
    assert main(["diff", str(SMALL), paths[other]]) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
