"""`mock-ghes`: serve the mock, or export license usage like the appliance's `ghe-license usage`.

    mock-ghes serve --host 127.0.0.1 --port 8081 --seed N --scenario NAME [--instance K] [--state PATH]
    mock-ghes license usage [-o [FILE]] [-y] [--unencrypted] [--seed/--scenario/--instance/--state]

Flags only override what they name; everything else comes from MOCK_GHES_* or the defaults.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from github_http.cli_args import scenario_params

from .settings import load

_FLAG_SETTINGS = {"seed": "SEED", "scenario": "SCENARIO", "params": "SCENARIO_PARAMS", "instance": "INSTANCE",
                  "state": "STATE_PATH", "ghec_public_key": "GHEC_PUBLIC_KEY"}


def _scenario_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that pick the state: a scenario to build, or a kept state file."""
    parser.add_argument("--seed", type=int, help="scenario seed (default 1)")
    parser.add_argument("--scenario", help="scenario preset: small, demo, edge-cases, large (default demo)")
    parser.add_argument("--params", type=scenario_params,
                        help='scenario overrides as JSON, e.g. \'{"people": 1000}\'')
    parser.add_argument("--instance", type=int, help="which GHES instance of the scenario (default 1)")
    parser.add_argument("--state", help="SQLite state file; an existing one is served as it is")
    parser.add_argument("--ghec-public-key", help="PEM public key exports are encrypted to (default: test key)")


def build_parser() -> argparse.ArgumentParser:
    """The command line: `serve` and `license usage`."""
    parser = argparse.ArgumentParser(prog="mock-ghes", description="Mock GitHub Enterprise Server (license sync).")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8081, help="port (default 8081; 0 = a free port, printed)")
    _scenario_flags(serve)
    serve.add_argument("--admin-token", help="fix the site admin's token (default: derived from the seed)")
    serve.add_argument("--control-key", help="require X-Mock-Control-Key on /_mock/ (else loopback only)")
    serve.add_argument("--connect-url", help="preconfigure GitHub Connect: the GHEC base URL")
    serve.add_argument("--connect-enterprise", help="preconfigure GitHub Connect: the GHEC enterprise slug")
    serve.add_argument("--connect-token", help="preconfigure GitHub Connect: the enterprise's Connect token")
    license_cmd = commands.add_parser("license", help="license commands, like ghe-license")
    license_sub = license_cmd.add_subparsers(dest="license_command", required=True)
    usage = license_sub.add_parser("usage", help="export license usage (like ghe-license usage)")
    usage.add_argument("-o", "--output", nargs="?", const="-", metavar="FILE",
                       help="write to FILE; -o alone or -o - writes to stdout (default: a dated file here)")
    usage.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    usage.add_argument("--unencrypted", action="store_true", help="leave the users array in clear")
    _scenario_flags(usage)
    return parser


def _config(args: argparse.Namespace, extra: dict[str, str]) -> dict[str, Any]:
    """Settings named by flags that were given (others stay env/default)."""
    config = {key: getattr(args, flag) for flag, key in {**_FLAG_SETTINGS, **extra}.items()
              if getattr(args, flag, None) is not None}
    return config


def serve(args: argparse.Namespace) -> int:
    """Start the server, print its URLs and tokens, and run until interrupted."""
    connect = [args.connect_url, args.connect_enterprise, args.connect_token]
    if any(connect) and not all(connect):
        print("mock-ghes: --connect-url, --connect-enterprise and --connect-token go together", file=sys.stderr)
        return 2
    from werkzeug.serving import make_server

    from github_http.state_file import state_banner, state_path_problem

    from .app import create_app

    if problem := state_path_problem(args.state, reading=False):
        print(f"mock-ghes: {problem}", file=sys.stderr)
        return 2
    created = bool(args.state) and not Path(args.state).exists()
    app = create_app(_config(args, {"admin_token": "ADMIN_TOKEN", "control_key": "CONTROL_KEY",
                                    "connect_url": "CONNECT_URL", "connect_enterprise": "CONNECT_ENTERPRISE",
                                    "connect_token": "CONNECT_TOKEN"}))
    ghes = app.extensions["ghes"]
    runtime = ghes.runtime
    # Bind before printing, so `--port 0` (a free port) prints the port actually bound and the
    # banner only appears once the server can be reached.
    server = make_server(args.host, args.port, app, threaded=True)
    host_for_url = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    instance, tokens, base = runtime.store.instance(), runtime.tokens(), f"http://{host_for_url}:{server.server_port}"
    state, warning = state_banner(runtime.db.path, ephemeral=runtime.db.ephemeral, created=created,
                                  spec=runtime.spec(), asked={"seed": args.seed, "scenario": args.scenario})
    if warning:  # before the banner: whoever reads the banner has the warning too
        print(f"mock-ghes: {warning}", file=sys.stderr, flush=True)
    print(f"mock GHES {instance['version']} · {instance['host_name']} · server {instance['server_id']}\n"
          f"  License page  {base}/enterprise/settings/license\n  REST API      {base}/api/v3\n"
          f"  Manage API    {base}/manage/v1   (Basic: api_key / {tokens['manage']})\n"
          f"  Control plane {base}/_mock/\n"
          f"  site admin    {instance['admin_login']}: {tokens['admin']}\n"
          f"  normal user   {instance['member_login']}: {tokens['member']}\n"
          f"  state         {state}", flush=True)
    if runtime.connect.config().license_sync and runtime.connect.state()["registered_at"] is None:
        ok, error = ghes.syncer.register()  # best effort: GHEC may start later; the first sync retries
        print(f"  GitHub Connect {'registered with' if ok else 'not yet registered with'} "
              f"{runtime.connect.config().ghec_url}{'' if ok else f' ({error})'}", flush=True)
    # SIGTERM exits like Ctrl-C, so atexit removes an ephemeral state folder.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()  # Werkzeug's serve_forever ends quietly on Ctrl-C and closes the socket
    finally:
        runtime.db.close()  # a clean stop checkpoints a kept state file and removes its WAL
    return 0


def _confirm(count: int, host: str) -> bool:
    """Ask on the terminal, as ghe-license does; no answer (no stdin) means no."""
    print(f"Export the license usage of {count} users (their IDs and email addresses) from {host}? [y/N] ",
          end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline() if sys.stdin else ""
    return answer.strip().lower() in ("y", "yes")


def license_usage(args: argparse.Namespace) -> int:
    """Build the export from the state (or the scenario) and write it where -o says."""
    from github_http.state_file import state_path_problem

    from .runtime import open_runtime
    from .usage import build_usage

    if problem := state_path_problem(args.state, reading=True):
        print(f"mock-ghes: {problem}", file=sys.stderr)
        return 2
    runtime = open_runtime(load(_config(args, {})))
    try:
        if not args.yes and not _confirm(runtime.store.seats_used(), runtime.store.instance()["host_name"]):
            print("Aborted: nothing exported.", file=sys.stderr)
            return 1
        usage = build_usage(runtime, encrypted=not args.unencrypted)
    finally:
        runtime.db.close()
    form = "encrypted" if usage.encrypted else "unencrypted"
    if args.output == "-":
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(usage.content.decode("utf-8"))
        else:
            sys.stdout.flush()
            stream.write(usage.content)
            stream.flush()
        return 0
    target = Path(args.output or usage.filename)
    target.write_bytes(usage.content)
    print(f"Wrote {target} ({usage.users} users, {form}).", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `mock-ghes`; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        return license_usage(args)
    except (ValueError, OSError) as error:
        print(f"mock-ghes: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
