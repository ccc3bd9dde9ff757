"""An enterprise's GitHub.com side as matching needs it (`rows.CloudSide`), read from the state.

Part of the reads (reads.cloud_side_of keeps what these return per scenario generation). Two
ways, the same index (tests/ghec/test_ghec_cloud_side.py):
- `kept`: the index the loader kept in `ghec_cloud_index` (`kept_row`, for an enterprise of at least
  KEEP_AT accounts), as its keys. WHY: a process that opens a kept state (a restart, every gunicorn
  worker) otherwise builds it from the tables on its first upload, 0.85 s for 90,000 accounts,
  and reading its keys back costs a sixth of that. A row counts only while the scenario
  generation is the one its loader wrote beside it (KEPT_KEY): any change to the accounts
  (orgs_refresh.refresh, which a restore also runs; older code's too) gives the state a new
  generation, so a kept index never outlives the accounts it was made of (refresh also deletes
  it, to free the space; a restore empties the table);
- `from_tables`: built from the accounts, emails and identities, as columns by row position.
"""
from __future__ import annotations

import json
from itertools import chain, repeat
from typing import Any

import msgspec

from github_http.storage import Database
from license_rules.matching import RULES, SAML_ATTRIBUTES, CloudIndex, index_from_columns, index_from_keys

from .orgs_tables import NOT_BILLED_FILTER
from .rows import CloudSide

#: Enterprises with at least this many accounts in row order get their index kept by the loader.
KEEP_AT = 10_000
#: The control value holding the generation of the load that kept the indexes, set only when one was kept
#: (derived: not in snapshots; a restore drops the indexes, a cache, and the next upload builds them).
KEPT_KEY = "ghec_cloud_index_generation"


def _tuples(db: Database, sql: str, params: Any = ()) -> list[tuple]:
    """All rows of a read as plain tuples (no sqlite3.Row per row)."""
    cur = db.connection().cursor()
    cur.row_factory = None
    return cur.execute(sql, params).fetchall()


def kept_row(index: CloudIndex) -> bytes:
    """The index as the loader keeps it: its keys, each table sorted by key (WHY: the same index is
    the same bytes, whatever order its accounts' addresses came in; the state stays a function of
    the scenario)."""
    verified, unverified, saml = sorted(index.verified.items()), sorted(index.unverified.items()), sorted(
        (key, n, RULES.index(rule)) for key, (n, rule) in index.saml.items())
    return msgspec.msgpack.encode([index.uses_saml, index.account_ids, index.logins,
                                   [k for k, _ in verified], [n for _, n in verified],
                                   [k for k, _ in unverified], [n for _, n in unverified],
                                   [k for k, _, _ in saml], [n for _, n, _ in saml], [r for _, _, r in saml]])


def kept(db: Database, enterprise_id: int, generation: str) -> CloudSide | None:
    """The index the loader kept for the enterprise, or None (none kept, or the state's `generation`
    is no longer the loader's)."""
    if not generation or db.get_kv(KEPT_KEY) != generation:
        return None
    row = _tuples(db, "SELECT data FROM ghec_cloud_index WHERE enterprise_id = ?", (enterprise_id,))
    if not row:
        return None
    uses_saml, ids, logins, vk, vn, uk, un, sk, sn, sr = msgspec.msgpack.decode(row[0][0])
    index = index_from_keys(CloudIndex(
        uses_saml=uses_saml, logins=logins, account_ids=ids, verified=dict(zip(vk, vn, strict=True)),
        unverified=dict(zip(uk, un, strict=True)),
        saml=dict(zip(sk, zip(sn, map(RULES.__getitem__, sr), strict=True), strict=True))))
    return CloudSide(index, index.account_ids)


def from_tables(db: Database, enterprise_id: int) -> CloudSide:
    """The index built from the enterprise's accounts (billed ones, in row order), their emails and identities."""
    billed = _tuples(db, f"SELECT id, login FROM ghec_accounts WHERE enterprise_id = ? AND {NOT_BILLED_FILTER} "
                         "ORDER BY ordinal", (enterprise_id,))
    # As columns by position (row order), in the tables' order, for index_from_columns: WHY, see there.
    position = {aid: n for n, (aid, _) in enumerate(billed)}
    emails = [(position[aid], address, verified) for aid, address, verified in _tuples(
        db, "SELECT account_id, address, verified FROM ghec_account_emails WHERE enterprise_id = ?",
        (enterprise_id,)) if aid in position]
    linked = [row for row in _tuples(
        db, "SELECT account_id, name_claim, emailaddress_claim, username, name_id, emails FROM ghec_identities "
            "WHERE enterprise_id = ?", (enterprise_id,)) if row[0] in position]
    at = [position[row[0]] for row in linked]
    identity = {attribute: (at, [row[k] for row in linked])
                for k, attribute in enumerate(SAML_ATTRIBUTES[:4], start=1)}  # the order of the SELECT
    # Every identity's `emails` array parsed in one json.loads (one C call, not 80,000).
    lists = json.loads("[" + ",".join(row[5] for row in linked) + "]")
    identity["emails"] = (list(chain.from_iterable(map(repeat, at, map(len, lists)))), list(chain.from_iterable(lists)))
    saml = _tuples(db, "SELECT uses_saml FROM ghec_enterprises WHERE id = ?", (enterprise_id,))
    index = index_from_columns(
        [aid for aid, _ in billed], [login for _, login in billed],
        ([n for n, _, v in emails if v], [a for _, a, v in emails if v]),
        ([n for n, _, v in emails if not v], [a for _, a, v in emails if not v]),
        identity, bool(saml and saml[0][0]))
    return CloudSide(index, index.account_ids)
