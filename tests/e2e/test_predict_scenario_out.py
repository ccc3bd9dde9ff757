"""`license-sync predict --scenario-out`: the world predict counted, loaded into the mocks, gives predict's numbers.

The hand-written pair of report files (fixtures/predict/) becomes a scenario file; the mock GHEC
started on it bills exactly predict's "now: GitHub.com accounts", and after every mock GHES
started on it uploads its export, GHEC's consumed licenses are predict's "after license sync",
row for row.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_ghec import create_app as ghec_app
from mock_ghes import create_app as ghes_app
from scenarios.file import load_path
from sync_client.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "predict"
GOLDEN = ["--ghes-report", f"ghes-1={FIXTURES / 'ghes-1-all_users.csv'}",
          "--ghes-report", f"ghes-2={FIXTURES / 'ghes-2-all_users.csv'}",
          "--ghec-report", str(FIXTURES / "license-report.csv")]


def collaborator_pair(tmp_path: Path) -> list[str]:
    """An outside collaborator on a private repository, a member, and an enterprise owner in no organization."""
    (tmp_path / "report.csv").write_text(
        "GitHub com login,GitHub com name,Enterprise server user ids,GitHub com member roles,"
        "GitHub com enterprise roles,GitHub com verified domain emails,GitHub com saml name\n"
        "oscar,Oscar,,corp-eng/secret-app:Collaborator,Outside collaborator,oscar@corp.example,\n"
        "olga,Olga,,,Owner,olga@corp.example,\nmia,Mia,,corp-eng:Member,Member,mia@corp.example,\n",
        encoding="utf-8")
    (tmp_path / "ghes.csv").write_text("id,login,email,role,suspended?\n1,oscar,oscar@corp.example,user,false\n"
                                       "2,mia,mia@corp.example,admin,false\n3,olga,olga@corp.example,user,false\n",
                                       encoding="utf-8")
    return ["--ghes-report", f"ghes={tmp_path / 'ghes.csv'}", "--ghec-report", str(tmp_path / "report.csv")]


@pytest.mark.parametrize(("files", "suffix"), [("golden", ".yaml"), ("golden", ".json"), ("collaborator", ".yaml")],
                         ids=["golden-yaml", "golden-json", "collaborator-yaml"])
def test_the_mocks_on_the_predicted_world_bill_what_predict_printed(capsys: Any, tmp_path: Path, files: str,
                                                                    suffix: str) -> None:
    """Consumed total before sync = predict's GitHub.com licenses; after a real sync = predict's rows."""
    out = tmp_path / f"world{suffix}"
    given = GOLDEN if files == "golden" else collaborator_pair(tmp_path)
    code = main(["predict", *given, "--json", "--scenario-out", str(out)])
    predicted = json.loads(capsys.readouterr().out)
    assert code == 0 and (out.read_text(encoding="utf-8").lstrip()[0] == "{") == (suffix == ".json")
    world = load_path(out)
    slug = world.enterprises[0].slug
    owner = {"Authorization": f"token {world.tokens[f'ghec:{slug}:owner']}"}
    cloud = ghec_app({"TESTING": True, "SCENARIO_FILE": str(out)}).test_client()
    page = f"/enterprises/{slug}/consumed-licenses?per_page=100"
    assert cloud.get(page, headers=owner).get_json()["total_seats_consumed"] == predicted["licenses_now"]["ghec"]
    for instance in world.ghes:
        app = ghes_app({"TESTING": True, "SCENARIO_FILE": str(out), "INSTANCE": instance.index})
        admin = {"Authorization": f"token {app.extensions['ghes'].runtime.tokens()['admin']}"}
        export = app.test_client().get("/api/v3/enterprise/license-usage/export?encrypted=false", headers=admin)
        app.extensions["mock"].db.close()
        answer = cloud.post(f"/enterprises/{slug}/server-usage", data=export.get_data(),
                            headers={**owner, "Content-Type": "application/json"})
        assert answer.status_code == 201
    synced = cloud.get(page, headers=owner).get_json()
    assert synced["total_seats_consumed"] == predicted["licenses_after_sync"]
    rows = sorted((u["github_com_login"], sorted(u["enterprise_server_user_ids"])) for u in synced["users"])
    assert rows == sorted((r["github_com_login"], sorted(r["enterprise_server_user_ids"]))
                          for r in predicted["rows"])
