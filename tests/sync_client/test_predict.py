"""`license-sync predict` on hand-written GitHub report files: the numbers, who stays at two, the errors."""
from __future__ import annotations

import csv
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from sync_client.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "predict"
GHES = ["--ghes-report", f"ghes-1={FIXTURES / 'ghes-1-all_users.csv'}",
        "--ghes-report", f"ghes-2={FIXTURES / 'ghes-2-all_users.csv'}"]


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    """The CLI's exit code, stdout and stderr."""
    code = main(["predict", *args])
    out, err = capsys.readouterr()
    return code, out, err


def golden(capsys: Any, report: str = "license-report.csv", *extra: str) -> dict[str, Any]:
    """The prediction of the hand-written pair, as JSON."""
    code, out, _ = run(capsys, *GHES, "--ghec-report", str(FIXTURES / report), "--json", *extra)
    assert code == 0
    return json.loads(out)


def test_the_hand_written_pair_gives_the_expected_bill(capsys: Any) -> None:
    """7 GHES + 4 GitHub.com accounts now; 7 licenses after sync (fixtures/predict/README.md)."""
    data = golden(capsys)
    assert data["licenses_now"] == {"ghes": 7, "ghec": 4, "total": 11}
    assert data["licenses_after_sync"] == 7 and data["saving"] == 4
    rows = {r["github_com_login"] or min(e.strip().lower() for e in r["enterprise_server_primary_emails"]): r
            for r in data["rows"]}
    assert rows["alice-corp"]["enterprise_server_user_ids"] == ["ghes-1:2", "ghes-2:7"]
    assert rows["bob-gh"]["enterprise_server_user_ids"] == ["ghes-1:3"]  # SAML NameID, case ignored
    assert rows["carol"]["total_user_accounts"] == 1 and rows["zoe-z"]["total_user_accounts"] == 1
    assert rows["frank@corp.example"]["enterprise_server_user_ids"] == ["ghes-1:7", "ghes-2:8"]
    assert "erin@corp.example" in rows and "gone@corp.example" not in rows  # an earlier sync's row is ignored


def test_who_will_still_consume_two_and_the_fix(capsys: Any) -> None:
    """carol's GHES primary is a personal address: named, with GitHub's recommendation."""
    [still] = golden(capsys)["still_two_licenses"]
    assert still["ghes_login"] == "carol" and still["github_com_login"] == "carol"
    assert "carol.personal@mail.example" in still["reason"]
    assert "carol@corp.example the primary email of carol on ghes-1" in still["fix"]


def test_legacy_headers_give_the_same_prediction(capsys: Any) -> None:
    """GitHub's older snake_case report is read alike (its server-only line aside)."""
    current, legacy = golden(capsys), golden(capsys, "license-report-legacy.csv")
    assert legacy["licenses_after_sync"] == current["licenses_after_sync"]
    assert legacy["still_two_licenses"] == current["still_two_licenses"]


def test_explain_one_login(capsys: Any) -> None:
    """--explain names the licenses a login ends in and why."""
    code, out, _ = run(capsys, *GHES, "--ghec-report", str(FIXTURES / "license-report.csv"), "--explain", "bob")
    assert code == 0
    assert "ghes-1:3 (bob): its primary email Bob@Corp.Example equals the name_id attribute" in out


def test_csv_output(capsys: Any, tmp_path: Path) -> None:
    """--csv writes every predicted license with the still-two flag on the person's line."""
    out = tmp_path / "prediction.csv"
    code, _, _ = run(capsys, *GHES, "--ghec-report", str(FIXTURES / "license-report.csv"), "--csv", str(out))
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 7
    assert {r["github_com_login"] for r in rows if r["still_two_licenses"] == "true"} == {"carol"}


def test_runs_with_the_network_unavailable(capsys: Any, monkeypatch: Any) -> None:
    """It sends nothing anywhere: with every socket refused, it still answers."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("networking is unavailable in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert golden(capsys)["licenses_after_sync"] == 7


@pytest.mark.parametrize(("name", "content", "message"), [
    ("ragged.csv", "created_at,id,login,email,role,suspended?\n2024,1,ada,ada@x.example,user,false,extra\n",
     "ragged.csv:2: 7 cells where the header has 6"),
    ("not-a-report.csv", "a,b\n1,2\n", "not-a-report.csv:1: not a GHES all_users report (missing column id"),
    ("bad-id.csv", "id,login,email,suspended?\nx,ada,ada@x.example,false\n", "bad-id.csv:2: id 'x' is not a number"),
    ("bad-flag.csv", "id,login,email,suspended?\n1,ada,ada@x.example,maybe\n", "suspended? must be true or false"),
    ("binary.csv", b"\xff\xfe\x00id".decode("latin-1"), "not UTF-8 text"),
    ("bad-export.json", '{"format": "nope"}', "bad-export.json: not a readable license-usage export"),
], ids=["ragged-row", "wrong-columns", "id-not-a-number", "flag-not-boolean", "not-utf8", "bad-export"])
def test_a_malformed_ghes_file_is_one_line_with_its_place(capsys: Any, tmp_path: Path, name: str, content: str,
                                                         message: str) -> None:
    """path:line: message, exit 2, never a traceback."""
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1") if name == "binary.csv" else content.encode())
    code, _, err = run(capsys, "--ghes-report", str(path), "--ghec-report", str(FIXTURES / "license-report.csv"))
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_ghes_report_given_as_the_ghec_report_says_so(capsys: Any) -> None:
    """The wrong file in the wrong place is named as such."""
    code, _, err = run(capsys, *GHES, "--ghec-report", str(FIXTURES / "ghes-1-all_users.csv"))
    assert code == 2 and "not a GHEC license report (no 'GitHub com login' column)" in err


def test_two_files_for_one_instance_name_are_refused(capsys: Any) -> None:
    """Without HOST=, both files would be called after their name: same name, refused with the fix."""
    path = str(FIXTURES / "ghes-1-all_users.csv")
    code, _, err = run(capsys, "--ghes-report", path, "--ghes-report", path,
                       "--ghec-report", str(FIXTURES / "license-report.csv"))
    assert code == 2 and "give HOST=FILE for each" in err


def test_a_missing_file(capsys: Any, tmp_path: Path) -> None:
    """A path that does not exist: one line naming it."""
    code, _, err = run(capsys, "--ghes-report", str(tmp_path / "nope.csv"),
                       "--ghec-report", str(FIXTURES / "license-report.csv"))
    assert code == 2 and "nope.csv: No such file or directory" in err


def test_help_says_it_sends_nothing(capsys: Any) -> None:
    """The promise is in --help."""
    assert main(["predict", "--help"]) == 0
    assert "sends nothing anywhere" in capsys.readouterr().out


HEADER = ("GitHub com login,GitHub com name,Enterprise server user ids,GitHub com member roles,"
          "GitHub com enterprise roles,GitHub com verified domain emails,GitHub com saml name\n")
ALL_USERS = "id,login,email,role,suspended?\n"


def pair(tmp_path: Path, report_lines: str, ghes_lines: str) -> list[str]:
    """A hand-written license report and all_users.csv pair, as predict's arguments."""
    (tmp_path / "report.csv").write_text(HEADER + report_lines, encoding="utf-8")
    (tmp_path / "ghes.csv").write_text(ALL_USERS + ghes_lines, encoding="utf-8")
    return ["--ghes-report", f"ghes={tmp_path / 'ghes.csv'}", "--ghec-report", str(tmp_path / "report.csv")]


def test_an_outside_collaborator_on_a_private_repository_is_counted_as_github_counts_it(
        capsys: Any, tmp_path: Path) -> None:
    """`ORG/REPO:Collaborator` bills oscar (§7: outside collaborator on a private repository) and his GHES
    account merges into that license; an enterprise owner in no organization (`Owner`, no member role)
    consumes no license by the same rules, so her GHES account stays a license of its own."""
    args = pair(tmp_path, "oscar,Oscar,,corp-eng/secret-app:Collaborator,Outside collaborator,oscar@corp.example,\n"
                          "olga,Olga,,,Owner,olga@corp.example,\n"
                          "mia,Mia,,corp-eng:Member,Member,mia@corp.example,\n",
                "1,oscar,oscar@corp.example,user,false\n2,mia,mia@corp.example,admin,false\n"
                "3,olga,olga@corp.example,user,false\n")
    out = tmp_path / "world.yaml"
    code, text, _ = run(capsys, *args, "--json", "--scenario-out", str(out))
    data = json.loads(text)
    assert code == 0 and data["licenses_now"] == {"ghes": 3, "ghec": 2, "total": 5}
    rows = {r["github_com_login"]: r["enterprise_server_user_ids"] for r in data["rows"]}
    assert rows == {"mia": ["ghes:2"], "oscar": ["ghes:1"], "": ["ghes:3"]}
    world = out.read_text(encoding="utf-8")
    assert "collaborator_on:\n    - corp-eng/secret-app" in world and "name: secret-app" in world


@pytest.mark.parametrize(("cell", "bad"), [
    ("corp-eng:Admin", "corp-eng:Admin"), ("corp-eng/app:Member", "corp-eng/app:Member"),
    ("corp-eng:Collaborator", "corp-eng:Collaborator"), ('"corp-eng:Member, corp-web"', "corp-web"),
], ids=["unknown-role", "member-of-a-repository", "collaborator-without-repository", "no-role"])
def test_a_malformed_member_role_cell_is_one_line_with_its_place(capsys: Any, tmp_path: Path, cell: str,
                                                                 bad: str) -> None:
    """Each entry must be ORG:Owner, ORG:Member or ORG/REPO:Collaborator: `path:line: message`, exit 2."""
    args = pair(tmp_path, f"mia,Mia,,corp-eng:Member,Member,mia@corp.example,\nnia,Nia,,{cell},Member,,\n", "")
    code, _, err = run(capsys, *args)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert (f"report.csv:3: GitHub com member roles: '{bad}' is not ORG:Owner, ORG:Member or "
            "ORG/REPO:Collaborator") in err


def test_what_the_world_refuses_names_the_file_line(capsys: Any, tmp_path: Path) -> None:
    """The world is checked by the scenario schema; its problem is said at the report line it came from."""
    args = pair(tmp_path, "mia,Mia,,corp-eng:Member,Member,mia@corp.example,\n",
                "1,mia,mia@corp.example,admin,false\n2,bad_login!,x@corp.example,user,false\n")
    code, _, err = run(capsys, *args)
    assert code == 2 and "ghes.csv:3: not a GitHub login" in err and "$.ghes[0].accounts[1].login" in err
