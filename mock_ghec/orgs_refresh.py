"""After a change through GitHub's endpoints: judge the touched accounts again and rebuild the rows.

Part of the store (inside the caller's transaction): each touched account's §7 facts are read
back from the organization tables and judged, its row template rendered again from what it now
is (roles, pending invitations, Visual Studio link: `derive.derive`, the loader's and the
restore's code path too), and the enterprise's rows are recomputed in the same transaction, so
the answer to the request that changed something already counts it.
"""
from __future__ import annotations

import uuid
from typing import Any

from . import reads
from .derive import derive
from .recompute import recompute


def refresh(db: Any, conn: Any, enterprise_id: int, account_ids: set[int] | None,
            renumber: bool = False) -> None:
    """Judge `account_ids` (None: every account) again, render their rows, and recompute the enterprise's
    rows (one transaction); recompute's new row stamp is what keeps a cached page of the old rows from being served."""
    derive(conn, enterprise_id, account_ids, renumber=renumber)
    db.set_kv(reads.GENERATION_KEY, uuid.uuid4().hex)  # the cached match index is stale now,
    conn.execute("DELETE FROM ghec_cloud_index WHERE enterprise_id = ?", (enterprise_id,))  # the kept one too
    recompute(db, conn, enterprise_id)
