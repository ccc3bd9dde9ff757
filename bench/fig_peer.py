"""Figure: the peer, Stoplight Prism's mock server, on the same route and load as the mock GHEC.

WHY: the performance issue names the peer to beat on throughput: Prism serving GitHub's own
OpenAPI description of consumed-licenses. This measures it with fig_throughput's own load
(same wrk command, warm-up, paths and header) and passes when the mock GHEC served at least
PEER_RATIO (2) times its requests/s in the same bench, the performance issue's target. Read
it with care: Prism answers every page with the description's static example (2 users,
~1.4 KB, the example's fixed `Link`) and ignores per_page and page, where the mock answers
100 real rows (~66 KB) per page.

Prism is pinned in bench/prism/package.json + package-lock.json and installed with `npm ci`
into `<workdir>/prism` (reused while the lock file is unchanged; `--ignore-scripts` skips a
dependency's telemetry postinstall). Without node/npm the figure is reported as not measured.
"""
from __future__ import annotations

import shutil
import subprocess
import urllib.request
from pathlib import Path

from .fig_throughput import load, page_paths
from .report import Figure
from .timing import ROOT, free_port, start, stop, wait_http

PACKAGE = Path(__file__).resolve().parent / "prism"
REFERENCE = ROOT / "fixtures" / "github-openapi" / "ghec-license-endpoints.json"  # = ../shared/reference copy
NAME = "the peer: Stoplight Prism 5.16 mock, same endpoint and load"
#: How many times the peer's requests/s the mock GHEC must serve (the issue's "≥ 2× Prism").
PEER_RATIO = 2.0


def install(cache: Path) -> Path:
    """`npm ci` the pinned Prism into `cache` (skipped when that lock is already installed); its bin."""
    lock = (PACKAGE / "package-lock.json").read_bytes()
    binary, installed = cache / "node_modules" / ".bin" / "prism", cache / "package-lock.json"
    if binary.exists() and installed.exists() and installed.read_bytes() == lock:
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PACKAGE / name, cache / name)
    done = subprocess.run([shutil.which("npm"), "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                          cwd=cache, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not binary.exists():
        raise RuntimeError(f"npm ci failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return binary


def sample(url: str, headers: dict[str, str]) -> tuple[int, int, str]:
    """(status, body bytes, Link header) of one answer, to say what the peer actually served."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
        return answer.status, len(answer.read()), answer.headers.get("Link", "")


def run(workdir: Path, ours: float, slug: str = "acme", token: str = "x", rows: int = 1_000_000,
        spec: Path = REFERENCE) -> list[Figure]:
    """Prism's requests/s on fig_throughput's paths against the mock's (`ours`), or a not-measured
    row without node/npm."""
    target = f"mock GHEC ≥ {PEER_RATIO:g}× Prism's req/s (mock: {ours:,.0f})"
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return [Figure(NAME, target, float("nan"), "req/s", False,
                       "not measured: node and npm are needed to install and run Prism")]
    binary = install(workdir / "prism")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    paths, headers = page_paths(slug, rows), {"Authorization": f"token {token}"}
    port = free_port()
    proc = start([node, str(binary.resolve()), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
                 log=workdir / "prism.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/enterprises/{slug}/license-sync-status", proc=proc)
        status, size, link = sample(f"http://127.0.0.1:{port}{paths[len(paths) // 2]}", headers)
        rps, bad, generator = load(port, paths, headers, workdir)
    finally:
        stop(proc)
    return [Figure(NAME, target, rps, "req/s", ours >= PEER_RATIO * rps and not bad,
                   f"{generator}; mock/Prism {ours / rps:.2f}×; same paths and warm-up as the throughput figure; "
                   f"{bad} failed responses; "
                   f"one page answered {status} with {size:,} bytes (the spec's static example, whatever "
                   f"per_page/page), Link {link!r}; node {version}, one process, request log on (default)")]
