"""Figures on a real `mock-ghec serve` process: the 1,000,000-user upload and page latency.

WHY a separate process: the server's peak memory (VmHWM in /proc) must be its own, not the
bench's, and the upload must cross a real socket as a 110 MB request body does.

The upload (timed twice, each on a fresh copy and process) is judged best against best with its
floor (bench/floor.py: msgspec decoding the same file plus one SQLite row per user), measured in
this process once before and once after the uploads, so a busy machine slows both alike.

Page latency is one keep-alive client asking for `per_page=100` pages spread over the whole
range (seeded), timed from request to last byte; p50 at about 1,000,000 rows is compared with
p50 on a GHEC holding about 10,000 rows, served and measured the same way. Nothing runs in the
background after the upload (pages are kept in memory as they are served: mock_ghec/page_cache.py).
"""
from __future__ import annotations

import http.client
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import requests

from .floor import measure_floor
from .report import Figure
from .timing import PYTHON, Stats, free_port, load_average, peak_rss_mb, start, stop, wait_http
from .workloads import SMALL_USERS, copy_state, remove_state

UPLOAD_TARGET_S, FLOOR_RATIO, RSS_TARGET_MB = 8.0, 2.5, 600.0  # issue #21
P50_TARGET_MS, P50_RATIO = 5.0, 1.5
#: Timed uploads of the 1,000,000-user file (see run).
UPLOADS = 2
PAGE_REQUESTS, WARMUP = 400, 50


def serve(state: Path, log: Path, *extra: str) -> tuple[Any, str]:
    """Start `mock-ghec serve` on a free port over `state`; returns (process, base URL)."""
    port = free_port()
    proc = start([PYTHON, "-m", "mock_ghec.cli", "serve", "--port", str(port), "--state", str(state), *extra],
                 log=log)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/_mock/", timeout=180, proc=proc)
    return proc, base


def main_enterprise(base: str) -> tuple[str, str, int]:
    """(slug, owner token, enterprise id) from the control plane."""
    main = requests.get(base + "/_mock/scenario", timeout=30).json()["enterprises"][0]
    return main["slug"], main["tokens"]["owner"], main["id"]


def upload(base: str, slug: str, token: str, raw: bytes) -> float:
    """POST an export file over HTTP; returns the seconds until the 201 arrived."""
    started = time.perf_counter()
    response = requests.post(f"{base}/enterprises/{slug}/server-usage", data=raw, timeout=600,
                             headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"upload refused: {response.status_code} {response.text[:500]}")
    return elapsed


def page_latencies(base: str, slug: str, token: str) -> tuple[Stats, int]:
    """Per-request seconds of PAGE_REQUESTS random pages from one keep-alive client; and the row count."""
    host, port = base.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Authorization": f"token {token}", "Accept": "application/vnd.github+json"}

    def get(page: int) -> bytes:
        """One page, fully read."""
        conn.request("GET", f"/enterprises/{slug}/consumed-licenses?per_page=100&page={page}", headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"page {page}: {response.status} {body[:300]!r}")
        return body

    total = json.loads(get(1))["total_seats_consumed"]
    last = max(1, -(-total // 100))
    pick = random.Random(7)
    samples = []
    for n in range(WARMUP + PAGE_REQUESTS):
        page = pick.randint(1, last)
        started = time.perf_counter()
        get(page)
        if n >= WARMUP:
            samples.append(time.perf_counter() - started)
    conn.close()
    return Stats(tuple(samples)), total


def p(stats: Stats, q: float) -> float:
    """The q-quantile of the samples (nearest rank)."""
    ordered = sorted(stats.samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def upload_once(pristine: Path, state: Path, million: bytes) -> tuple[float, float, float, Any, str]:
    """A fresh copy of `pristine`, served, given the 1M file: (seconds, peak MiB, MiB before, process, base)."""
    copy_state(pristine, state)
    proc, base = serve(state, state.with_suffix(".log"))
    try:
        slug, token, _ = main_enterprise(base)
        before = peak_rss_mb(proc.pid)
        seconds = upload(base, slug, token, million)
        return seconds, peak_rss_mb(proc.pid), before, proc, base
    except BaseException:
        stop(proc)
        raise


def run(pristine: Path, workdir: Path, million: bytes, small: bytes) -> tuple[list[Figure], Path, tuple]:
    """1M upload + p50 at ~1M rows on the world's state, then p50 on a demo GHEC with ~10k rows.

    The upload is timed UPLOADS times, each on a fresh copy served by a fresh process, and
    judged best against best: the floor is the best of its rounds (one before the uploads, one
    after), so one upload slowed by the shared machine must not decide the ratio alone. Peak
    memory is the highest of the servers'. Returns the figures, the 1M-row state file and
    (slug, owner token, rows) for the throughput figure, which serves that state.
    """
    state = workdir / "ghec-million.sqlite3"
    os.sync()  # the seeding's (or an earlier run's) writes are on disk before anything is timed
    floor_before = measure_floor(million, workdir, rounds=1).best
    load = load_average()
    times, peaks = [], []
    for n in range(UPLOADS):
        seconds, peak, before, proc, base = upload_once(pristine, state, million)
        times.append(seconds)
        peaks.append(peak)
        if n < UPLOADS - 1:
            stop(proc)
    try:
        slug, token, _ = main_enterprise(base)
        big, big_rows = page_latencies(base, slug, token)
        slug_big, token_big = slug, token
    finally:
        stop(proc)
    # WHY after the server stopped and the disk caught up: once its answer is sent, the server copies
    # the upload's WAL (about 300 MB) back into the state file, and a floor measured meanwhile
    # shared the machine with that (measured: 1.9 s alone, 2.6 s beside it).
    os.sync()
    floor = Stats((floor_before, measure_floor(million, workdir, rounds=1).best))
    uploads = Stats(tuple(times))
    seconds, peak = uploads.best, max(peaks)
    over = seconds / floor.best
    small_state = workdir / "ghec-small.sqlite3"
    remove_state(small_state)  # seeded anew by --scenario, with no earlier run's journal or rate limits
    proc, base = serve(small_state, workdir / "ghec-small.log", "--scenario", "demo", "--seed", "1")
    try:
        slug, token, _ = main_enterprise(base)
        upload(base, slug, token, small)
        little, little_rows = page_latencies(base, slug, token)
    finally:
        stop(proc)
    p50_big, p50_small = big.median, little.median
    ratio = p50_big / p50_small
    figures = [
        Figure("upload → validate → match 1,000,000 users (GHEC server)",
               f"≤ {UPLOAD_TARGET_S:g} s and ≤ {FLOOR_RATIO:g}× the floor", seconds, "s",
               seconds <= UPLOAD_TARGET_S and over <= FLOOR_RATIO,
               f"over HTTP to `mock-ghec serve` (journal on), {len(million) / 1e6:.0f} MB file, {uploads.describe()} "
               f"(each on a fresh copy and process), {big_rows:,} rows after; load {load} at the start; "
               f"{over:.2f}× the floor (best against best): msgspec decode + SQLite insert of one row per user "
               f"{floor.describe()} (before and after the uploads)"),
        Figure("  peak memory of that server (VmHWM)", f"≤ {RSS_TARGET_MB:,.0f} MiB", peak, "MiB",
               peak <= RSS_TARGET_MB, f"the highest of the {UPLOADS} servers'; {before:,.0f} MiB before the "
               "upload; read after it"),
        Figure(f"one consumed-licenses page, per_page=100, p50 at {big_rows:,} rows",
               f"≤ {P50_TARGET_MS:g} ms", p50_big * 1000, "ms", p50_big * 1000 <= P50_TARGET_MS,
               f"{PAGE_REQUESTS} random pages, one keep-alive client; p90 {p(big, 0.9) * 1000:.2f} ms, "
               f"best {big.best * 1000:.2f} ms"),
        Figure(f"  p50 at {big_rows:,} rows / p50 at {little_rows:,} rows", f"≤ {P50_RATIO:g}×", ratio, "×",
               ratio <= P50_RATIO, f"p50 at {little_rows:,} rows {p50_small * 1000:.2f} ms (demo GHEC + "
               f"a {SMALL_USERS:,}-user upload, same server and client)"),
    ]
    return figures, state, (slug_big, token_big, big_rows)
