"""Consumed-licenses pages kept in memory once put together: per process, bounded, never stale.

WHY: a page read again (a client paging through an enterprise once more, a load test walking
the same pages) is then one dictionary lookup instead of SQLite putting 100 rows together from
their slots (page_rows.py). The whole body is kept with its ETag (github_http/etag.py), so a
page served again is neither copied into its envelope nor checksummed again (measured: a CRC-32
of an 84 KB page was about a tenth of serving it). It replaces pre-rendered page blocks, which needed a background
render thread, a side database as large as the state (about 670 MB beside 1,000,000 rows,
never vacuumed), fork guards and a status route to wait for: measured in the same bench run,
this cache holds the throughput figure (see docs/ghec.md, Performance design).

Correctness never depends on timing: each recompute gives the enterprise's rows a new random
`stamp` (`ghec_row_stamps`, in the same transaction as the rows), and a page is kept under the
stamp of the rows it was read from (`EnterpriseAccess.rows_stamp`), with the totals its body
states (the seats consumed and purchased). A page of rows since replaced is under a stamp
nobody reads any more, so it is never served; it ages out. The
bound is in bytes (`PAGE_CACHE_MIB`, per worker process); the least recently used page goes
first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

#: What a page is kept under: (enterprise id, its rows' stamp, first row, last row, seats
#: consumed, seats purchased): everything its body is made of.
PageKey = tuple[int, str, int, int, int, int]
#: A page as served: (the JSON body, its ETag).
KeptPage = tuple[bytes, str]


class PageCache:
    """Pages already served (body and ETag), least recently used out first."""

    def __init__(self, limit_bytes: int) -> None:
        """Keep at most `limit_bytes` of pages; 0 keeps none (every page is put together afresh)."""
        self.limit_bytes = max(0, limit_bytes)
        self._pages: OrderedDict[PageKey, KeptPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # a threaded server may serve two pages at once

    @property
    def enabled(self) -> bool:
        """Whether pages are kept at all."""
        return self.limit_bytes > 0

    def page(self, key: PageKey, build: Callable[[], KeptPage]) -> KeptPage:
        """The page: the kept one, or `build()`'s (then kept, if it fits the bound)."""
        if not self.enabled:
            return build()
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
                return found
        page = build()  # outside the lock: two threads may build the same page once each
        if len(page[0]) <= self.limit_bytes:
            with self._lock:
                if key not in self._pages:
                    self._pages[key] = page
                    self._bytes += len(page[0])
                while self._bytes > self.limit_bytes:
                    _, (dropped, _) = self._pages.popitem(last=False)
                    self._bytes -= len(dropped)
        return page

    def size(self) -> tuple[int, int]:
        """(pages kept, their bytes): what the cache holds now."""
        with self._lock:
            return len(self._pages), self._bytes

    def clear(self) -> None:
        """Forget every page (tests; a state replaced under the process)."""
        with self._lock:
            self._pages.clear()
            self._bytes = 0
