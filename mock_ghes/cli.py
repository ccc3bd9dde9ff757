"""`mock-ghes`: serve the mock, or export license usage like the appliance's `ghe-license usage`.

    mock-ghes serve --host 127.0.0.1 --port 8081 --seed N --scenario NAME [--instance K] [--state PATH]
    mock-ghes serve --scenario-file world.yaml [--seed N] [--instance K] ...
    mock-ghes license usage [-o [FILE]] [-y] [--unencrypted] [--seed/--scenario/--instance/--state]
    mock-ghes license info [-j] | license check | license import [--pipe] | user-csv [-o]
    mock-ghes scenario dump [-o FILE] [--seed/--scenario/--scenario-file/--instance/--state]

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

from .license_cli import add_commands, usage_command
from .license_cli import run as run_license_command
from .settings import load

_FLAG_SETTINGS = {"seed": "SEED", "scenario": "SCENARIO", "params": "SCENARIO_PARAMS", "instance": "INSTANCE",
                  "scenario_file": "SCENARIO_FILE",
                  "state": "STATE_PATH", "ghec_public_key": "GHEC_PUBLIC_KEY"}


def _scenario_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that pick the state: a scenario to build, or a kept state file."""
    parser.add_argument("--seed", type=int, help="scenario seed (default 1)")
    parser.add_argument("--scenario", help="scenario preset: small, demo, edge-cases, large (default demo)")
    parser.add_argument("--params", type=scenario_params,
                        help='scenario overrides as JSON, e.g. \'{"people": 1000}\'')
    parser.add_argument("--scenario-file", metavar="FILE",
                        help="a scenario file (YAML or JSON, docs/scenarios.md) instead of --scenario/--params; "
                             "--seed replaces its seed")
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
    serve.add_argument("--connect-url", help="preconfigure GitHub Connect: the GHEC base URL (with --scenario-file: "
                                             "enough alone, the file names the enterprise)")
    serve.add_argument("--connect-enterprise", help="preconfigure GitHub Connect: the GHEC enterprise slug")
    serve.add_argument("--connect-token", help="preconfigure GitHub Connect: the enterprise's Connect token")
    license_cmd = commands.add_parser("license", help="license commands, like ghe-license")
    license_sub = license_cmd.add_subparsers(dest="license_command", required=True)
    usage = license_sub.add_parser("usage", help="export license usage (like ghe-license usage; "
                                   "ghe-license-usage before GHES 3.13)")
    usage.add_argument("-o", "--output", nargs="?", const="-", metavar="FILE",
                       help="write to FILE; -o alone or -o - writes to stdout (default: a dated file here)")
    usage.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    usage.add_argument("--unencrypted", action="store_true", help="leave the users array in clear")
    _scenario_flags(usage)
    add_commands(commands, license_sub, _scenario_flags)
    scenario_cmd = commands.add_parser("scenario", help="scenario files (docs/scenarios.md)")
    scenario_sub = scenario_cmd.add_subparsers(dest="scenario_command", required=True)
    dump = scenario_sub.add_parser("dump", help="write the current world as a scenario file")
    dump.add_argument("-o", "--output", default="-", metavar="FILE",
                      help="where to write (YAML; JSON when FILE ends in .json; default - : stdout)")
    _scenario_flags(dump)
    return parser


def _config(args: argparse.Namespace, extra: dict[str, str]) -> dict[str, Any]:
    """Settings named by flags that were given (others stay env/default)."""
    if getattr(args, "scenario_file", None) and (args.scenario or args.params):
        raise ValueError("--scenario-file states the whole world: leave out --scenario and --params "
                         "(a file's `generate` block takes a preset and its parameters)")
    config = {key: getattr(args, flag) for flag, key in {**_FLAG_SETTINGS, **extra}.items()
              if getattr(args, flag, None) is not None}
    return config


def serve(args: argparse.Namespace) -> int:
    """Start the server, print its URLs and tokens, and run until interrupted."""
    connect = [args.connect_url, args.connect_enterprise, args.connect_token]
    if args.scenario_file and args.connect_url:  # the file names the enterprise; its seed, the token
        connect = [args.connect_url]
    if any(connect) and not all(connect):
        print("mock-ghes: --connect-url, --connect-enterprise and --connect-token go together", file=sys.stderr)
        return 2
    from github_http.appkit import allow_hosts
    from github_http.live import make_timed_server
    from github_http.state_check import state_banner, state_path_problem

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
    server = make_timed_server(args.host, args.port, app)  # stalled connections time out
    allow_hosts(app, args.host)  # a name given to --host is a Host the control plane accepts
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


def _confirm(count: int, host: str, command: str) -> bool:
    """Ask on the terminal, as ghe-license does; no answer (no stdin) means no."""
    print(f"{command}: export the license usage of {count} users (their IDs and email addresses) "
          f"from {host}? [y/N] ",
          end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline() if sys.stdin else ""
    return answer.strip().lower() in ("y", "yes")


def license_usage(args: argparse.Namespace) -> int:
    """Build the export from the state (or the scenario) and write it where -o says."""
    from github_http.state_check import state_path_problem

    from .runtime import open_runtime
    from .usage import build_usage

    if problem := state_path_problem(args.state, reading=True):
        print(f"mock-ghes: {problem}", file=sys.stderr)
        return 2
    runtime = open_runtime(load(_config(args, {})))
    try:
        instance = runtime.store.instance()
        command = usage_command(instance["version"])
        if not args.yes and not _confirm(runtime.store.seats_used(), instance["host_name"], command):
            print(f"{command}: Aborted: nothing exported.", file=sys.stderr)
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
    print(f"{command}: Wrote {target} ({usage.users} users, {form}).", file=sys.stderr)
    return 0


def scenario_dump(args: argparse.Namespace) -> int:
    """Write the world of the state (or of the scenario the flags name) as a scenario file."""
    from scenarios.file.dump import dump_text

    from .runtime import open_runtime
    from .scenario_dump import dump_world

    runtime = open_runtime(load(_config(args, {})))
    try:
        text = dump_text(dump_world(runtime), args.output)
    finally:
        runtime.db.close()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `mock-ghes`; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "scenario":
            return scenario_dump(args)
        if args.command == "license" and args.license_command == "usage":
            return license_usage(args)
        from .runtime import open_runtime
        return run_license_command(args, lambda: open_runtime(load(_config(args, {}))))
    except (ValueError, OSError) as error:
        print(f"mock-ghes: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
