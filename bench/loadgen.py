"""The fallback load generator when `wrk` is missing: several processes of plain http.client.

WHY processes: one Python client cannot keep two server workers busy (the GIL and its own
per-request cost); each process sends requests back to back, reconnecting whenever the
server closes the connection (gunicorn's sync workers close after every response), and
counts the 200s. It costs more CPU per request than wrk, which shares the same two cores
with the server, so its figures are lower; the table says which generator was used.
"""
from __future__ import annotations

import http.client
import multiprocessing
import random
import time


def _client(args: tuple[str, int, list[str], dict[str, str], float, float]) -> tuple[int, int]:
    """One client process: (200 responses, other responses) during the measured window."""
    host, port, paths, headers, warmup, duration = args
    pick = random.Random(port)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    ok = bad = 0
    start = time.perf_counter()
    measuring_from, stop_at = start + warmup, start + warmup + duration
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        try:
            conn.request("GET", pick.choice(paths), headers=headers)
            response = conn.getresponse()
            response.read()
            status, closing = response.status, response.will_close
        except (OSError, http.client.HTTPException):
            status, closing = 0, True
        if now >= measuring_from:
            if status == 200:
                ok += 1
            else:
                bad += 1
        if closing:
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.close()
    return ok, bad


def run(host: str, port: int, paths: list[str], headers: dict[str, str], *, processes: int = 2,
        warmup: float = 2.0, duration: float = 10.0) -> tuple[float, int]:
    """(requests/s of 200s, non-200 count) with `processes` clients hammering `paths`."""
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_client, [(host, port, paths, headers, warmup, duration)] * processes)
    return sum(r[0] for r in results) / duration, sum(r[1] for r in results)
