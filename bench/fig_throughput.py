"""Figure: consumed-licenses throughput under gunicorn (2 workers) over loopback.

The mock GHEC is served with its DEFAULT settings (journal on: every request is recorded;
pages kept in memory per worker as they are served, PAGE_CACHE_MIB; the rate limit counting every request, the
token's budget raised through `/_mock/rate-limit` so that none is refused) over the 1,000,000-row state, and loaded from
another process with `per_page=100` pages
spread over the whole range. The yardstick, in the same run and with the same gunicorn
command line, is bench/const_app.py's constant `{"ok": true}` route; beside it, the same app
answering one real page's bytes as a constant shows what moving a 66 KB page costs by itself
(the ceiling for any implementation of the route on this machine). The load generator is
`wrk` when installed (`make bench` installs it where it can), else bench/loadgen.py.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

from .loadgen import run as python_load
from .report import Figure
from .timing import PYTHON, free_port, start, stop, wait_http

TARGET_RPS, CONST_RATIO = 1800.0, 0.6
DURATION, WARMUP = 10, 2
WRK_CONNECTIONS = 4


def gunicorn(app: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """`gunicorn -w 2` (sync workers, gunicorn's defaults otherwise) serving `app` on a free port."""
    port = free_port()
    proc = start([PYTHON, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
                 env=env, log=log)
    return proc, port


def wrk_script(workdir: Path, paths: list[str], headers: dict[str, str]) -> Path:
    """A wrk Lua script that walks the given paths in a seeded random order with the headers."""
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    lines.append("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}")
    lines.append("math.randomseed(7)")
    lines.append("request = function() return wrk.format(\"GET\", paths[math.random(1, #paths)]) end")
    script = workdir / "bench.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def load(port: int, paths: list[str], headers: dict[str, str], workdir: Path) -> tuple[float, int, str]:
    """(requests/s, failed responses, generator) against a server on `port`."""
    wrk = shutil.which("wrk")
    if wrk is None:
        rps, bad = python_load("127.0.0.1", port, paths, headers, warmup=WARMUP, duration=DURATION)
        return rps, bad, "python http.client, 2 processes"
    script = wrk_script(workdir, paths, headers)
    base = f"http://127.0.0.1:{port}"
    subprocess.run([wrk, "-t1", f"-c{WRK_CONNECTIONS}", f"-d{WARMUP}s", "-s", str(script), base],
                   capture_output=True, check=True)
    out = subprocess.run([wrk, "-t1", f"-c{WRK_CONNECTIONS}", f"-d{DURATION}s", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    note = f"wrk, 1 thread, {WRK_CONNECTIONS} connections" + (f"; socket errors {errors.group(1)}" if errors else "")
    return rps, int(bad.group(1)) if bad else 0, note


def page_paths(slug: str, rows: int) -> list[str]:
    """The loaded paths: about 500 per_page=100 pages spread over the whole range of `rows`."""
    pages = max(1, -(-rows // 100))
    step = max(1, pages // 500)
    return [f"/enterprises/{slug}/consumed-licenses?per_page=100&page={n}" for n in range(1, pages + 1, step)]


def raise_budget(port: int, token: str) -> None:
    """Give the token a budget the load cannot spend (the control plane's largest, 10**9): the
    rate limit stays on and counts every request (its cost is part of the figure), but GitHub's
    5,000 an hour would turn all but the first few seconds' answers into 403s."""
    body = json.dumps({"token": token, "limit": 10**9, "remaining": 10**9}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_mock/rate-limit", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def run(state: Path, workdir: Path, slug: str, token: str, rows: int) -> list[Figure]:
    """Throughput of consumed-licenses pages vs the constant route, same gunicorn settings."""
    paths = page_paths(slug, rows)
    headers = {"Authorization": f"token {token}"}
    proc, port = gunicorn("mock_ghec:create_app()", {"MOCK_GHEC_STATE_PATH": str(state)}, workdir / "gunicorn.log")
    page_file = workdir / "page.json"
    try:
        wait_http(f"http://127.0.0.1:{port}/_mock/", proc=proc)
        raise_budget(port, token)
        rps, bad, generator = load(port, paths, headers, workdir)
        request = urllib.request.Request(f"http://127.0.0.1:{port}{paths[len(paths) // 2]}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as answer:
            page_file.write_bytes(answer.read())
    finally:
        stop(proc)
    proc, port = gunicorn("bench.const_app:app", {"BENCH_PAGE_FILE": str(page_file)}, workdir / "gunicorn-const.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/ok", proc=proc)
        const_rps, const_bad, _ = load(port, ["/ok"], {}, workdir)
        page_rps, page_bad, _ = load(port, ["/page"], {}, workdir)
    finally:
        stop(proc)
    ratio = rps / const_rps
    if bad or const_bad or page_bad:
        generator += f"; {bad} failed responses (constant routes {const_bad}, {page_bad})"
    return [Figure("consumed-licenses throughput, per_page=100, gunicorn -w 2",
                   f"≥ {TARGET_RPS:,.0f} req/s and ≥ {CONST_RATIO:g}× a constant route",
                   rps, "req/s", rps >= TARGET_RPS and ratio >= CONST_RATIO and not bad,
                   f"{generator}; {DURATION} s after {WARMUP} s warm-up; constant {{\"ok\": true}} route "
                   f"{const_rps:,.0f} req/s, ratio {ratio:.2f}×; the same page's {page_file.stat().st_size:,} "
                   f"bytes as a constant {page_rps:,.0f} req/s (ratio {rps / page_rps:.2f}×); journal ON "
                   f"(default settings), {rows:,} rows, pages spread over the range")]
