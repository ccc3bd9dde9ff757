"""The primary rate limit's counters: a small file of fixed slots, one per token (or IP), shared by mmap.

WHY a file every worker maps, not SQLite: under gunicorn every worker must count against the
one budget a client has (a per-process counter would hand each worker its own 5,000), and the
count moves on every request. As an UPSERT in a side SQLite file it cost about 30 µs a request,
plus a WAL that grew a page per request and a checkpoint after each response; here it is one
flock(2), a few bytes read and written in shared memory and the unlock (about 2 µs).

Layout (`<stem>.ratelimit.slots` beside the state file): a header (magic, slot count, the
generation) and SLOTS slots of (key digest, generation, limit, used, reset). A key's slots are
the PROBE ones from its digest's home slot; a slot counts only in the current generation, so
`clear` (`/_mock/reset`) is one write. A new key takes the first free or ended window among
its slots; when all PROBE hold live windows (thousands of callers at once), the one nearest its
reset is given up, so that caller starts a new window: the one way this differs from a table.
Every change happens under an exclusive flock of the file (a read under a shared one), after
a lock between this process's threads; a forked child opens the file again (an inherited
descriptor would share its lock with the parent).
"""
from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import weakref
from dataclasses import dataclass

from .after_fork import forget_in_child
from .state_file import remove_with_wal, side_path
from .storage import Database

MAGIC = b"mockrl01"
SLOTS, PROBE = 8192, 32
_HEADER = struct.Struct("=8sQQ")  # magic, slots, generation
_SLOT = struct.Struct("=16sQqqq")  # key digest, generation, limit, used, reset
_SIZE = _HEADER.size + SLOTS * _SLOT.size
#: The largest count a slot holds (a budget set through `/_mock/rate-limit` stays below it).
MAX_COUNT = 1 << 62


@dataclass(frozen=True, slots=True)
class Window:
    """A budget as the `x-ratelimit-*` headers tell it; `used` may be `limit + 1`: refused."""

    limit: int
    used: int
    reset: int  # epoch second the window ends

    @property
    def allowed(self) -> bool:
        """Whether the request that counted this window was within the budget."""
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        """Requests left in this window."""
        return max(self.limit - self.used, 0)


class _Held:
    """`with`: the mapping under this process's lock and the file's flock (WHY a class: a
    generator-made context manager cost a tenth of counting a request)."""

    __slots__ = ("_mode", "_store")

    def __init__(self, store: RateLimitStore, mode: int) -> None:
        """Hold `store`'s file in `mode` (fcntl.LOCK_EX or LOCK_SH)."""
        self._store, self._mode = store, mode

    def __enter__(self) -> mmap.mmap:
        """Take both locks; the mapping."""
        store = self._store
        store._lock.acquire()
        try:
            fd, slots = store._opened()
            fcntl.flock(fd, self._mode)
        except BaseException:
            store._lock.release()
            raise
        return slots

    def __exit__(self, *exc: object) -> None:
        """Release both."""
        store = self._store
        try:
            if store._fd is not None:
                fcntl.flock(store._fd, fcntl.LOCK_UN)
        finally:
            store._lock.release()


class RateLimitStore:
    """Counts requests per key in windows of `window` seconds of the app clock."""

    def __init__(self, db: Database, window: int = 3600) -> None:
        """Keep the counters beside `db`'s file; nothing is opened until the first count."""
        self.path, self.window = db.path.with_name(f"{db.path.stem}.ratelimit.slots"), window
        remove_with_wal(side_path(db.path, "ratelimit"))  # where older versions counted (SQLite)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self._closer: weakref.finalize | None = None
        self._digests: dict[str, bytes] = {}
        self._exclusive, self._shared = _Held(self, fcntl.LOCK_EX), _Held(self, fcntl.LOCK_SH)
        forget_in_child(self)
        db.on_close(self.close)

    def after_fork_in_child(self) -> None:
        """Drop a forked parent's descriptor and mapping (closing the copy keeps the parent's lock)."""
        self._lock = threading.Lock()
        self.close()

    def _open(self) -> tuple[int, mmap.mmap]:
        """The descriptor and the mapping, opening (and on first use laying out) the file."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            header = os.pread(fd, _HEADER.size, 0)
            if os.fstat(fd).st_size != _SIZE or len(header) < _HEADER.size or _HEADER.unpack(header)[:2] != (
                    MAGIC, SLOTS):
                os.ftruncate(fd, 0)  # a new file (or another layout): every budget starts full
                os.ftruncate(fd, _SIZE)
                os.pwrite(fd, _HEADER.pack(MAGIC, SLOTS, 1), 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            self._map = mmap.mmap(fd, _SIZE)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        # WHY: a bare descriptor is not closed when its owner is collected (an app nobody closed
        # kept one per instance); the finalizer closes it then, or on close().
        self._closer = weakref.finalize(self, os.close, fd)
        return fd, self._map

    def _opened(self) -> tuple[int, mmap.mmap]:
        """The descriptor and the mapping (opened on first use)."""
        if self._fd is not None and self._map is not None:
            return self._fd, self._map
        return self._open()

    def _digest(self, key: str) -> bytes:
        """The key's 16-byte digest (kept: the same few keys come back on every request)."""
        found = self._digests.get(key)
        if found is None:
            if len(self._digests) >= SLOTS:
                self._digests.clear()
            found = self._digests[key] = hashlib.blake2b(key.encode(), digest_size=16).digest()
        return found

    @staticmethod
    def _find(slots: mmap.mmap, digest: bytes, now: int) -> tuple[int, tuple | None]:
        """(offset, the live slot's fields) of the key's slot, or (where a new one goes, None)."""
        generation = _HEADER.unpack_from(slots, 0)[2]
        home = int.from_bytes(digest[:8], "little") % SLOTS
        free, nearest = -1, (MAX_COUNT, 0)
        for step in range(PROBE):
            offset = _HEADER.size + ((home + step) % SLOTS) * _SLOT.size
            fields = _SLOT.unpack_from(slots, offset)
            if fields[1] != generation:
                if free < 0:
                    free = offset
                continue
            if fields[0] == digest:
                return offset, fields
            if fields[4] <= now and free < 0:
                free = offset  # an ended window: a new key may take the slot
            nearest = min(nearest, (fields[4], offset))
        return (free if free >= 0 else nearest[1]), None

    def _write(self, slots: mmap.mmap, offset: int, digest: bytes, limit: int, used: int, reset: int) -> None:
        """Store one slot in the current generation."""
        _SLOT.pack_into(slots, offset, digest, _HEADER.unpack_from(slots, 0)[2], limit, used, reset)

    def take(self, key: str, limit: int, now: int) -> Window:
        """Count one request for `key` (a new window when the last one ended); a refused one is
        not counted beyond `limit + 1`, so the budget is exactly full again at the reset."""
        digest = self._digest(key)
        with self._exclusive as slots:
            offset, fields = self._find(slots, digest, now)
            if fields is None or fields[4] <= now:
                limit, used, reset = limit, 1, now + self.window
            else:
                limit, used, reset = fields[2], min(fields[3] + 1, fields[2] + 1), fields[4]
            self._write(slots, offset, digest, limit, used, reset)
        return Window(limit, used, reset)

    def give_back(self, key: str) -> None:
        """Un-count one request (a 304, which GitHub does not count)."""
        digest = self._digest(key)
        with self._exclusive as slots:
            offset, fields = self._find(slots, digest, -MAX_COUNT)  # ended or not, as it stands
            if fields is not None:
                self._write(slots, offset, digest, fields[2], max(fields[3] - 1, 0), fields[4])

    def peek(self, key: str, limit: int, now: int) -> Window:
        """The window as it stands, without counting (`GET /rate_limit`)."""
        with self._shared as slots:
            _, fields = self._find(slots, self._digest(key), now)
        if fields is None or fields[4] <= now:
            return Window(limit, 0, now + self.window)
        return Window(fields[2], fields[3], fields[4])

    def set_remaining(self, key: str, limit: int, remaining: int, now: int, reset_in: int | None) -> Window:
        """Set a key's budget (the control plane): `remaining` left of `limit`, the window ending
        `reset_in` seconds from now (default: the current window's end, or a new full one)."""
        if not 0 < limit < MAX_COUNT or (reset_in is not None and not 0 < reset_in < MAX_COUNT):
            raise ValueError(f"the limit and reset_in are whole numbers below {MAX_COUNT}")
        digest = self._digest(key)
        with self._exclusive as slots:
            offset, fields = self._find(slots, digest, now)
            current = fields[4] if fields is not None and fields[4] > now else now + self.window
            reset = now + reset_in if reset_in is not None else current
            used = max(limit - remaining, 0)
            self._write(slots, offset, digest, limit, used, reset)
        return Window(limit, used, reset)

    def clear(self) -> None:
        """Every budget full again (`/_mock/reset`): a new generation, in which no slot counts."""
        with self._exclusive as slots:
            magic, count, generation = _HEADER.unpack_from(slots, 0)
            _HEADER.pack_into(slots, 0, magic, count, generation + 1)

    def close(self) -> None:
        """Unmap and close this process's descriptor (the file stays, with its counts)."""
        if self._map is not None:
            self._map.close()
        if self._closer is not None:
            self._closer()  # os.close, once
        self._map, self._fd, self._closer = None, None, None
