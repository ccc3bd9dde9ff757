"""Issue 18 item 9, systematically: a snapshot restore takes only primary values, each of its type.

What an app derives from its rows (GHEC: the consumed-license rows and their JSON fragments,
account order and verdicts, seat counts, server user counts; GHES: the site-admin reports) is
not in a snapshot and is recomputed on restore; a snapshot that still carries it (taken
before) restores with those cells ignored. Every other cell must be of its declared type and
pass its writer's rule; a refused restore is a 422 naming table, row and column, and leaves
`GET /_mock/snapshot` byte-identical.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hardening_helpers import LOOPBACK, auth, ghec_app, ghec_tokens, ghes_admin, ghes_app, is_github_error
from rel_helpers import export, server_id, synthetic_users

from github_http.snapshot import dump_state

TOKENS = ghec_tokens()
SERVER = server_id(18)


@pytest.fixture(scope="module")
def ghec() -> Iterator[Flask]:
    """A small GHEC that has taken one upload (so servers, kept users and their rows exist)."""
    app = ghec_app()
    response = app.test_client().post(f"/enterprises/{TOKENS['slug']}/server-usage",
                                      data=export(SERVER, "ghes.derived.example", synthetic_users(5, "corp.example")),
                                      content_type="application/json", headers=auth(TOKENS["owner"]))
    assert response.status_code == 201, response.get_data()[:300]
    yield app
    app.extensions["mock"].db.close()


@pytest.fixture(scope="module")
def ghes() -> Iterator[Flask]:
    app = ghes_app()
    yield app
    app.extensions["mock"].db.close()


def _snapshot(client: Any) -> bytes:
    response = client.get("/_mock/snapshot", environ_base=LOOPBACK)
    assert response.status_code == 200
    return response.get_data()


def _restore(client: Any, snap: Any) -> Any:
    return client.put("/_mock/snapshot", data=json.dumps(snap), content_type="application/json",
                      environ_base=LOOPBACK)


def _pages(client: Any) -> list[Any]:
    """What GHEC serves from the derived cells: every consumed-license row, the seat counts, the servers."""
    path = f"/enterprises/{TOKENS['slug']}"
    rows = client.get(f"{path}/consumed-licenses?per_page=100", headers=auth(TOKENS["owner"]))
    status = client.get(f"{path}/license-sync-status", headers=auth(TOKENS["owner"]))
    assert rows.status_code == 200 and status.status_code == 200
    return [rows.get_json(), status.get_json()]


@pytest.mark.parametrize("make", [ghec_app, ghes_app], ids=["ghec", "ghes"])
def test_the_demo_scenario_round_trips_byte_for_byte(make: Any) -> None:
    app = make(SCENARIO="demo")
    try:
        client = app.test_client()
        before = _snapshot(client)
        assert _restore(client, json.loads(before)).status_code == 204
        assert _snapshot(client) == before
    finally:
        app.extensions["mock"].db.close()


def test_derived_cells_are_not_in_a_snapshot_and_are_recomputed(ghec: Flask) -> None:
    client = ghec.test_client()
    served, before = _pages(client), _snapshot(client)
    tables = json.loads(before)["tables"]
    assert "license_rows" not in tables and "ghec_row_stamps" not in tables
    assert not {"row_t0", "ordinal"} & set(tables["ghec_accounts"]["columns"])
    assert not {"seats_consumed", "account_rows"} & set(tables["ghec_enterprises"]["columns"])
    assert not {"users", "has_usage"} & set(tables["ghes_servers"]["columns"])
    assert not {"billed", "rule", "why"} & set(tables["ghec_account_facts"]["columns"])
    assert _restore(client, json.loads(before)).status_code == 204
    assert _snapshot(client) == before and _pages(client) == served


def _spoil_derived(snap: dict) -> dict:
    """An older-style snapshot (derived cells included) whose derived cells all lie."""
    spoilt = copy.deepcopy(snap)
    tables = spoilt["tables"]
    for table, column, value in (("ghec_accounts", "row_t0", '{"github_com_login":"<script>",'),
                                 ("ghec_accounts", "ordinal", 999), ("ghec_enterprises", "seats_consumed", 10**9),
                                 ("ghes_servers", "users", -4), ("ghec_account_facts", "billed", 0)):
        columns = tables[table]["columns"]
        for row in tables[table]["rows"]:
            row[columns.index(column)] = value
    rows = tables["license_rows"]
    for row in rows["rows"]:
        row[rows["columns"].index("server_user_ids")] = '["x"],"injected":1,"a":['
    tables["ghec_row_stamps"]["rows"] = [[1, "x"]]
    return spoilt


def test_an_older_snapshot_restores_with_its_derived_cells_ignored(ghec: Flask) -> None:
    client = ghec.test_client()
    served, before = _pages(client), _snapshot(client)
    older = dump_state(ghec.extensions["mock"].db)  # the whole tables, as snapshots were taken before
    assert "license_rows" in older["tables"] and "row_t0" in older["tables"]["ghec_accounts"]["columns"]
    assert _restore(client, _spoil_derived(older)).status_code == 204
    assert _snapshot(client) == before and _pages(client) == served


def _with(snap: dict, table: str, column: str, value: Any, row: int = 0) -> dict:
    changed = copy.deepcopy(snap)
    columns = changed["tables"][table]["columns"]
    changed["tables"][table]["rows"][row][columns.index(column)] = value
    return changed


#: One case per kind of bad value: (app, table, column, value).
BAD = [
    ("ghec", "ghec_enterprises", "seats_purchased", "30", "text-in-integer"),
    ("ghec", "ghec_accounts", "login", 5, "integer-in-text"),
    ("ghec", "ghec_accounts", "name", None, "null-in-not-null"),
    ("ghec", "ghec_enterprises", "seats_purchased", -1, "negative-count"),
    ("ghec", "ghes_servers", "event_at", "yesterday", "not-a-time"),
    ("ghec", "ghes_servers", "sync_at", "2026-13-45T00:00:00Z", "impossible-time"),
    ("ghec", "ghes_usage", "users", '[["1\\"],\\"x\\":[", "a@corp.example"]]', "usage-id-not-integer"),
    ("ghec", "ghes_usage", "users", '[[1, "not an email"]]', "usage-email"),
    ("ghec", "ghes_usage", "users", '[[1]]', "usage-no-email"),
    ("ghec", "ghec_accounts", "role", "root", "unknown-role"),
    ("ghec", "ghec_invitations", "repos", '["no-slash"]', "invitation-repos"),
    ("ghec", "ghec_scim_users", "emails", '["a@b.example"]', "scim-emails-shape"),
    ("ghec", "ghec_scim_users", "created", "now", "scim-time"),
    ("ghec", "ghec_identities", "emails", '{"a": 1}', "json-not-array"),
    ("ghec", "privacy_ledger", "paths", "not json", "not-json"),
    ("ghes", "ghes_users", "created_at", "2026-01-01 00:00", "ghes-time"),
    ("ghes", "ghes_users", "site_admin", "yes", "ghes-text-in-integer"),
    ("ghes", "ghes_instance", "seats", -5, "ghes-negative-seats"),
    ("ghes", "ghes_instance", "public_key", "not a key", "ghes-public-key"),
    ("ghes", "ghes_users", "emails_json", '[{"address": "x"}]', "ghes-emails-shape"),
]


@pytest.mark.parametrize(("app_name", "table", "column", "value"),
                         [pytest.param(*case[:4], id=case[4]) for case in BAD])
def test_a_bad_primary_value_is_a_422_naming_it_and_changes_nothing(ghec: Flask, ghes: Flask, app_name: str,
                                                                      table: str, column: str, value: Any) -> None:
    client = (ghec if app_name == "ghec" else ghes).test_client()
    before = _snapshot(client)
    snap = json.loads(before)
    assert snap["tables"][table]["rows"], f"{table} has no row to spoil"
    response = _restore(client, _with(snap, table, column, value))
    assert response.status_code == 422 and is_github_error(response), response.get_data()[:300]
    assert f"{table} row 0 {column}:" in response.get_json()["message"]
    assert _snapshot(client) == before


def test_the_refusal_lists_every_problem_and_restores_nothing(ghec: Flask) -> None:
    client = ghec.test_client()
    before = _snapshot(client)
    snap = _with(_with(json.loads(before), "ghec_accounts", "login", 5), "ghes_servers", "event_at", "soon")
    response = _restore(client, snap)
    message = response.get_json()["message"]
    assert response.status_code == 422 and "ghec_accounts row 0 login" in message and "ghes_servers row 0 event_at" \
        in message
    assert _snapshot(client) == before


def test_ghes_reports_are_derived_and_a_restore_round_trips(ghes: Flask) -> None:
    client = ghes.test_client()
    assert client.get("/stafftools/reports/all_users.csv", headers=ghes_admin()).status_code in (200, 202)
    before = _snapshot(client)
    assert "ghes_reports" not in json.loads(before)["tables"]
    assert _restore(client, json.loads(before)).status_code == 204
    assert _snapshot(client) == before


@pytest.mark.parametrize(("app_name", "key", "value"), [
    ("ghec", "ghec_scenario", "garbage"), ("ghec", "ghec_scenario", '{"seed": "1", "preset": "x", "params": {}}'),
    ("ghes", "ghes_scenario_file", "[1]"), ("ghec", "clock", '{"offset": "soon", "frozen": null}'),
    ("ghes", "clock", '{"offset": 0, "frozen": "tomorrow"}'),
], ids=["ghec-scenario-not-json", "ghec-scenario-seed-text", "ghes-scenario-file-not-object", "ghec-clock-offset",
        "ghes-clock-frozen"])
def test_a_bad_control_value_is_a_422_naming_it_and_changes_nothing(ghec: Flask, ghes: Flask, app_name: str,
                                                                    key: str, value: str) -> None:
    """Control values are checked by their key (a garbage scenario spec made GET /_mock/scenario a 500)."""
    client = (ghec if app_name == "ghec" else ghes).test_client()
    assert client.put("/_mock/clock", json={"now": "2026-06-01T00:00:00Z"}, environ_base=LOOPBACK).status_code == 200
    before = _snapshot(client)
    snap = json.loads(before)
    rows = snap["tables"]["mock_kv"]["rows"]
    n = next(i for i, row in enumerate(rows) if row[0] == key)
    rows[n][1] = value
    response = _restore(client, snap)
    assert response.status_code == 422 and f"mock_kv row {n} value:" in response.get_json()["message"]
    assert _snapshot(client) == before
    assert client.get("/_mock/scenario", environ_base=LOOPBACK).status_code == 200
