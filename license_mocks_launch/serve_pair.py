"""`make serve`: mock GHES instance 1 (8081), instance 2 (8083) and mock GHEC (8082) until Ctrl-C.

WHY beside the demo (`python -m license_mocks_launch.serve_pair`): it is the same wiring (servers.start_pair), on
fixed, documented ports, so a person can point `license-sync`, a browser or their own client
at a pair that stays up. Instance 2 is preconfigured with GitHub Connect to the GHEC, as in
the demo; instance 1 is left for the manual flow (or its License page's Connect form).
"""
from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading

from rich.console import Console

from .servers import MockPair, start_pair


def describe(pair: MockPair, console: Console) -> None:
    """Print URLs, tokens, pages and ready-to-paste environment variables."""
    console.print(f"[bold]Mock GHES ⇄ GHEC pair[/] — seed {pair.seed}, scenario {pair.scenario}")
    for index, server in enumerate(pair.ghes, 1):
        wired = " (GitHub Connect → GHEC, license sync on)" if index in pair.connected else ""
        console.print(f"  GHES instance {index}: {server.url}{wired}", highlight=False)
        console.print(f"      site-admin token  {pair.ghes_token(index)}", highlight=False)
        console.print(f"      License page      {server.url}/enterprise/settings/license "
                      f"(sign in at {server.url}/login with the token)", highlight=False)
    console.print(f"  GHEC: {pair.ghec.url}  enterprise {pair.enterprise}", highlight=False)
    console.print(f"      owner token       {pair.ghec_token}", highlight=False)
    console.print(f"      Connect token     {pair.connect_token}", highlight=False)
    console.print(f"      License page      {pair.ghec.url}/enterprises/{pair.enterprise}/settings/license "
                  f"(sign in at {pair.ghec.url}/login with the owner token)", highlight=False)
    console.print("  For license-sync (instance 1 → GHEC):")
    for name, value in pair.env().items():
        console.print(f"      export {name}={value}", highlight=False)
    console.print("  Control plane: /_mock/ on each server (journal, faults, clock, scenario, ledger, explain)")


def wait_for_interrupt(console: Console) -> None:
    """Block until Ctrl-C; WHY an Event wait and not a sleep loop: it wakes only to be interrupted."""
    console.print("[dim]Serving until Ctrl-C…[/]")
    stop = threading.Event()
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        console.print("stopping…")


def busy_ports(host: str, ports: list[int]) -> list[int]:
    """The fixed ports someone else already listens on.

    WHY check first: Werkzeug answers a busy port by printing two lines and exiting the
    process; checking before starting anything gives one clear line and stops nothing half-way.
    """
    busy = []
    for port in ports:
        if port == 0:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                busy.append(port)
    return busy


def main(argv: list[str] | None = None) -> int:
    """Parse flags, start the pair on the fixed ports, describe it, serve until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m license_mocks_launch.serve_pair", description=__doc__)
    parser.add_argument("--seed", type=int, default=None, help="scenario seed (default 42, or a scenario file's own)")
    parser.add_argument("--scenario", default="demo")
    parser.add_argument("--scenario-file", default=None, help="serve this scenario file (docs/scenarios.md)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ghes-port", type=int, default=8081, help="GHES instance 1 (default 8081)")
    parser.add_argument("--ghes2-port", type=int, default=8083, help="GHES instance 2 (default 8083)")
    parser.add_argument("--ghec-port", type=int, default=8082, help="GHEC (default 8082)")
    parser.add_argument("--connect", default="2",
                        help="comma-separated instances preconfigured with Connect (default 2; '' for none)")
    args = parser.parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)  # URLs and tokens stay on one line for copy-paste
    ports = [args.ghes_port, args.ghec_port, args.ghes2_port]
    if busy := busy_ports(args.host, ports):
        sys.stderr.write(f"serve: cannot listen on {args.host}: port(s) {', '.join(map(str, busy))} already in use "
                         "(another `make serve`?); choose others with --ghes-port/--ghec-port/--ghes2-port\n")
        return 3
    try:
        connect = tuple(int(x) for x in args.connect.split(",") if x.strip())
        pair = start_pair(args.seed, args.scenario, host=args.host, ghec_port=args.ghec_port,
                          ghes_ports=(args.ghes_port, args.ghes2_port), connect=connect,
                          scenario_file=args.scenario_file)
    except (OSError, SystemExit) as error:  # Werkzeug exits on a port taken since the check
        sys.stderr.write(f"serve: cannot listen on {args.host} ({getattr(error, 'strerror', None) or 'port in use'}); "
                         f"ports {args.ghes_port}/{args.ghec_port}/{args.ghes2_port}\n")
        return 3
    except ValueError as error:
        sys.stderr.write(f"serve: {error}\n")
        return 2
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    with pair:
        describe(pair, console)
        wait_for_interrupt(console)
    return 0


def _stop_like_ctrl_c(signum: int, frame: object) -> None:
    """SIGTERM (`kill`, a supervisor) stops like Ctrl-C: the servers stop and, at exit, their
    ephemeral state folders (/tmp/license-mock-*) are removed; the default action would skip both."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    raise SystemExit(main())
