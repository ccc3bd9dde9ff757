"""A fresh seed writes exactly what a recompute of every account writes (one code path: mock_ghec/derive.py).

The loader once rendered each account's row from the scenario (an outside collaborator's
`ORG/REPO:Collaborator` entries, DOMAIN §8, left out) while the refresh after any organization
change or snapshot restore rendered it from the organization tables (entries included), so
the same world served other rows after its first refresh. A snapshot restore recomputes every
derived cell of every account: after it, every table (derived cells included) and every
consumed-licenses page must be what the seed wrote.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

import scenarios
from github_http.snapshot import dump_state
from mock_ghec.reads import GENERATION_KEY

#: Each preset cheap enough for the suite (large: about 25 s a restore, measured by hand instead).
PRESETS = ["small", "demo", "edge-cases"]
SEED = 3
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def _pages(client: Any, scenario: scenarios.Scenario) -> dict[str, list[Any]]:
    """Every consumed-licenses row of every enterprise, as the API serves them."""
    out: dict[str, list[Any]] = {}
    for ent in scenario.enterprises:
        owner = {"Authorization": f"token {scenario.tokens[f'ghec:{ent.slug}:owner']}"}
        rows: list[Any] = []
        page = 1
        while True:
            answer = client.get(f"/enterprises/{ent.slug}/consumed-licenses?per_page=100&page={page}", headers=owner)
            assert answer.status_code == 200, answer.get_data()[:300]
            body = answer.get_json()
            rows += body["users"]
            if len(rows) >= body["total_seats_consumed"]:
                break
            page += 1
        out[ent.slug] = rows
    return out


def _tables(app: Any) -> dict[str, Any]:
    """Every table, derived cells included, but the random row stamps and the match-index generation."""
    tables = dump_state(app.extensions["mock"].db)["tables"]
    del tables["ghec_row_stamps"]
    kv = tables["mock_kv"]
    kv["rows"] = [row for row in kv["rows"] if row[kv["columns"].index("key")] != GENERATION_KEY]
    return tables


@pytest.mark.parametrize("preset", PRESETS)
def test_a_fresh_seed_is_what_a_restore_recomputes(make_app: Any, preset: str) -> None:
    app = make_app(SCENARIO=preset, SEED=SEED, JOURNAL=False)
    client, scenario = app.test_client(), scenarios.build(SEED, preset)
    seeded_pages, seeded_tables = _pages(client, scenario), _tables(app)
    snapshot = client.get("/_mock/snapshot", environ_base=LOOPBACK)
    assert snapshot.status_code == 200
    restored = client.put("/_mock/snapshot", data=snapshot.get_data(), content_type="application/json",
                          environ_base=LOOPBACK)
    assert restored.status_code == 204, restored.get_data()[:300]
    assert _tables(app) == seeded_tables
    assert _pages(client, scenario) == seeded_pages


def test_a_seeded_outside_collaborator_lists_its_repositories_in_its_member_roles(make_app: Any) -> None:
    """DOMAIN §8: outside collaborators appear as `ORG/REPO:Collaborator` in `github_com_member_roles`."""
    app = make_app(SCENARIO="edge-cases", SEED=SEED, JOURNAL=False)
    scenario = scenarios.build(SEED, "edge-cases")
    rows = {row["github_com_login"]: row for rows in _pages(app.test_client(), scenario).values() for row in rows}
    named = [(m, ent) for ent in scenario.enterprises for m in ent.members
             if m.collaborator_repos and m.login in rows]
    assert named, "edge-cases bills no outside collaborator on a named repository"
    for member, _ in named:
        entries = rows[member.login]["github_com_member_roles"]
        assert [f"{r}:Collaborator" for r in member.collaborator_repos] == [e for e in entries
                                                                          if e.endswith(":Collaborator")], \
            json.dumps(rows[member.login])
