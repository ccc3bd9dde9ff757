"""Writing an enterprise's consumed-license rows (inside the store's transaction).

Part of the store (with store.py, the only code that writes): the store decides WHEN rows
change (a file taken, a scenario loaded) and owns the transaction; this module is HOW they
are recomputed and written: match every kept server account, stream the rows from
`rows.build_slots` into SQLite (a rewrite's plain GHES-only rows put together by SQLite itself,
`insert_alone`), with a page cache sized for the write.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from github_http.storage import Database
from license_rules.matching import RULE_GHES_ONLY, Match, match

from . import reads
from .rows import alone_slots, build_slots, linked_slots, plain_text, server_accounts, server_prefixes

#: Rewrite the enterprise's rows in order when the file's users are at least this share of them.
REWRITE_AT = 0.5

INSERT_ROW = "INSERT INTO license_rows VALUES (?,?,?,?,?,?,?)"
#: GHES-only rows put together by SQLite (insert_alone), this many a statement (measured: 100 cost 0.15 s more
#: for 1,000,000 rows, 1,000 no less; a divisor of ALONE_CHUNK).
ALONE_PER_INSERT = 400
#: GHES-only accounts looked at (and, if they cannot be, written through rows.alone_slots) at a time.
ALONE_CHUNK = 50_000


def alone_insert(count: int) -> str:
    """The INSERT of `count` one-account GHES-only rows of one server, each as rows.alone_slots writes
    it: bound, each account's (user id, primary), then (enterprise id, first rownum, and the row's
    two server prefixes, rows.server_prefixes)."""
    head = 2 * count
    return "INSERT INTO license_rows VALUES " + ",".join(
        f"(?{head + 1},?{head + 2}+{k},NULL,?{head + 3}||?{2 * k + 1}||'\"]','[\"'||?{2 * k + 2}||'\"]',1,"
        f"?{head + 4}||?{2 * k + 1}||',\"{RULE_GHES_ONLY}\"]]')" for k in range(count))


def insert_alone(conn: Any, enterprise_id: int, result: Match, first: int) -> None:
    """Insert the GHES-only rows of `result` (rows numbered from `first`), as `rows.alone_slots` makes them.

    WHY not through alone_slots alone: for a 1,000,000-user file nearly every row is one of these,
    and a Python tuple of seven values per row, bound one statement per row, cost about 1.4 s more
    than binding two values of each account, 400 rows a statement, with SQLite putting the
    JSON together. Only for a chunk of one server whose primaries need no escaping
    (rows.plain_text), in which each row holds one account; anything else goes through alone_slots.
    """
    alone = result.alone
    if result.alone_rows != len(alone):  # some GHES-only accounts share a key: rows of several
        conn.executemany(INSERT_ROW, alone_slots(enterprise_id, alone, first, False))
        return
    for start in range(0, len(alone), ALONE_CHUNK):
        accounts = list(map(itemgetter(1), alone[start:start + ALONE_CHUNK]))
        rownum = first + start
        server_ids, hosts = set(map(itemgetter(0), accounts)), set(map(itemgetter(1), accounts))
        primaries = list(map(itemgetter(3), accounts))
        if len(server_ids) != 1 or len(hosts) != 1 or not plain_text(primaries):
            conn.executemany(INSERT_ROW, alone_slots(enterprise_id, alone[start:start + ALONE_CHUNK], rownum, True))
            continue
        prefixes = server_prefixes(server_ids.pop(), hosts.pop())
        bound: list[Any] = [None] * (2 * len(accounts))  # user id, primary, user id, primary, ...
        bound[0::2], bound[1::2] = map(itemgetter(2), accounts), primaries
        whole = len(accounts) - len(accounts) % ALONE_PER_INSERT
        conn.executemany(alone_insert(ALONE_PER_INSERT), (
            (*bound[2 * at:2 * (at + ALONE_PER_INSERT)], enterprise_id, rownum + at, *prefixes)
            for at in range(0, whole, ALONE_PER_INSERT)))
        if whole < len(accounts):
            conn.execute(alone_insert(len(accounts) - whole),
                         (*bound[2 * whole:], enterprise_id, rownum + whole, *prefixes))


#: One row by row number; an unchanged row is not written at all (the WHERE of DO UPDATE).
UPSERT_ROW = (
    "INSERT INTO license_rows VALUES (?,?,?,?,?,?,?) ON CONFLICT (enterprise_id, rownum) DO UPDATE SET "
    "account_id = excluded.account_id, server_user_ids = excluded.server_user_ids, "
    "server_emails = excluded.server_emails, user_accounts = excluded.user_accounts, "
    "sources = excluded.sources WHERE (account_id, server_user_ids, server_emails, user_accounts, "
    "sources) IS NOT (excluded.account_id, excluded.server_user_ids, excluded.server_emails, "
    "excluded.user_accounts, excluded.sources)")


def restamp(conn: Any, enterprise_id: int) -> None:
    """Give the enterprise's rows a new stamp (in the caller's transaction): pages rendered from
    its earlier rows stop being served at the commit (page_cache.py)."""
    conn.execute("INSERT OR REPLACE INTO ghec_row_stamps VALUES (?, ?)", (enterprise_id, secrets.token_hex(12)))


@contextmanager
def write_cache(conn: Any, mib: int) -> Iterator[None]:
    """A bigger SQLite page cache for one big write (`mib` MiB; 0 = leave it), then the default again.

    WHY: with SQLite's default 2 MiB, rewriting 100,000 rows spills dirty pages to the WAL
    mid-transaction and then writes some of them again; 128 MiB (MOCK_GHEC_WRITE_CACHE_MIB)
    keeps them until COMMIT writes each once (measured: about a quarter less CPU for the
    rows). Only for this write, so idle connections stay small.
    """
    if mib <= 0:
        yield
        return
    default = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-1024 * mib}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(default)}")


def recompute(db: Database, conn: Any, enterprise_id: int, fresh: tuple[str, list] | None = None) -> None:
    """Rebuild every row of an enterprise from all kept server usage (inside the caller's transaction).

    `fresh` = (server_id, its accounts) of the file being taken, used from memory rather
    than read back. Rows stream from `build_slots` into SQLite in one of two ways, by how
    much is bound to change (both give the same rows):
    - the file's users are at least half as many as the rows (a first big upload): the
      enterprise's rows are deleted and inserted again in order. WHY: nearly every row
      changes, and rows that grow in place split their pages again and again; measured on
      100,000 users this costs about two thirds of the upsert's CPU;
    - otherwise one upsert by row number that leaves unchanged rows alone (a re-upload,
      or accounts nobody merged into, write no page), then the surplus is deleted.
    """
    cloud = reads.cloud_side_of(db, enterprise_id)
    accounts = fresh[1] if fresh else []
    others = reads.kept_users(db, enterprise_id, skip=fresh and fresh[0])
    if others:
        accounts = list(accounts)
        for server_id, (host, kept) in others.items():
            accounts.extend(server_accounts(kept, server_id, host))
    result = match(cloud.index, accounts)
    del accounts, others
    rows = len(cloud.account_ids) + result.alone_rows
    if fresh and len(fresh[1]) >= REWRITE_AT * rows:
        conn.execute("DELETE FROM license_rows WHERE enterprise_id = ?", (enterprise_id,))
        conn.executemany(INSERT_ROW, linked_slots(enterprise_id, cloud.account_ids, result))
        insert_alone(conn, enterprise_id, result, len(cloud.account_ids) + 1)
    else:
        conn.executemany(UPSERT_ROW, build_slots(enterprise_id, cloud.account_ids, result))
        conn.execute("DELETE FROM license_rows WHERE enterprise_id = ? AND rownum > ?", (enterprise_id, rows))
    restamp(conn, enterprise_id)
    conn.execute("UPDATE ghec_enterprises SET seats_consumed = ?, account_rows = ? WHERE id = ?",
                 (rows, len(cloud.account_ids), enterprise_id))
