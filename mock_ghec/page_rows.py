"""The consumed-licenses page read: a range of rows as the UTF-8 inside of a JSON array.

The hot path of the mock GHEC. Rows are stored as their server-derived values only (see
rows.py); SQLite puts each row together from them and a template, and joins the rows. WHY in
two halves: rows are ordered GitHub.com accounts first (`1..account_rows`), then people who
only have server accounts, so a page is at most one range of each kind, and each kind has a
cheaper read than the general `reads.ROW_JSON`:
- an account's row joins its five fragments (no CASE: every row in the range has an account);
- a server-only row's template is one constant, so nothing is joined, and the constant end of
  one row plus the start of the next is the separator that `group_concat` puts between them
  (written once per row by group_concat instead of copied through a chain of `||`).
Measured with callgrind on a 1,000,000-row enterprise: a server-only page 820,000 → 534,000
instructions, two fifths of serving the page. Both halves give exactly `reads.ROW_JSON`'s bytes
(tests/ghec/test_ghec_page_rows.py holds them to it on every window around the boundary).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from github_http.etag import etag_of
from github_http.pagination import Page, links
from github_http.storage import Database

from .reads import EnterpriseAccess, sql_text
from .rows import GHES_ONLY_TEMPLATE
from .schemas import page_body

if TYPE_CHECKING:
    from .page_cache import PageCache

#: GitHub's page sizes for consumed-licenses: 30 unless asked, at most 100.
DEFAULT_PER_PAGE, MAX_PER_PAGE = 30, 100

_G = GHES_ONLY_TEMPLATE
_HEAD, _TAIL = _G[0].encode("utf-8"), _G[4].encode("utf-8")

#: Account rows (rownum ≤ account_rows): fragments and slots, in rownum order (SQLite 3.40 has no
#: ORDER BY inside group_concat; the range is read through the primary key, license_rows outer).
_ACCOUNT_SQL = (
    "SELECT CAST(group_concat(row_json, ',') AS BLOB) FROM (SELECT a.row_t0 || r.server_user_ids || a.row_t1 || "
    "CASE WHEN r.server_user_ids = '[]' THEN 'false' ELSE 'true' END || a.row_t2 || r.server_emails || "
    "a.row_t3 || r.user_accounts || a.row_t4 AS row_json FROM license_rows r JOIN ghec_accounts a "
    "ON a.enterprise_id = r.enterprise_id AND a.id = r.account_id "
    "WHERE r.enterprise_id = ? AND r.rownum BETWEEN ? AND ? ORDER BY r.rownum)")

#: Server-only rows (rownum > account_rows), without their template's first and last piece: the
#: separator carries "last piece, comma, first piece" between rows; `page_json` adds the ends.
#: A server-only row always has server accounts, so its `enterprise_server_user` is constant true.
#: No subquery with ORDER BY (SQLite 3.40 has none inside group_concat): a range of one table's
#: primary key is read in key order, and the subquery cost a tenth of the read (callgrind:
#: 608,000 -> 534,000 instructions a page); the page tests would see any other order.
_SERVER_ONLY_SQL = (
    f"SELECT CAST(group_concat(server_user_ids || {sql_text(_G[1] + 'true' + _G[2])} || server_emails || "
    f"{sql_text(_G[3])} || user_accounts, {sql_text(_G[4] + ',' + _G[0])}) AS BLOB) "
    "FROM license_rows WHERE enterprise_id = ? AND rownum BETWEEN ? AND ?")


def page_json(db: Database, enterprise_id: int, account_rows: int, first: int, last: int) -> bytes:
    """Rows `first..last` (1-based, inclusive) as the inside of a JSON array, UTF-8 (b"" for none):
    at most one read of each kind of row, joined by SQLite."""
    parts = []
    if first <= account_rows:
        row = db.one(_ACCOUNT_SQL, (enterprise_id, first, min(last, account_rows)))
        if row and row[0]:
            parts.append(row[0])
    if last > account_rows:
        row = db.one(_SERVER_ONLY_SQL, (enterprise_id, max(first, account_rows + 1), last))
        if row and row[0]:
            parts.append(_HEAD + row[0] + _TAIL)
    return b",".join(parts)


def page_answer(db: Database, access: EnterpriseAccess, page: Page, link_prefix: str,
                cache: PageCache | None = None) -> tuple[bytes, str | None, str]:
    """(the JSON body, the `Link` header, the body's ETag) of one consumed-licenses page, for the
    Flask route and its hot path alike (`link_prefix`: the page's URL but for the page number);
    body and ETag come from `cache` when a request read them before under the same row stamp
    (page_cache.py)."""
    total, purchased = access.seats_consumed, access.seats_purchased
    first, last = page.offset + 1, page.offset + page.size

    def build() -> tuple[bytes, str]:
        """The page put together from its rows, and its ETag."""
        rows = page_json(db, access.id, access.account_rows, first, last) if first <= total else b""
        body = page_body(total, purchased, rows)
        return body, etag_of(body)

    if cache is not None and access.rows_stamp is not None and first <= total:
        body, etag = cache.page((access.id, access.rows_stamp, first, last, total, purchased), build)
    else:
        body, etag = build()
    return body, links(link_prefix, page, total), etag
