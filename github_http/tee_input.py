"""The request body as the journal sees it: wsgi.input teed into a bounded copy.

WHY its own module: the copy is spooled (to a temporary file past TEE_IN_MEMORY bytes), which
is more than the request wrapper (wire.py) should carry inline.
"""
from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import Any

__all__ = ["TEE_IN_MEMORY", "TeeInput"]

#: Bytes of a request body the journal's copy keeps in memory before it spills to a temporary file.
TEE_IN_MEMORY = 1 << 20


class TeeInput(io.RawIOBase):
    """wsgi.input that keeps a bounded copy of everything read through it.

    WHY the copy is spooled (to a temporary file past TEE_IN_MEMORY bytes): a 104 MB upload kept
    64 MiB of itself in memory for the whole request; the journal reads it back after the answer.
    """

    def __init__(self, stream: Any, limit: int, length: int | None) -> None:
        """Wrap the original stream; keep at most `limit` bytes of the `length` announced."""
        self._stream, self._limit, self._length = stream, limit, length
        self._spool: Any = None  # made on the first byte kept (WHY: most requests have no body)
        self.kept, self.truncated, self.consumed, self._discarded = 0, False, 0, False

    def _keep(self, data: bytes) -> bytes:
        """Remember what passed through."""
        self.consumed += len(data)
        room = self._limit - self.kept
        if len(data) > room:
            self.truncated = True
        if room > 0 and data and not self._discarded:  # a read after the request (discarded) keeps nothing
            part = data[:room] if len(data) > room else data
            if self._spool is None:
                self._spool = tempfile.SpooledTemporaryFile(max_size=TEE_IN_MEMORY)  # noqa: SIM115 (see discard)
            self._spool.write(part)
            self.kept += len(part)
        return data

    def copy(self) -> bytes:
        """The bytes kept so far."""
        if self._spool is None:
            return b""
        self._spool.seek(0)
        data = self._spool.read()
        self._spool.seek(0, io.SEEK_END)
        return data

    def chunks(self, size: int) -> Iterator[bytes]:
        """The bytes kept, from the start, at most `size` at a time (the journal streams a big
        body into its row this way: never one copy of up to 64 MiB)."""
        if self._spool is None:
            return
        self._spool.seek(0)
        while chunk := self._spool.read(size):
            yield chunk
        self._spool.seek(0, io.SEEK_END)

    def discard(self) -> None:
        """Drop the copy (its temporary file, if it has one)."""
        self._discarded = True
        if self._spool is not None:
            self._spool.close()

    def read(self, size: int | None = -1) -> bytes:
        """Read like the wrapped stream, never past the announced Content-Length."""
        if self._length is not None:
            left = self._length - self.consumed
            size = left if size is None or size < 0 else min(size, left)
            if size <= 0:
                return b""
        return self._keep(self._stream.read(size) if size not in (None, -1) else self._stream.read())

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` through `read`: Werkzeug reads request bodies with readinto when it exists,
        and RawIOBase's inherited one only raises NotImplementedError."""
        data = self.read(len(buffer))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        """Line reads (multipart parsing) pass through the same copy (None: the whole line, as io's)."""
        size = -1 if size is None else size
        if self._length is not None:
            left = self._length - self.consumed
            size = left if size < 0 else min(size, left)
            if size <= 0:
                return b""
        return self._keep(self._stream.readline(size))

    def readable(self) -> bool:
        """A readable stream, for io wrappers."""
        return True

    def drain(self) -> None:
        """Read what the app left unread, so the journal holds the whole body that arrived."""
        if self._length is None:
            return
        while self.consumed < self._length:
            if not self.read(min(1 << 20, self._length - self.consumed)):
                break
