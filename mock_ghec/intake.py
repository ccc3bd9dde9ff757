"""Taking an export file (an upload or a Connect push) and the GitHub Connect registrations: the
part of the store (`Store` inherits it) that writes what GHES instances sent.

Every file taken is ONE transaction: the file is validated completely before the transaction
starts; inside it, that server's earlier contribution is replaced and every row of the
enterprise is recomputed, so a crash or a refusal leaves the state exactly as it was.
What a big file costs in memory is kept down on purpose: its bytes live only while they are
validated (`_validated`), the users are decoded in chunks (export_format/fastdecode.py), and
the kept lists are dropped once matching's tuples and the stored JSON exist (`_take`).
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import IO, Any

import msgspec

from export_format.gcpause import gc_paused
from export_format.schemas import FORMAT_ID
from export_format.validation import validate_compact
from github_http.clock import Clock, isoformat
from github_http.storage import Database

from . import reads
from .domain import FileTooLarge, InvalidUsage, NotJson, NotRegistered
from .file_rules import check_time, misdirected
from .privacy import envelope_paths, keep
from .recompute import recompute, write_cache
from .refused_bytes import best_effort_server_id, is_json
from .rows import server_accounts

__all__ = ["EVENT_NEVER_SYNCED", "EVENT_SYNCED", "EVENT_UPLOADED", "UsageIntake"]

EVENT_UPLOADED = "Server usage uploaded"
EVENT_SYNCED = "GitHub Connect server usage synced"
EVENT_NEVER_SYNCED = "GitHub Connect server usage never synced"


#: Kept users encoded (and written) at a time by `put_usage`.
USAGE_CHUNK = 50_000


def put_usage(conn: Any, ref: int, kept: list[list]) -> None:
    """Store a server's kept users as ONE compact JSON text (what `reads.kept_users` reads back).

    msgspec writes the same compact JSON as DUMPS (ids and validated ASCII addresses) in a
    fraction of the time. WHY in chunks through blob I/O, into a TEXT of the final length made
    first: for 1,000,000 users the text is 60 MB, and bound as one value it existed three times
    at once (Python's bytes, SQLite's copy of the bound value, kept until the statement is bound
    again, and its pages); chunk by chunk only the pages remain. Each chunk is encoded twice
    (once to know the length), which costs far less than the copies did.
    """
    encode = msgspec.json.encode
    starts = range(0, len(kept), USAGE_CHUNK)
    inner = sum(len(encode(kept[start:start + USAGE_CHUNK])) - 2 for start in starts)  # without [ ]
    size = 2 + inner + max(len(starts) - 1, 0)  # brackets and the commas between chunks
    conn.execute("INSERT OR REPLACE INTO ghes_usage VALUES (?, CAST(zeroblob(?) AS TEXT))", (ref, size))
    with conn.blobopen("ghes_usage", "users", ref) as blob:  # server_ref is the rowid
        blob.write(b"[")
        for n, start in enumerate(starts):
            blob.write(b"," if n else b"")
            blob.write(encode(kept[start:start + USAGE_CHUNK])[1:-1])
        blob.write(b"]")


class UsageIntake:
    """Server usage writes of the store (a mixin: `Store` sets these attributes)."""

    db: Database
    clock: Clock
    settings: dict[str, Any]
    _key: Any
    _before_commit: Callable[[], None]

    def private_key(self) -> Any:
        """The GHEC private key that opens encrypted exports (the test key unless configured)."""
        if self._key is None:
            from export_format.keys import load_private_key
            self._key = load_private_key(self.settings.get("GHEC_PRIVATE_KEY") or None)
        return self._key

    def ingest(self, enterprise_id: int, slug: str, body: bytes | IO[bytes], *, source: str,
               force: bool = False) -> dict[str, Any]:
        """Take an export file (upload or Connect push): validate fully, then replace that server's usage.

        `body` is the file's bytes, or a seekable binary file holding them (a request body spooled
        to disk: then the bytes exist only while they are validated, see `_validated`).
        Raises a UsageRefused of domain.py (nothing written) for a file that is too big, not JSON, or invalid;
        a Connect push additionally needs its server registered first. The garbage collector
        is paused for the whole call and the parsed document dies before it resumes (see gcpause).
        """
        limit = int(self.settings["MAX_UPLOAD_BYTES"])
        size = len(body) if isinstance(body, bytes) else body.seek(0, os.SEEK_END)
        if size > limit:
            raise FileTooLarge(f"the file is {size:,} bytes, over the {limit:,}-byte limit", limit)
        with gc_paused():
            return self._ingest(enterprise_id, slug, body, source, force)

    def _validated(self, body: bytes | IO[bytes]) -> tuple[Any, list[list], set[str]]:
        """(the document, the kept users, their field paths) of a valid file; else the refusal.

        WHY a function of its own: the file's bytes (104 MB for 1,000,000 users) are read here
        and die when it returns, before the rows are matched and written.
        """
        if isinstance(body, bytes):
            raw = body
        else:
            body.seek(0)
            raw = body.read()
        result, compact = validate_compact(raw, private_key=self.private_key())
        if not result.ok or result.document is None or not result.document.users_readable:
            problems = [{"path": p.path, "message": p.message} for p in result.problems] or [
                {"path": "$.users", "message": "the users could not be read"}]
            refusal = InvalidUsage if is_json(raw) else NotJson
            raise refusal(problems, best_effort_server_id(raw))
        doc = result.document
        # Kept per user: [id, primary, *secondaries], nothing else (see privacy.keep). The
        # accelerator hands them over already compact, with the paths its records held.
        kept, user_paths = keep(doc.users) if compact is None else (compact.users, compact.paths)
        # The parsed users die here, not when the request ends: for a 1,000,000-user file they
        # are most of the upload's memory, and what follows (matching, rows) can reuse it.
        doc.users.clear()
        return doc, kept, user_paths

    def _ingest(self, enterprise_id: int, slug: str, body: bytes | IO[bytes], source: str,
                force: bool) -> dict[str, Any]:
        """Validate, check the Connect registration, take the file; returns the upload summary."""
        # WHY first: a cold GitHub.com side (built once per scenario generation, then kept) leaves
        # about 100 MB of garbage behind while it is built; built before the file is read, that
        # memory is reused by the decoding instead of adding to the upload's peak.
        reads.cloud_side_of(self.db, enterprise_id)
        doc, kept, user_paths = self._validated(body)
        server_id, host = doc.instance["server_id"], doc.instance["host_name"]
        known = reads.server(self.db, enterprise_id, server_id)
        if source == "connect" and not (known and known["connect"]):
            raise NotRegistered(server_id)
        check_time(doc.generated_at, self.clock.now(), (known or {}).get("generated_at"), server_id,
                   force and source == "upload")
        warnings = misdirected(server_id, host, slug, reads.connect_enterprises(self.db, server_id, enterprise_id))
        received = len(kept)
        taken_at = self._take(enterprise_id, slug, doc, source, kept, user_paths)
        return {"server_id": server_id, "host_name": host, "users_received": received,
                "event": EVENT_UPLOADED if source == "upload" else EVENT_SYNCED,
                "uploaded_at": taken_at, "replaced_previous": bool(known and known["has_usage"]),
                "warnings": warnings}

    def _take(self, enterprise_id: int, slug: str, doc: Any, source: str, kept: list[list],
              user_paths: set[str]) -> str:
        """The one write transaction of an accepted file: server, kept users, ledger, every row; returns its time.

        `kept` is emptied once stored (the caller keeps no other use of it): WHY, for 1,000,000
        users its lists are about 90 MB, and once they are matching's tuples and the stored JSON
        they are not needed; their ids and addresses live on in the tuples.
        """
        server_id, host = doc.instance["server_id"], doc.instance["host_name"]
        users = len(kept)
        envelope = {"format": FORMAT_ID, "format_version": doc.format_version, "generated_at": doc.generated_at,
                    "instance": doc.instance, **({"encryption": doc.encryption} if doc.encrypted else {})}
        paths = sorted(envelope_paths(envelope) | user_paths)
        now = isoformat(self.clock.now())
        event = EVENT_UPLOADED if source == "upload" else EVENT_SYNCED
        with self.db.transaction() as conn, write_cache(conn, int(self.settings.get("WRITE_CACHE_MIB") or 0)):
            ref = self._upsert_server(conn, enterprise_id, server_id, host, doc.instance["version"])
            conn.execute("UPDATE ghes_servers SET has_usage = 1, users = ?, event = ?, event_at = ?, sync_at = ?, "
                         "sync_status = 'success', sync_error = '', generated_at = ? WHERE id = ?",
                         (users, event, now, now, doc.generated_at, ref))
            put_usage(conn, ref, kept)
            fresh = server_accounts(kept, server_id, host)
            kept.clear()
            conn.execute("INSERT INTO privacy_ledger (at, source, enterprise, server_id, encrypted, users, paths) "
                         "VALUES (?,?,?,?,?,?,?)", (now, source, slug, server_id, int(doc.encrypted), users,
                                                     json.dumps(paths)))
            recompute(self.db, conn, enterprise_id, fresh=(server_id, fresh))
            self._before_commit()
        return now

    def register_server(self, enterprise_id: int, server_id: str, host_name: str,
                        version: str) -> tuple[dict[str, Any], bool]:
        """GitHub Connect registration: list the instance ("never synced" until its first push).

        Returns (the instance, created). Re-registering keeps its usage and, once it has
        synced through Connect, its last event.
        """
        now = isoformat(self.clock.now())
        with self.db.transaction() as conn:
            known = reads.server(self.db, enterprise_id, server_id)
            ref = self._upsert_server(conn, enterprise_id, server_id, host_name, version, connect=True)
            if not known or known["event"] != EVENT_SYNCED:
                conn.execute("UPDATE ghes_servers SET event = ?, event_at = ? WHERE id = ?",
                             (EVENT_NEVER_SYNCED, now, ref))
        return reads.server(self.db, enterprise_id, server_id) or {}, known is None

    def record_failed_sync(self, enterprise_id: int, server_id: str | None, message: str) -> bool:
        """A refused Connect push: mark that registered server's last sync as an error, nothing else."""
        if not server_id:
            return False
        now = isoformat(self.clock.now())
        with self.db.transaction() as conn:
            cur = conn.execute("UPDATE ghes_servers SET sync_at = ?, sync_status = 'error', sync_error = ? "
                               "WHERE enterprise_id = ? AND server_id = ? AND connect = 1",
                               (now, message, enterprise_id, server_id))
        return cur.rowcount > 0

    def _upsert_server(self, conn: Any, enterprise_id: int, server_id: str, host: str, version: str,
                       connect: bool = False) -> int:
        """Insert or update a server's identity; returns its row id (joins the caller's transaction)."""
        now = isoformat(self.clock.now())
        conn.execute("INSERT INTO ghes_servers (enterprise_id, server_id, host_name, version, connect, event, "
                     "event_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (enterprise_id, server_id) DO UPDATE SET "
                     "host_name = excluded.host_name, version = excluded.version, "
                     "connect = MAX(connect, excluded.connect)",
                     (enterprise_id, server_id, host, version, int(connect), EVENT_NEVER_SYNCED, now))
        return conn.execute("SELECT id FROM ghes_servers WHERE enterprise_id = ? AND server_id = ?",
                            (enterprise_id, server_id)).fetchone()[0]
