"""The one read `/_mock/explain` makes of the rows themselves (SQL stays in read modules, not in explain.py)."""
from __future__ import annotations

from github_http.storage import Database

from .reads import ROW_JSON, ROWS_FROM


def row_summaries(db: Database, enterprise_id: int) -> list[tuple[int, str, int, str]]:
    """Every (rownum, GitHub.com login, total user accounts, sources JSON) of an enterprise, in order.

    WHY not `reads.all_rows` and json.loads: explain needs two fields of each row, and decoding
    every whole row in Python was most of a large enterprise's explain; SQLite reads the login in C.
    """
    cur = db.connection().cursor()
    cur.row_factory = None  # plain tuples: a bulk read
    return cur.execute(f"SELECT r.rownum, json_extract({ROW_JSON}, '$.github_com_login'), r.user_accounts, "
                       f"r.sources FROM {ROWS_FROM} WHERE r.enterprise_id = ? ORDER BY r.rownum",
                       (enterprise_id,)).fetchall()
