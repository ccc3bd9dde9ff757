"""`mock-ghec serve`: run the mock GitHub Enterprise Cloud and print where it is and which tokens work.

Flags map one-to-one onto settings (MOCK_GHEC_*), so `mock-ghec serve --seed 7` and
`MOCK_GHEC_SEED=7 mock-ghec serve` are the same server.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from github_http.cli_args import scenario_params

from .control import describe


def build_parser() -> argparse.ArgumentParser:
    """The command line: one `serve` subcommand."""
    parser = argparse.ArgumentParser(prog="mock-ghec", description="Mock GitHub Enterprise Cloud (license usage).")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8082, help="port (default 8082; 0 = a free port, printed)")
    serve.add_argument("--seed", type=int, default=None, help="scenario seed (default 1)")
    serve.add_argument("--scenario", default=None, help="scenario preset: small, demo, edge-cases, large")
    serve.add_argument("--params", default=None, type=scenario_params,
                       help='scenario overrides as JSON, e.g. \'{"people": 40}\'')
    serve.add_argument("--scenario-file", default=None, metavar="FILE",
                       help="a scenario file (YAML or JSON, docs/scenarios.md) instead of --scenario/--params; "
                            "--seed, --enterprise and --owner-token override it")
    serve.add_argument("--state", default=None, help="SQLite state file; an existing one is served as is")
    serve.add_argument("--owner-token", default=None, help="fix the main enterprise owner's token")
    serve.add_argument("--enterprise", default=None, help="slug of the main enterprise (default from the seed)")
    serve.add_argument("--ghec-private-key", default=None, help="PEM private key for encrypted exports "
                                                                "(default: the project's test key)")
    serve.add_argument("--control-key", default=None, help="require X-Mock-Control-Key on /_mock/ "
                                                           "(needed to reach it off loopback)")
    serve.add_argument("--no-journal", action="store_true", help="do not record requests")
    scenario = sub.add_parser("scenario", help="scenario files (docs/scenarios.md)")
    scenario_sub = scenario.add_subparsers(dest="scenario_command", required=True)
    dump = scenario_sub.add_parser("dump", help="write the current world as a scenario file")
    dump.add_argument("-o", "--output", default="-", metavar="FILE",
                      help="where to write (YAML; JSON when FILE ends in .json; default - : stdout)")
    for flag in ("--seed", "--scenario", "--params", "--scenario-file", "--state", "--enterprise"):
        dump.add_argument(flag, type=int if flag == "--seed" else str, default=None,
                          help=f"as for serve {flag}")
    return parser


def config_from(args: argparse.Namespace) -> dict[str, Any]:
    """Settings from flags; unset flags leave the environment/defaults alone."""
    pairs = {"SEED": args.seed, "SCENARIO": args.scenario, "SCENARIO_PARAMS": args.params,
             "STATE_PATH": args.state, "OWNER_TOKEN": getattr(args, "owner_token", None), "ENTERPRISE": args.enterprise,
             "GHEC_PRIVATE_KEY": getattr(args, "ghec_private_key", None),
             "CONTROL_KEY": getattr(args, "control_key", None), "SCENARIO_FILE": args.scenario_file}
    config = {k: v for k, v in pairs.items() if v is not None}
    if args.scenario_file and (args.scenario or args.params):
        raise ValueError("--scenario-file states the whole world: leave out --scenario and --params "
                         "(a file's `generate` block takes a preset and its parameters)")
    if getattr(args, "no_journal", False):
        config["JOURNAL"] = False
    return config


def banner(app: Any, base_url: str, owner_token: str | None) -> str:
    """What `serve` prints: URLs, and the tokens of an owner, a member, another owner and Connect."""
    info = describe(app.extensions["ghec_store"])
    lines = [f"Mock GitHub Enterprise Cloud on {base_url}  (seed {info['seed']}, scenario {info['preset']})"]
    main = info["enterprises"][0]
    owner = owner_token or main["tokens"]["owner"]
    lines += [
        f"  License page     {base_url}/enterprises/{main['slug']}/settings/license  (sign in at {base_url}/login)",
        f"  REST API         {base_url}/enterprises/{main['slug']}/consumed-licenses",
        f"  Control plane    {base_url}/_mock/",
    ]
    # Who, and whose token: the columns are as wide as their longest cell, so a long slug or
    # login never runs into the next column.
    people = [("Enterprise owner", main["owner_login"], owner),
              ("Plain member", main["member_login"], main["tokens"]["member"])]
    people += [(f"Owner of {other['slug']}", other["owner_login"], other["tokens"]["owner"])
               for other in info["enterprises"][1:]]
    people.append(("Connect token", f"({main['slug']})", main["tokens"]["connect"]))
    label_width = max(len(label) for label, _, _ in people)
    who_width = max(len(who) for _, who, _ in people)
    lines += [f"  {label:<{label_width}}  {who:<{who_width}}  token {token}" for label, who, token in people]
    return "\n".join(lines)


def _dump(app: Any, output: str) -> int:
    """`mock-ghec scenario dump`: write the app's world as a scenario file (stdout for -)."""
    from scenarios.file.dump import dump_text

    from .scenario_dump import dump_world

    try:
        text = dump_text(dump_world(app.extensions["ghec_store"]), output)
    finally:
        app.extensions["mock"].db.close()
    if output == "-":
        sys.stdout.write(text)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"Wrote {output}.", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `mock-ghec`."""
    args = build_parser().parse_args(argv)
    from github_http.appkit import allow_hosts
    from github_http.live import make_timed_server
    from github_http.state_check import state_banner, state_path_problem

    from . import create_app
    from .reads import scenario_spec

    if problem := state_path_problem(args.state, reading=False):
        print(f"mock-ghec: {problem}", file=sys.stderr)
        return 2
    created = bool(args.state) and not Path(args.state).exists()
    try:
        app = create_app(config_from(args))
        if args.command == "scenario":
            return _dump(app, args.output)
    except (ValueError, json.JSONDecodeError) as error:
        print(f"mock-ghec: {error}", file=sys.stderr)
        return 2
    # Bind before printing, so `--port 0` (a free port) prints the port actually bound and the
    # banner only appears once the server can be reached.
    server = make_timed_server(args.host, args.port, app)  # stalled connections time out
    allow_hosts(app, args.host)  # a name given to --host is a Host the control plane accepts
    host_for_url = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    db = app.extensions["mock"].db
    state, warning = state_banner(db.path, ephemeral=db.ephemeral, created=created, spec=scenario_spec(db),
                                  asked={"seed": args.seed, "scenario": args.scenario})
    if warning:  # before the banner: whoever reads the banner has the warning too
        print(f"mock-ghec: {warning}", file=sys.stderr, flush=True)
    print(banner(app, f"http://{host_for_url}:{server.server_port}", args.owner_token), flush=True)
    print(f"  State            {state}", flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # like Ctrl-C: atexit removes ephemeral state
    try:
        server.serve_forever()  # Werkzeug's serve_forever ends quietly on Ctrl-C and closes the socket
    finally:
        # A clean stop (Ctrl-C, SIGTERM) closes the state: a kept file is checkpointed and its
        # WAL removed, so the next start does not begin with a WAL as large as the last upload.
        app.extensions["mock"].db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
