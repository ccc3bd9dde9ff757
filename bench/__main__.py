"""`python -m bench` (`make bench`): measure every performance figure and print ONE table.

Order: the world's state files are seeded first (GHES here, GHEC in a subprocess beside it:
setup only, nothing is timed while both run); then each section runs alone, so figures never
compete with the bench's own work. The GHEC figures share files: the 100,000-user export
feeds the upload figures, and the 1,000,000-row state left by the server figure is what the
throughput figure serves.

Options (for working on one figure): `--only SECTION[,SECTION]` and `--workdir DIR` (keeps
the seeded state files there and reuses them on the next run).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from . import (
    fig_export,
    fig_peer,
    fig_pertest,
    fig_pertest_file,
    fig_scenario,
    fig_server,
    fig_startup,
    fig_tests,
    fig_throughput,
    fig_upload,
    workloads,
)
from .report import Figure, publish
from .timing import PYTHON, ROOT, load_average, run_json

SECTIONS = ("scenario", "startup", "export", "upload", "server", "throughput", "peer", "pertest", "tests")
NEEDS_WORLD = {"export", "upload", "server", "throughput"}


def seed_world(workdir: Path, console: Console) -> tuple[object, Path]:
    """The GHES app (100,000 consuming users) and the pristine GHEC state file of the same world."""
    ghec = workdir / "ghec-world.sqlite3"
    proc = None
    if not ghec.exists():
        partial = workdir / "ghec-world.partial.sqlite3"
        proc = subprocess.Popen([PYTHON, "-m", "bench.workloads", "ghec-state", str(partial)], cwd=ROOT)
    console.print("seeding the bench world (GHES and GHEC, 123,000 people; not timed)…")
    ghes = workloads.ghes_app(workdir / "ghes-world.sqlite3")
    if proc is not None:
        if proc.wait() != 0:
            raise SystemExit("seeding the GHEC state failed")
        partial.rename(ghec)
    else:  # kept from an earlier run, perhaps by older code
        workloads.migrate_state(ghec)
    return ghes, ghec


def main(argv: list[str] | None = None) -> int:
    """Run the sections asked for (all by default), publish the table and results.json."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--workdir", default=None, help="keep (and reuse) the seeded state files here")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    if "peer" in sections and "throughput" not in sections:
        sections.append("throughput")  # the peer is judged against the mock's throughput
    if "throughput" in sections and "server" not in sections:
        sections.append("server")  # throughput serves the state the 1,000,000-user upload leaves
    console = Console()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="license-mocks-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    figures: list[Figure] = []
    console.print(f"load average before: {load_average()} (the machine may be shared: best and median are shown)")

    def section(name: str, fn: Callable[[], list[Figure]]) -> None:
        """Run one section; a crash becomes a failing row (the rest of the table still prints)."""
        console.print(f"{name}…")
        try:
            figures.extend(fn())
        except Exception as error:
            console.print_exception(max_frames=8)
            figures.append(Figure(name, "(section crashed)", float("nan"), "", False,
                                  f"{type(error).__name__}: {error}"))

    try:
        ghes = ghec = plain = None
        if NEEDS_WORLD & set(sections):
            ghes, ghec = seed_world(workdir, console)
            from mock_ghes.usage import build_usage
            plain = build_usage(ghes.extensions["ghes"].runtime, encrypted=False).content
        if "scenario" in sections:
            section("scenario build", lambda: fig_scenario.figures(run_json("bench.fig_scenario")))
        if "startup" in sections:
            section("create_app in fresh processes", fig_startup.run)
        if "export" in sections:
            section("GHES export", lambda: fig_export.run(ghes))
        if ghes is not None:
            ghes.extensions["mock"].db.close()
        if "upload" in sections:
            section("GHEC upload of 100,000 users", lambda: fig_upload.run(ghec, workdir, plain))
        served: list = []
        if "server" in sections:
            def server() -> list[Figure]:
                """The 1M upload, then page latency; keeps what throughput needs."""
                million = workloads.bigger_file(plain, workloads.MILLION)
                small = workloads.small_file(plain, workloads.SMALL_USERS)
                found, state, target = fig_server.run(ghec, workdir, million, small)
                served.extend((state, *target))
                return found
            section("GHEC server: 1,000,000-user upload and page latency", server)
        if "throughput" in sections and served:
            section("throughput under gunicorn", lambda: fig_throughput.run(served[0], workdir, *served[1:]))
        ours = next((f.measured for f in figures if f.figure.startswith("consumed-licenses throughput")), None)
        if "peer" in sections and ours is not None:
            section("the peer (Stoplight Prism)", lambda: fig_peer.run(workdir, ours, *served[1:]))
        if "pertest" in sections:
            section("the pytest plugin per test, beside pytest-httpserver", fig_pertest.run)
            section("the pytest plugin on a 10,000-person scenario file", fig_pertest_file.run)
        if "tests" in sections:
            section("make test", fig_tests.run)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    publish(figures, console)
    console.print(f"bench took {time.perf_counter() - started:.0f} s; load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
