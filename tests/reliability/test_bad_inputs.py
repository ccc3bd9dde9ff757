"""The bad-input corpus (fixtures/bad-inputs/) against GHEC's upload and Connect routes and `license-sync validate`.

Each file has its expected status, a message fragment and the problem paths that must be
listed (expected.json, written by tools/gen_bad_inputs.py from the contract). Every refusal
must be GitHub's error shape with the full problem list, and must change nothing at all:
`/_mock/snapshot` is compared byte for byte after every single request.
"""
from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from rel_helpers import auth, export, server_id, synthetic_users

import export_format
from mock_ghec.settings import DEFAULTS as GHEC_DEFAULTS
from sync_client.cli import main as license_sync

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "bad-inputs"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text())
MESSAGES = {400: "The license usage file is not valid.", 422: "The license usage file is not valid.",
            413: "The license usage file is too large."}
CORPUS_SERVER = "5b0c8f3e-2a71-4c9d-9e8f-1a2b3c4d5e6f"  # the instance.server_id of the corpus files


def test_the_corpus_is_complete() -> None:
    """At least 30 files, each with an expectation, and no stray file without one."""
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.json"}
    assert len(files) >= 30 and files == set(EXPECTED)
    assert all(p.stat().st_size < 64 * 1024 for p in CORPUS.iterdir()), "keep each corpus file small"


def test_the_unbroken_base_file_is_accepted(make_ghec: Any, tokens: dict[str, str]) -> None:
    """Each corpus file is the generator's valid base with one thing broken: the base itself must pass."""
    spec = importlib.util.spec_from_file_location("gen_bad_inputs", CORPUS.parents[1] / "tools" / "gen_bad_inputs.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)  # type: ignore[union-attr]
    raw = generator.dump(generator.base())
    answer = make_ghec().test_client().post(f"/enterprises/{tokens['slug']}/server-usage", data=raw,
                                            headers={**auth(tokens["owner"]), "Content-Type": "application/json"})
    assert answer.status_code == 201, answer.get_json()
    assert export_format.validate_bytes(raw).ok


def _check_refusal(response: Any, expected: dict[str, Any]) -> list[dict[str, str]]:
    """GitHub's error shape with OUR problems list; every expected path and the fragment present."""
    status = expected["status"]
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["message"] == MESSAGES[status] and body["status"] == str(status)
    assert body["documentation_url"].startswith("https://docs.github.com/")
    problems = body["problems"]
    assert problems and all(set(p) == {"path", "message"} for p in problems)
    paths = [p["path"] for p in problems]
    missing = [p for p in expected["paths"] if p not in paths]
    assert not missing, f"problems {paths} do not list {missing}"
    assert any(expected["message"] in p["message"] for p in problems), problems
    return problems


@pytest.fixture(scope="module")
def corpus_app(ghec_app: Flask) -> tuple[Any, bytes]:
    """The shared app and its state before any bad file arrives."""
    client = ghec_app.test_client()
    return client, client.get("/_mock/snapshot").data


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ghec_refuses_it_everywhere_and_changes_nothing(corpus_app: tuple[Any, bytes], tokens: dict[str, str],
                                                        name: str) -> None:
    client, before = corpus_app
    raw, expected = (CORPUS / name).read_bytes(), EXPECTED[name]
    route = f"/enterprises/{tokens['slug']}"
    answers = [
        client.post(f"{route}/server-usage", data=raw,
                    headers={**auth(tokens["owner"]), "Content-Type": "application/json"}),
        client.post(f"{route}/server-usage", headers=auth(tokens["owner"]),
                    data={"file": (io.BytesIO(raw), name)}),
        client.post(f"{route}/connect/server-usage", data=raw,
                    headers={**auth(tokens["connect"]), "Content-Type": "application/json"}),
    ]
    problems = [_check_refusal(answer, expected) for answer in answers]
    assert problems[0] == problems[1] == problems[2], "the three routes must report the same problems"
    assert client.get("/_mock/snapshot").data == before


def test_a_registered_servers_refused_push_only_records_the_failed_sync(make_ghec: Any, tokens: dict[str, str]) -> None:
    """docs/ghec.md: a refused push from a registered server marks its last sync as an error, and nothing else."""
    client = make_ghec().test_client()
    route = f"/enterprises/{tokens['slug']}"
    assert client.put(f"{route}/connect/servers/{CORPUS_SERVER}", json={"host_name": "ghes-bad.corp.example",
                      "version": "3.15.2"}, headers=auth(tokens["connect"])).status_code == 201
    before = client.get("/_mock/snapshot").get_json()["tables"]
    answer = client.post(f"{route}/connect/server-usage", data=(CORPUS / "two-primaries.json").read_bytes(),
                         headers={**auth(tokens["connect"]), "Content-Type": "application/json"})
    _check_refusal(answer, EXPECTED["two-primaries.json"])
    after = client.get("/_mock/snapshot").get_json()["tables"]
    assert {t: v for t, v in after.items() if t != "ghes_servers"} == \
           {t: v for t, v in before.items() if t != "ghes_servers"}
    status = client.get(f"{route}/license-sync-status", headers=auth(tokens["owner"])).get_json()
    last = status["server_instances"][0]["last_sync"]
    assert last["status"] == "error" and "2 primary emails" in last["error"]


def test_over_the_size_limit_is_413_and_changes_nothing(make_ghec: Any, tokens: dict[str, str]) -> None:
    """The limit is a setting; lowered here so the over-size file is small (generated, never committed)."""
    raw = export(server_id(9, "size"), "ghes-size.corp.example", synthetic_users(100, "size.example"))
    client = make_ghec(MAX_UPLOAD_BYTES=len(raw) - 1).test_client()
    before = client.get("/_mock/snapshot").data
    route = f"/enterprises/{tokens['slug']}"
    expected = {"status": 413, "message": "limit", "paths": ["$"]}
    for answer in (client.post(f"{route}/server-usage", data=raw,
                               headers={**auth(tokens["owner"]), "Content-Type": "application/json"}),
                   client.post(f"{route}/server-usage", headers=auth(tokens["owner"]),
                               data={"file": (io.BytesIO(raw + b" " * 2_000_000), "big.json")}),
                   client.post(f"{route}/connect/server-usage", data=raw,
                               headers={**auth(tokens["connect"]), "Content-Type": "application/json"})):
        _check_refusal(answer, expected)
    assert client.get("/_mock/snapshot").data == before


def test_the_default_limit_admits_a_million_user_file() -> None:
    """Measured, not guessed: 1,000,000 users at this sample's bytes per user (encrypted, the larger form)."""
    users = [{"id": 10_000_000 + n, "emails": [{"address": f"first.last{n}@engineering.corp.example", "primary": True},
                                               {"address": f"first.last{n}@home.example", "primary": False}]}
             for n in range(2000)]
    sample = export(server_id(1, "million"), "ghes-1.corp.example", users, encrypted=True)
    per_user = len(sample) / len(users)
    assert 1_000_000 * per_user * 1.2 < GHEC_DEFAULTS["MAX_UPLOAD_BYTES"] <= export_format.limits.MAX_EXPORT_BYTES


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_license_sync_validate_lists_the_problems(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    expected = EXPECTED[name]
    assert license_sync(["validate", str(CORPUS / name)]) == 1
    out = capsys.readouterr().out
    assert "is not a valid export" in out
    for path in expected["paths"]:
        assert f"{path}: " in out, f"{path} is not in:\n{out}"
    assert expected["message"] in out
    assert "Traceback" not in out


def test_license_sync_validate_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The machine-readable form carries the same problems."""
    assert license_sync(["validate", "--json", str(CORPUS / "every-level-at-once.json")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert set(EXPECTED["every-level-at-once.json"]["paths"]) <= {p["path"] for p in report["problems"]}
