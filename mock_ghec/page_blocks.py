"""Pre-rendered consumed-licenses pages: every 100 rows of an enterprise, as the bytes of the page.

WHY: a `per_page=100` page (GitHub's largest, what a client paging through an enterprise asks
for) is then one read of one value instead of SQLite putting 100 rows together from their
slots (page_rows.py): under gunicorn a worker's CPU per request fell from about 0.96 to 0.78 ms.
Other page sizes, and any block not built yet, are put together from slots as before.

Rendering every block of a 1,000,000-row enterprise takes about 5 s, too long to add to the
upload it follows, so it happens after the upload's commit in a background thread (one per
process) and the page is put together from slots until then. Correctness never depends on
timing: each recompute stamps the enterprise's rows with a new random `stamp`
(`ghec_row_stamps`, in the same transaction as the rows); a block is written with the stamp
of the snapshot it was rendered from and used only while that stamp is the current one. So a
block rendered from rows since replaced, or written by a transaction that rolled back, is
never served. The blocks live in a side file (`<state>.pages.sqlite3`) so that writing them
never takes the main database's write lock or makes other workers drop their page cache.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterable

from github_http.fork_guard import ForkGuard
from github_http.storage import Database

from .page_rows import MAX_PER_PAGE, page_json
from .reads import EnterpriseAccess

log = logging.getLogger(__name__)

#: The side file's name: `<state stem>.pages.sqlite3`.
SIDE_NAME = "pages"
#: Rows per block: GitHub's largest page, so a per_page=100 page is exactly one block.
BLOCK_ROWS = MAX_PER_PAGE
#: Blocks written per side-file transaction (bounded memory: about 6.6 MB of pages).
WRITE_BATCH = 100
#: The render thread's nice value (Linux): background work yields the CPU to requests.
RENDER_NICE = 10

SCHEMA = """
CREATE TABLE IF NOT EXISTS page_blocks (
    enterprise_id INTEGER NOT NULL,
    block INTEGER NOT NULL,            -- rows block*100+1 .. block*100+100
    stamp TEXT NOT NULL,               -- ghec_row_stamps.stamp of the rows it was rendered from
    body BLOB NOT NULL,                -- page_rows.page_json of those rows
    PRIMARY KEY (enterprise_id, block)
);
"""

_STATE_SQL = ("SELECT s.stamp, e.seats_consumed, e.account_rows FROM ghec_enterprises e "
              "JOIN ghec_row_stamps s ON s.enterprise_id = e.id WHERE e.id = ?")


class PageBlocks:
    """The pre-rendered pages of one app's database, and the thread that renders them."""

    def __init__(self, db: Database, enabled: bool = True) -> None:
        """Open (creating) the side file; `enabled=False` never builds nor reads a block."""
        self.db, self.enabled = db, enabled
        self.side = db.side(SIDE_NAME, SCHEMA)
        self._lock = threading.Lock()
        self._wanted: set[int] = set()
        self._thread: threading.Thread | None = None
        self._stopping = False
        # Held by the thread around each SQLite call: a preforking gunicorn master may fork
        # while it renders, and a worker must not inherit SQLite mid-call.
        self._busy = ForkGuard(in_child=self._forget_thread)
        db.on_close(self.stop)

    def body(self, access: EnterpriseAccess, first: int, last: int) -> bytes | None:
        """The rows `first..last` as page_json gives them, when they are exactly one current block."""
        if not self.enabled or access.rows_stamp is None or (first - 1) % BLOCK_ROWS or last - first != BLOCK_ROWS - 1:
            return None
        row = self.side.one("SELECT body FROM page_blocks WHERE enterprise_id = ? AND block = ? AND stamp = ?",
                            (access.id, (first - 1) // BLOCK_ROWS, access.rows_stamp))
        return row[0] if row else None

    def refresh(self, enterprise_ids: Iterable[int]) -> None:
        """Render these enterprises' blocks in the background (after their rows were committed),
        starting once the request that asked is over: measured, a render started at the commit of
        a 1,000,000-user upload delayed its 201 by about 3 s (it competed with the journal's write
        of the file)."""
        if not self.enabled:
            return
        with self._lock:
            self._wanted.update(enterprise_ids)
        self.db.after_moment(self._start)

    def _start(self) -> None:
        """Start the render thread if there is work and none runs."""
        with self._lock:
            if self._wanted and not self._stopping and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._run, name="page-blocks", daemon=True)
                self._thread.start()

    def refresh_stale(self) -> None:
        """Start rendering every enterprise whose current blocks are not all there (at app start:
        a state kept from before, or a render cut short by a restart)."""
        if self.enabled:
            self.refresh([eid for eid, ready, total in self.status() if ready < total])

    def stop(self) -> None:
        """Drop queued renders, let the running one stop after its current block, and wait for it
        (before the database's connections close under it)."""
        with self._lock:
            self._wanted.clear()
            self._stopping = True
            thread = self._thread
        if thread is not None:
            thread.join()
        with self._lock:
            self._stopping = False

    def _forget_thread(self) -> None:
        """In a forked child: the parent's render goes on in the parent; the child has none."""
        self._wanted.clear()
        self._thread = None

    def busy(self) -> bool:
        """Whether this process is rendering or has renders queued."""
        with self._lock:
            return bool(self._wanted) or (self._thread is not None and self._thread.is_alive())

    def wait(self, timeout: float | None = None) -> bool:
        """Until this process has nothing left to render (the bench, tests); False if `timeout` passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return True
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                return False

    def status(self) -> list[tuple[int, int, int]]:
        """(enterprise id, current blocks present, blocks it needs) for every enterprise."""
        out = []
        for eid, stamp, total in self.db.query("SELECT e.id, s.stamp, e.seats_consumed FROM ghec_enterprises e "
                                               "LEFT JOIN ghec_row_stamps s ON s.enterprise_id = e.id ORDER BY e.id"):
            ready = self.side.query("SELECT count(*) FROM page_blocks WHERE enterprise_id = ? AND stamp = ?",
                                    (eid, stamp or ""))[0][0] if stamp else 0
            out.append((eid, ready, -(-total // BLOCK_ROWS)))
        return out

    def _run(self) -> None:
        """Render queued enterprises until none is left, then drop the blocks of enterprises gone.
        On Linux the thread runs niced (a thread is a task there): requests come first."""
        if sys.platform.startswith("linux"):
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), RENDER_NICE)
            except OSError:
                pass
        while True:
            with self._lock:
                if self._stopping:
                    self._thread = None
                    return
                enterprise_id = self._wanted.pop() if self._wanted else None
            try:
                if enterprise_id is None:
                    self._purge()
                else:
                    self.build(enterprise_id)
            except Exception:
                log.exception("rendering the consumed-licenses pages of enterprise %s failed", enterprise_id)
            if enterprise_id is None:
                with self._lock:
                    if not self._wanted:
                        self._thread = None
                        return

    def _purge(self) -> None:
        """Delete the blocks of enterprises that no longer exist (a scenario switch changes them)."""
        with self._busy:
            ids = [row[0] for row in self.db.query("SELECT id FROM ghec_enterprises")]
            marks = ",".join("?" * len(ids)) or "NULL"
            self.side.execute(f"DELETE FROM page_blocks WHERE enterprise_id NOT IN ({marks})", ids)

    def build(self, enterprise_id: int) -> int:
        """Render the enterprise's missing current blocks from one consistent read; returns how many."""
        conn = self.db.connection()
        with self._busy:
            conn.execute("BEGIN")  # one read snapshot: the stamp and the rows it names
        try:
            with self._busy:
                state = conn.execute(_STATE_SQL, (enterprise_id,)).fetchone()
                if state is None:
                    return 0
                stamp, total, account_rows = state
                done = {b for (b,) in self.side.query("SELECT block FROM page_blocks WHERE enterprise_id = ? AND "
                                                      "stamp = ?", (enterprise_id, stamp))}
            blocks = -(-total // BLOCK_ROWS)
            batch: list[tuple[int, int, str, bytes]] = []
            written = 0
            for block in range(blocks):
                if self._stopping:
                    return written
                if block in done:
                    continue
                first = block * BLOCK_ROWS + 1
                with self._busy:
                    body = page_json(self.db, enterprise_id, account_rows, first, first + BLOCK_ROWS - 1)
                batch.append((enterprise_id, block, stamp, body))
                if len(batch) >= WRITE_BATCH:
                    written += self._write(batch)
                    batch = []
            written += self._write(batch)
        finally:
            with self._busy:
                conn.execute("COMMIT")
        with self._busy:
            current = self.db.one(_STATE_SQL, (enterprise_id,))
            if current is not None and current[0] == stamp:  # blocks past the end are of older rows: garbage
                self.side.execute("DELETE FROM page_blocks WHERE enterprise_id = ? AND block >= ?",
                                  (enterprise_id, blocks))
        return written

    def _write(self, batch: list[tuple[int, int, str, bytes]]) -> int:
        """One side-file transaction of rendered blocks."""
        if batch:
            with self._busy, self.side.transaction() as conn:
                conn.executemany("INSERT OR REPLACE INTO page_blocks VALUES (?,?,?,?)", batch)
        return len(batch)
