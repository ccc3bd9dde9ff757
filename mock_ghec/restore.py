"""After a snapshot's restore: compute every derived cell again from the restored primary rows.

Part of the store (inside the restore's transaction, github_http/snapshot.py). What GHEC
derives is never taken from a snapshot (`DERIVED`): the consumed-license rows, each account's
row fragments, order and verdict, the seat counts, the server instances' user counts and the
row stamps are rebuilt here by the very code that keeps them after a write
(`orgs_refresh.refresh`: `derive.derive` → `recompute.recompute`), set-based: a few reads per
enterprise, not a few per account. WHY: a snapshot's `license_rows` or `row_t*`
are JSON fragments that SQLite pastes into the consumed-licenses page unparsed; restored as
given, a wrong one breaks every page (or says what the primary rows do not), and the
count columns would disagree with the rows.
"""
from __future__ import annotations

from typing import Any

from github_http.snapshot import Derived
from github_http.storage import Database

from .cloud_reads import KEPT_KEY
from .orgs_refresh import refresh
from .reads import GENERATION_KEY

#: What a GHEC snapshot leaves out and a restore recomputes.
DERIVED = Derived(
    tables=("ghec_cloud_index", "ghec_row_stamps", "license_rows"),
    columns={"ghec_accounts": ("ordinal", "row_t0", "row_t1", "row_t2", "row_t3", "row_t4"),
             "ghec_account_facts": ("billed", "rule", "why", "bundled"),
             "ghec_enterprises": ("seats_consumed", "account_rows"),
             "ghes_servers": ("has_usage", "users")},
    kv=(GENERATION_KEY, KEPT_KEY))


def redo_derived(db: Database, conn: Any) -> None:
    """Every derived cell of every enterprise, from the restored rows (the restore's transaction).

    `refresh` gives the cloud-side cache a new generation, so no worker matches against the
    accounts it knew before the restore, and each enterprise's rows a new stamp.
    """
    conn.execute("UPDATE ghes_servers SET has_usage = EXISTS (SELECT 1 FROM ghes_usage u WHERE u.server_ref = "
                 "ghes_servers.id), users = coalesce((SELECT json_array_length(u.users) FROM ghes_usage u "
                 "WHERE u.server_ref = ghes_servers.id), 0)")
    for (enterprise_id,) in conn.execute("SELECT id FROM ghec_enterprises ORDER BY id").fetchall():
        refresh(db, conn, enterprise_id, None, renumber=True)
