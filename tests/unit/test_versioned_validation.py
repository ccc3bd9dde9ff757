"""`validate --format-version V`, validation against an older published version, and the
export as GitHub ships it (recognised, checked as far as it can be, never a schema error)."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from export_format import validate_bytes
from export_format.github_shipped import NOT_OUR_FORMAT, USERS_NOT_CHECKABLE
from export_format.versioned import validate_versioned
from export_format.versions import PUBLISHED_DIR, SCHEMA_VERSION, SchemaVer, UnknownVersion, resolve_version
from sync_client.cli import main

GOLDEN = PUBLISHED_DIR.parent / "golden"
SMALL = (GOLDEN / "small.plain.json").read_bytes()
GITHUB = GOLDEN / "github-shipped" / "ghes-3.15.json"


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep rich from wrapping the lines the tests read."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    """A published tree with today's 1-0-0 and a made-up 1-1-0 whose host names are at most 10 characters."""
    root = tmp_path / "schema"
    shutil.copytree(PUBLISHED_DIR, root)
    for name in ("ghes-license-usage", "ghes-license-usage-users"):
        schema = json.loads((root / name / "1-0-0.json").read_text(encoding="utf-8"))
        if "Instance" in schema["$defs"]:
            schema["$defs"]["Instance"]["properties"]["host_name"]["maxLength"] = 10
        (root / name / "1-1-0.json").write_text(json.dumps(schema), encoding="utf-8")
    return root


def test_the_default_is_the_files_own_version() -> None:
    result, version = validate_versioned(SMALL)
    assert result.ok and version == SCHEMA_VERSION


def test_a_model_number_means_its_newest_published_version(two_versions: Path) -> None:
    assert resolve_version("1", root=two_versions) == SchemaVer(1, 1, 0)
    assert resolve_version(None, 1, root=two_versions) == SchemaVer(1, 1, 0)
    assert resolve_version("1-0-0", root=two_versions) == SchemaVer(1, 0, 0)


def test_a_named_version_judges_by_its_own_published_file(two_versions: Path) -> None:
    ok, _ = validate_versioned(SMALL, "1-0-0", root=two_versions)
    assert ok.ok
    refused, version = validate_versioned(SMALL, "1-1-0", root=two_versions)
    assert version == SchemaVer(1, 1, 0) and not refused.ok
    assert [str(p) for p in refused.problems] == [
        "$.instance.host_name: must be shorter than or equal to 10 characters"]


def test_an_older_version_still_applies_the_semantic_rules(two_versions: Path) -> None:
    doc = json.loads(SMALL)
    doc["users"][1]["id"] = doc["users"][0]["id"]
    result, _ = validate_versioned(json.dumps(doc).encode(), "1-0-0", root=two_versions)
    assert [p.path for p in result.problems] == ["$.users[1].id"]
    doc = json.loads(SMALL)
    doc["users"][2]["emails"][0]["id"] = 3
    result, _ = validate_versioned(json.dumps(doc).encode(), "1-0-0", root=two_versions)
    assert [p.path for p in result.problems] == ["$.users[2].emails[0]"]


@pytest.mark.parametrize(("asked", "words"), [("9-0-0", "never published; published: 1-0-0"),
                                              ("2", "2-x-y of ghes-license-usage was never published"),
                                              ("v1", "not a schema version")],
                         ids=["unpublished", "unknown-model", "malformed"])
def test_an_unknown_version_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             asked: str, words: str) -> None:
    with pytest.raises(UnknownVersion, match=words):
        validate_versioned(SMALL, asked)
    path = tmp_path / "small.json"
    path.write_bytes(SMALL)
    assert main(["validate", "--format-version", asked, str(path)]) == 2
    assert words in capsys.readouterr().err


def test_validate_names_the_version_it_judged_by(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "small.json"
    path.write_bytes(SMALL)
    assert main(["validate", "--format-version", str(SCHEMA_VERSION), str(path)]) == 0
    assert f"schema {SCHEMA_VERSION})" in capsys.readouterr().out
    assert main(["validate", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["schema_version"] == str(SCHEMA_VERSION)


def test_a_github_shipped_export_is_recognised_and_its_users_called_uncheckable(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(GITHUB)]) == 0
    out = capsys.readouterr().out
    assert "is an export as GitHub ships it" in out and USERS_NOT_CHECKABLE in out
    assert "$.format" not in out and "missing required key" not in out
    assert main(["validate", "--json", str(GITHUB)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "github" and report["ok"] and report["users"] is None
    assert report["server_id"] == "5a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def test_the_checkable_part_of_a_github_shipped_export_is_checked(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(GITHUB.read_bytes())
    broken = copy.deepcopy(doc)
    broken["instance"]["server_id"] = "not-a-uuid"
    del broken["instance"]["version"]
    broken["users"] = "not base64!"
    broken["license"] = "sha256:..."
    path = tmp_path / "github.json"
    path.write_text(json.dumps(broken))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "$.instance.server_id: must be a UUID" in out
    assert "$.instance.version: missing" in out
    assert "$.users: must be the base64 blob of the encrypted user list" in out
    assert "keys not in the public observation, not checked: license" in out
    assert USERS_NOT_CHECKABLE in out


def test_the_library_refuses_a_github_shipped_export_with_one_clear_line() -> None:
    """What GHEC's upload and validate_bytes say: one problem naming the case, no schema noise."""
    result = validate_bytes(GITHUB.read_bytes())
    assert not result.ok and [(p.path, p.message) for p in result.problems] == [("$", NOT_OUR_FORMAT)]


def test_ghecs_upload_refuses_a_github_shipped_export_with_that_one_line() -> None:
    import scenarios
    from mock_ghec import create_app

    app = create_app({"TESTING": True, "SEED": 1, "SCENARIO": "small"})
    try:
        main = scenarios.build(1, "small").enterprises[0]
        token = scenarios.build(1, "small").tokens[f"ghec:{main.slug}:owner"]
        answer = app.test_client().post(f"/enterprises/{main.slug}/server-usage", data=GITHUB.read_bytes(),
                                        headers={"Authorization": f"token {token}",
                                                 "Content-Type": "application/json"})
        assert answer.status_code == 422
        assert answer.get_json()["problems"] == [{"path": "$", "message": NOT_OUR_FORMAT}]
    finally:
        app.extensions["mock"].db.close()


def test_an_older_version_also_recognises_a_github_shipped_export(two_versions: Path) -> None:
    result, _ = validate_versioned(GITHUB.read_bytes(), "1-0-0", root=two_versions)
    assert [(p.path, p.message) for p in result.problems] == [("$", NOT_OUR_FORMAT)]
