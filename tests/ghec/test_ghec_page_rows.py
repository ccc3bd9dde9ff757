"""The consumed-licenses page read (page_rows.py) gives exactly the rows the general renderer gives.

The page is read in two halves, GitHub.com accounts' rows and then server-only rows, each with a
cheaper SQL of its own; every window around the boundary must still be byte for byte the same
as `reads.ROW_JSON` over the same range.
"""
from __future__ import annotations

from typing import Any

import pytest
from ghec_helpers import all_rows, export_bytes, export_for, upload, user

import scenarios
from mock_ghec import reads, tables
from mock_ghec.page_rows import page_json


def _reference(db: Any, enterprise_id: int, first: int, last: int) -> bytes:
    """Rows first..last through the general renderer, comma-joined."""
    rows = db.query(f"SELECT {reads.ROW_JSON} FROM {reads.ROWS_FROM} WHERE r.enterprise_id = ? "
                    "AND r.rownum BETWEEN ? AND ? ORDER BY r.rownum", (enterprise_id, first, last))
    return ",".join(r[0] for r in rows).encode("utf-8")


def test_every_window_around_the_boundary_matches_the_general_renderer(
        app: Any, client: Any, scenario: scenarios.Scenario, main: Any, owner: dict[str, str]) -> None:
    """Windows inside the accounts, across the boundary, inside the server-only rows and past the end."""
    assert upload(client, main.slug, owner, export_for(scenario.ghes[0])).status_code == 201
    extra = [user(900_000 + i, f"only-{i}@elsewhere.example", f"also-{i}@elsewhere.example") for i in range(5)]
    raw = export_bytes("0f7d9a4e-1111-4c2b-9d7e-5a1b2c3d4e5f", "extra.example", extra)
    assert upload(client, main.slug, owner, raw).status_code == 201
    db = app.extensions["mock"].db
    access = reads.enterprise_access(db, main.slug, None)
    total, split = access.seats_consumed, access.account_rows
    assert 0 < split < total, "the scenario must have both kinds of rows"
    assert db.one("SELECT count(*) FROM license_rows WHERE enterprise_id = ? AND rownum > ? "
                  "AND account_id IS NOT NULL", (access.id, split))[0] == 0
    for first in {1, split - 2, split - 1, split, split + 1, split + 2, total - 1, total}:
        for size in (1, 2, 3, 30, 100):
            if first >= 1:
                assert page_json(db, access.id, split, first, first + size - 1) == \
                    _reference(db, access.id, first, first + size - 1), (first, size)


def test_an_enterprise_without_server_usage_reads_only_accounts(app: Any, main: Any) -> None:
    """Before any upload every row is an account's, and a window past the end is empty."""
    db = app.extensions["mock"].db
    access = reads.enterprise_access(db, main.slug, None)
    assert access.account_rows == access.seats_consumed > 0
    assert page_json(db, access.id, access.account_rows, 1, 100) == _reference(db, access.id, 1, 100)
    assert page_json(db, access.id, access.account_rows, access.seats_consumed + 1,
                     access.seats_consumed + 100) == b""


@pytest.mark.parametrize("version", ["2", "3", "4", "5", "6"])
def test_an_earlier_state_file_is_brought_forward_with_the_same_pages(
        make_app: Any, tmp_path: Any, main: Any, owner: dict[str, str], scenario: scenarios.Scenario,
        version: str) -> None:
    """A state kept by an earlier table version (v2: no `account_rows`; v3: no row stamps; v4: no
    `ghes_servers.generated_at`; v5: no `ghec_tokens.scopes`; v6: no index of invitations by account)
    opens, serves the same pages and renders them."""
    path = str(tmp_path / "kept.sqlite3")
    client = make_app(STATE_PATH=path).test_client()
    assert upload(client, main.slug, owner, export_for(scenario.ghes[0])).status_code == 201
    before = all_rows(client, main.slug, owner)
    old = make_app(STATE_PATH=path).extensions["mock"].db
    old.execute("DROP INDEX ghec_invitations_account")  # what v2 to v6 looked like
    if version != "6":
        old.execute("ALTER TABLE ghec_tokens DROP COLUMN scopes")  # what v2 to v5 looked like
    if version not in ("5", "6"):
        old.execute("ALTER TABLE ghes_servers DROP COLUMN generated_at")  # what v2 to v4 looked like
    if version in ("2", "3"):
        old.execute("DROP TABLE ghec_row_stamps")
    if version == "2":
        old.execute("ALTER TABLE ghec_enterprises DROP COLUMN account_rows")
    old.set_kv("ghec_schema_version", version)
    app = make_app(STATE_PATH=path)
    access = reads.enterprise_access(app.extensions["mock"].db, main.slug, None)
    assert 0 < access.account_rows < access.seats_consumed
    assert access.rows_stamp is not None  # a fresh stamp: the pages kept in memory are keyed on it
    assert app.extensions["mock"].db.get_kv("ghec_schema_version") == tables.SCHEMA_VERSION
    assert app.extensions["mock"].db.query("SELECT 1 FROM sqlite_master WHERE name = 'ghec_invitations_account'")
    assert all_rows(app.test_client(), main.slug, owner) == before


def test_a_snapshot_of_another_table_version_is_refused(client: Any) -> None:
    """Restoring rows of another table layout would serve wrong pages: it is a 422, nothing changes."""
    before = client.get("/_mock/snapshot").get_json()
    saved = client.get("/_mock/snapshot").get_json()
    kv = saved["tables"]["mock_kv"]
    key = kv["columns"].index("key")
    for row in kv["rows"]:
        if row[key] == "ghec_schema_version":
            row[kv["columns"].index("value")] = "2"
    answer = client.put("/_mock/snapshot", json=saved)
    assert answer.status_code == 422 and "another version" in answer.get_json()["message"]
    assert client.get("/_mock/snapshot").get_json() == before
