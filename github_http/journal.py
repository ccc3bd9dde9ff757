"""The request journal: what each request carried and got back, bounded, queryable.

Raw request bodies are kept (up to a per-entry cap) because the sync client's privacy proof
scans exactly what arrived, not what a parser chose to keep.

Where an entry goes: one with no body to keep (a successful read: nearly every request) is a
line appended to `<state>.requests.log` (see append_log.py for why); one with a body goes
straight into the table, after the lines before it; one with a big request body is written
once its answer has gone (`later`, journal_later.py). Every read of the journal first writes
those and moves the lines into the table, so a reader sees every request answered before it
asked, in order.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import msgspec

from .append_log import AppendLog
from .journal_later import LaterWrites
from .storage import Database

DEFAULT_MAX_ENTRIES = 1000
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
#: Request body bytes the whole journal keeps (JOURNAL_MAX_TOTAL_BODY_BYTES). WHY a bound of its
#: own: 1,000 entries of up to 64 MiB each could otherwise fill 64 GB of disk.
DEFAULT_MAX_TOTAL_BODY_BYTES = 256 * 1024 * 1024
#: `body_truncated` of an entry whose request body was dropped to hold the total bound (0: whole,
#: 1: cut at the per-entry cap). WHY in that column: one more state of "not all of the body is
#: here", so a journal file of an earlier version needs no new column.
BODY_DROPPED = 2
_REDACTED = ("authorization", "cookie", "x-mock-control-key")
#: A process moves the log into the table after this many of its own appends, so the file stays
#: small (about 250 bytes a line) even when nobody reads the journal during a long load.
DRAIN_EVERY = 2000
_COLUMNS = ("at", "method", "path", "query", "status", "duration_ms", "remote_addr", "request_headers",
            "request_body", "body_truncated", "response_body", "fault_id")
_INSERT = f"INSERT INTO mock_journal({', '.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})"
#: The same with the request body made as `zeroblob(?)` of its length, then written through blob I/O.
#: WHY for a big body: SQLite keeps its own copy of a bound value until the cached statement is
#: bound again, so a 64 MiB upload body stayed copied in this process until the next body came.
_INSERT_SIZED = (f"INSERT INTO mock_journal({', '.join(_COLUMNS)}) VALUES "
                 f"({','.join('zeroblob(?)' if c == 'request_body' else '?' for c in _COLUMNS)})")
#: Bodies from this size on are written through blob I/O, BLOB_CHUNK bytes at a time.
BLOB_IO_AT, BLOB_CHUNK = 1 << 20, 1 << 20
#: WHY msgspec for the log's lines: a line is written on every request, and json.dumps (a new C
#: encoder each call) cost about five times as much; both read back as the same values.
_ENCODE, _DECODE = msgspec.json.Encoder().encode, msgspec.json.Decoder().decode


def _json(value: Any) -> bytes:
    """`value` as compact JSON (json's own for what msgspec refuses: a string with a lone surrogate)."""
    try:
        return _ENCODE(value)
    except (msgspec.EncodeError, UnicodeEncodeError, TypeError):
        return json.dumps(value).encode("utf-8")

#: WHY no AUTOINCREMENT and no index: an entry with a body is written in its own commit, and
#: AUTOINCREMENT's sqlite_sequence update plus a path index were a third of that commit's cost
#: (measured: 81 -> 47 µs a row); the table holds ~1000 rows, which a scan reads in microseconds.
#: Ids are dense and only grow while entries exist (trimming drops the oldest, so `_trim` can
#: cut by id); `clear` restarts them.
SCHEMA = """
CREATE TABLE IF NOT EXISTS mock_journal (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL,
    status INTEGER NOT NULL, duration_ms REAL NOT NULL, remote_addr TEXT,
    request_headers TEXT NOT NULL, request_body BLOB, body_truncated INTEGER NOT NULL DEFAULT 0,
    response_body BLOB, fault_id INTEGER
);
"""


class BodySource(Protocol):
    """A kept request body read back in chunks (tee_input.TeeInput), instead of as one bytes."""

    kept: int

    def chunks(self, size: int) -> Iterator[bytes]:
        """The body's bytes from the start, at most `size` at a time."""
        ...


def _insert_entry(conn: Any, row: list[Any]) -> None:
    """Insert one entry with its bodies (a big request body through blob I/O: see _INSERT_SIZED).
    The request body is bytes, or a BodySource streamed into the row (never one 64 MiB copy)."""
    body = row[8]
    if isinstance(body, bytes):
        if len(body) < BLOB_IO_AT:
            conn.execute(_INSERT, row)
            return
        view = memoryview(body)
        size, chunks = len(body), (view[start:start + BLOB_CHUNK] for start in range(0, len(view), BLOB_CHUNK))
    else:
        size, chunks = body.kept, body.chunks(BLOB_CHUNK)
    rowid = conn.execute(_INSERT_SIZED, [*row[:8], size, *row[9:]]).lastrowid
    with conn.blobopen("mock_journal", "request_body", rowid) as blob:
        for chunk in chunks:
            blob.write(chunk)


class Journal:
    """Recorded requests of one app (excluding the control plane itself)."""

    def __init__(self, db: Database, max_entries: int = DEFAULT_MAX_ENTRIES,
                 max_total_body_bytes: int = DEFAULT_MAX_TOTAL_BODY_BYTES) -> None:
        """Keep the journal in a side file of the app's database (`<state>.requests.sqlite3`, see
        `Database.side` for why); `max_entries` bounds the table, the oldest entries go first;
        past `max_total_body_bytes` of request bodies, the oldest entries' bodies are dropped."""
        self.max_total_body_bytes = max_total_body_bytes
        self._db = db.side("requests", SCHEMA)
        self._log = AppendLog(self._db.path.with_suffix(".log"))
        self._db.on_close(self._log.close)
        self._appended = 0
        self.max_entries = max_entries
        self._later = LaterWrites(self._db.path.with_suffix(".busy"))

    def later(self, entry: dict[str, Any], done: Callable[[], None]) -> None:
        """Record `entry` once `flush` runs (wire.py: when the answer has been sent), then call
        `done`; until then every read of the journal, in any process, waits for it (journal_later.py).
        Its `request_body` may be a BodySource, read when the entry is written."""
        self._later.add(lambda: self._record(entry), done)

    def flush(self) -> None:
        """Write the entries `later` queued in this process (a no-op when there are none)."""
        self._later.flush()

    def record(self, entry: dict[str, Any]) -> None:
        """Record one entry now, after any `later` ones (so ids keep the order requests were answered in)."""
        self._later.flush()
        self._record(entry)

    def _record(self, entry: dict[str, Any]) -> None:
        """One entry: a line in the log, or (with a body to keep) a row after the log's lines."""
        headers = {k: ("[redacted]" if k.lower() in _REDACTED else v)
                   for k, v in entry["request_headers"].items()}
        row = [entry["at"], entry["method"], entry["path"], entry["query"], entry["status"],
               entry["duration_ms"], entry.get("remote_addr"), headers,
               entry.get("request_body") or b"", int(entry.get("body_truncated", False)),
               entry.get("response_body"), entry.get("fault_id")]
        if not row[8] and row[10] is None:
            row[8] = None  # JSON has no bytes; `_ingest` puts the empty body back
            self._log.append(_json(row))
            self._appended += 1
            if self._appended % DRAIN_EVERY == 0:
                self._drain()
            return
        row[7] = _json(headers).decode("utf-8")
        with self._log.drained(self.max_entries) as lines, self._db.transaction() as conn:
            self._ingest(conn, lines)
            _insert_entry(conn, row)
            self._trim(conn)
            if row[8]:
                self._hold_total(conn)

    def _drain(self) -> None:
        """Move every line of the log into the table (one transaction), keeping the bound."""
        with self._log.drained(self.max_entries) as lines, self._db.transaction() as conn:
            self._ingest(conn, lines)
            self._trim(conn)

    def _ingest(self, conn: Any, lines: list[bytes]) -> None:
        """Insert the log's lines, oldest first; only the newest `max_entries` can survive the trim,
        so only those are written. A line torn by a crash is skipped."""
        rows = []
        for line in lines[-self.max_entries:]:
            try:
                row = _DECODE(line)
            except (msgspec.DecodeError, UnicodeDecodeError):
                continue
            if not isinstance(row, list) or len(row) != len(_COLUMNS):
                continue  # torn lines that happen to join into other JSON
            row[7], row[8] = _json(row[7]).decode("utf-8"), b""  # the headers as the table keeps them; no body
            rows.append(row)
        conn.executemany(_INSERT, rows)

    def query(self, *, method: str | None = None, path: str | None = None, status: int | None = None,
              since: str | None = None, until: str | None = None, limit: int = 100,
              bodies: bool = False) -> list[dict[str, Any]]:
        """Entries matching every given filter, newest last; `path` is a glob (`*`, `?`),
        case-sensitive as paths are."""
        where: list[str] = ["1 = 1"]
        params: list[str | int] = []
        if method:
            where.append("method = ?")
            params.append(method.upper())
        if path:
            where.append("path GLOB ?")
            params.append(path)  # the same glob as fault rules, not LIKE's _ and case folding
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("at <= ?")
            params.append(until)
        self._later.settle()  # every request answered so far, in any process, is written...
        self._drain()  # ...and in the table, trimmed
        rows = self._db.query(
            f"SELECT * FROM (SELECT * FROM mock_journal WHERE {' AND '.join(where)} "
            "ORDER BY id DESC LIMIT ?) ORDER BY id", (*params, limit))
        return [self._entry(row, bodies) for row in rows]

    def clear(self) -> None:
        """Forget every entry, those still in the log too (an empty table is not written: every
        reset clears the journal, and most tests leave nothing but log lines in it)."""
        self._later.settle()  # an answered request's entry must not come back after the clear
        with self._log.drained():
            if self._db.one("SELECT 1 FROM mock_journal LIMIT 1") is not None:
                self._db.execute("DELETE FROM mock_journal")

    def _trim(self, conn: Any) -> None:
        """Hold the bound: the oldest entries go first."""
        conn.execute("DELETE FROM mock_journal WHERE id <= (SELECT max(id) FROM mock_journal) - ?",
                     (self.max_entries,))

    def _hold_total(self, conn: Any) -> None:
        """Hold the total bound of request bodies: drop the oldest entries' bodies (the entries stay,
        with `body_dropped`) until the rest fit; the newest entry's body goes only if it alone is over.
        WHY this cheap: `length()` of a blob reads its size, never its pages."""
        sizes = conn.execute("SELECT id, length(request_body) FROM mock_journal "
                             "WHERE length(request_body) > 0 ORDER BY id").fetchall()
        over = sum(size for _, size in sizes) - self.max_total_body_bytes
        dropped = []
        for entry_id, size in sizes:
            if over <= 0:
                break
            dropped.append((BODY_DROPPED, entry_id))
            over -= size
        conn.executemany("UPDATE mock_journal SET request_body = x'', body_truncated = ? WHERE id = ?", dropped)

    @staticmethod
    def _entry(row: Any, bodies: bool) -> dict[str, Any]:
        """One row as JSON: bodies as UTF-8 text where they are, base64 otherwise."""
        entry = {k: row[k] for k in ("id", "at", "method", "path", "query", "status",
                                     "duration_ms", "remote_addr", "fault_id")}
        entry["request_headers"] = json.loads(row["request_headers"])
        entry["body_truncated"] = bool(row["body_truncated"])
        entry["body_dropped"] = row["body_truncated"] == BODY_DROPPED
        entry["request_body_bytes"] = len(row["request_body"] or b"")
        if bodies:
            for key in ("request_body", "response_body"):
                raw = row[key]
                if raw is None:  # a successful read's answer is not kept (see wire.py)
                    entry[key] = None
                    continue
                try:
                    entry[key] = raw.decode("utf-8")
                except UnicodeDecodeError:
                    entry[key + "_base64"] = base64.b64encode(raw).decode("ascii")
        return entry
