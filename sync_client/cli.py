"""`license-sync`: export, validate, upload, sync, trigger, status, verify, demo, diff, predict, doctor.

WHY argparse and a single `main(argv) -> int`: the console script, `python -m sync_client` and
the tests all call the same function and get an exit code; every error a user can meet is
caught here and printed as one line (never a traceback). Exit codes: docs/sync-client.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console

from . import diff, doctor_cli, predict_cli, render
from .errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, InvalidExport, SyncError, UsageError
from .exportfile import check_bytes, read_file, write_file
from .flows import read_status, trigger_sync, upload_usage, verify
from .options import NEEDED_SETTINGS, Resolved, add_common, add_ghec, add_ghes, add_key, positive_float


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line with exit code 2 (its own convention)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """One line to stderr and exit 2, like every other usage error of the CLI."""
        self.exit(EXIT_USAGE, f"license-sync: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Every command with its flags (connection flags on the subcommand, after its name)."""
    parser = _Parser(prog="license-sync", description="Sync GHES license usage into GHEC, and prove what crossed.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("export", help="download the license-usage export from GHES to a file")
    add_ghes(p)
    add_key(p)
    add_common(p)
    p.add_argument("-o", "--output", metavar="FILE",
                   help="where to write (default: the name GHES gives it, license-usage-<host>-<date>.json; "
                        "- for stdout)")
    p.add_argument("--plain", action="store_true", help="ask for the plain (unencrypted) form")

    p = sub.add_parser("validate", help="check an export file against the contract")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format-version", metavar="V", help="judge by this published schema version (1-0-0, or "
                   "a MODEL number such as 1); default: the file's own format_version")
    add_key(p)
    add_common(p, network=False)  # no server is asked: no --timeout/--retries/--control-key

    p = sub.add_parser("upload", help="upload an export file to GHEC (\"Add server usage\")")
    p.add_argument("file", metavar="FILE")
    add_ghec(p)
    add_common(p)
    p.add_argument("--force", action="store_true",
                   help="replace a newer file GHEC has from the same server (GHEC refuses an older one with 409)")

    p = sub.add_parser("sync", help="export from GHES, validate, upload to GHEC, verify")
    add_ghes(p)
    add_ghec(p)
    add_key(p)
    add_common(p)
    p.add_argument("--keep", metavar="FILE", help="also save the export here")

    p = sub.add_parser("trigger", help="GHES \"Sync now\" through GitHub Connect; wait until GHEC shows it")
    add_ghes(p)
    add_ghec(p)
    add_common(p)
    p.add_argument("--wait", type=positive_float, default=60.0, metavar="SECONDS", help="deadline (default 60)")

    p = sub.add_parser("status", help="consumed licenses and sync status (GitHub's public API only)")
    add_ghec(p)
    add_common(p)

    p = sub.add_parser("verify", help="prove only IDs and emails crossed and every account is counted once")
    add_ghes(p, many=True)
    add_ghec(p)
    add_key(p)
    add_common(p)
    p.add_argument("--file", action="append", default=[], metavar="FILE", help="also check this export file")

    p = sub.add_parser("doctor", help="check both URLs, both tokens, the enterprise, Connect and the clocks",
                       description=doctor_cli.DOCTOR_HELP)
    add_ghes(p)
    add_ghec(p)
    add_common(p)

    p = sub.add_parser("demo", help="run both mocks in-process and narrate the manual and Connect flows")
    p.add_argument("--seed", type=int, default=None, help="scenario seed (default 42, or a scenario file's own)")
    p.add_argument("--scenario", default="demo", help="scenario preset (default demo)")
    p.add_argument("--scenario-file", default=None, metavar="FILE",
                   help="tell the story on this scenario file's world (two GHES instances; docs/scenarios.md)")
    p.add_argument("--keep-running", action="store_true", help="leave the servers up until Ctrl-C")
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    diff.add_parser(sub)
    predict_cli.add_parser(sub)
    return parser


def _emit_json(data: Any) -> None:
    """Print JSON to stdout (the only thing on stdout under --json)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def cmd_export(opts: Resolved, console: Console) -> int:
    """GHES → file; reports what the file is (server, encryption, users when readable)."""
    ghes = opts.ghes()
    raw, named = ghes.export_named(encrypted=not opts.args.plain)
    key = opts.private_key()
    check = check_bytes(raw, key)
    target = opts.args.output or named or f"license-usage-{(check.host_name or 'ghes').replace(':', '-')}.json"
    if target == "-":
        sys.stdout.buffer.write(raw)
        return EXIT_OK
    write_file(target, raw)
    data = {"file": target, "bytes": len(raw), **check.as_json()}
    if opts.args.json:
        _emit_json(data)
    else:
        console.print(f"Exported {len(raw):,} bytes from {ghes.where} to {target}", highlight=False)
        render.file_check(console, target, check)
    return EXIT_OK if check.ok else EXIT_FAILED


def cmd_validate(opts: Resolved, console: Console) -> int:
    """Exit 0 when valid; 1 with every problem as `path: message` (or a JSON list)."""
    raw = read_file(opts.args.file)
    check = check_bytes(raw, opts.private_key(), opts.args.format_version)
    if opts.args.json:
        _emit_json({"file": opts.args.file, **check.as_json()})
    else:
        render.file_check(console, opts.args.file, check)
    return EXIT_OK if check.ok else EXIT_FAILED


def cmd_upload(opts: Resolved, console: Console) -> int:
    """File → GHEC; GHEC's refusal (with its problems) surfaces as an ApiError."""
    raw = read_file(opts.args.file)
    answer = upload_usage(opts.ghec(), raw, force=opts.args.force)
    if opts.args.json:
        _emit_json({"file": opts.args.file, "ghec": answer})
    else:
        console.print(f"[green]✓[/] GHEC accepted {opts.args.file}: {_summary(answer)}", highlight=False)
    for warning in answer.get("warnings") or [] if isinstance(answer, dict) else []:
        (sys.stderr.write(f"license-sync: warning: {warning}\n") if opts.args.json
         else console.print(f"[yellow]![/] GHEC warns: {warning}", highlight=False))
    return EXIT_OK


def _summary(answer: Any) -> str:
    """A short line from GHEC's upload answer (whatever keys it has)."""
    if not isinstance(answer, dict):
        return str(answer)[:200]
    keys = [k for k in ("server_id", "host_name", "users", "accounts", "event", "total_seats_consumed") if k in answer]
    return ", ".join(f"{k}={answer[k]}" for k in keys) or json.dumps(answer)[:200]


def cmd_sync(opts: Resolved, console: Console) -> int:
    """export → validate → upload → verify, stopping at the first failing step."""
    ghes, ghec, key = opts.ghes(), opts.ghec(), opts.private_key()
    steps: dict[str, Any] = {}
    with console.status("exporting from GHES…"):
        raw = ghes.export()
    if opts.args.keep:
        write_file(opts.args.keep, raw)
    check = check_bytes(raw, key)
    steps["export"] = {"bytes": len(raw), **check.as_json()}
    if not check.ok:
        raise InvalidExport(f"the export from {ghes.where} is not valid; not uploading", check.problems)
    with console.status("uploading to GHEC…"):
        steps["upload"] = upload_usage(ghec, raw)
    with console.status("verifying…"):
        report = verify(ghec, [ghes], key, [("export", raw)], scoped=True)
    steps["verify"] = report.as_json()
    if opts.args.json:
        _emit_json({"ok": report.ok, "steps": steps})
    else:
        console.print(f"[green]✓[/] exported {len(raw):,} bytes ({len(check.users or [])} users) from {ghes.where}",
                      highlight=False)
        console.print("[green]✓[/] the export is valid")
        console.print(f"[green]✓[/] uploaded to {ghec.where}: {_summary(steps['upload'])}", highlight=False)
        render.verify_report(console, report)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_trigger(opts: Resolved, console: Console) -> int:
    """Sync now on GHES, wait (with a deadline) until GHEC's license-sync-status shows it."""
    ghes, ghec = opts.ghes(), opts.ghec()
    with console.status("GHES: Sync now… waiting for GHEC to show it") as spinner:
        result = trigger_sync(ghes, ghec, deadline=opts.args.wait,
                              on_poll=lambda n: spinner.update(f"waiting for GHEC's license-sync-status (poll {n})"))
    last = result["last_sync"]
    if opts.args.json:
        _emit_json(result)
    else:
        mark = "[green]✓[/]" if last.get("status") == "success" else "[red]✗[/]"
        console.print(f"{mark} GHEC shows {result.get('hostname')} ({result['server_id']}): "
                      f"{last.get('status')} at {last.get('date')}"
                      + (f" — {last.get('error')}" if last.get("error") else ""), highlight=False)
    return EXIT_OK if last.get("status") == "success" else EXIT_FAILED


def cmd_status(opts: Resolved, console: Console) -> int:
    """Public endpoints only: consumed licenses (every page) and license-sync-status."""
    with console.status("reading consumed licenses…") as spinner:
        data = read_status(opts.ghec(), on_page=lambda n: spinner.update(f"reading consumed licenses… page {n}"))
    if opts.args.json:
        _emit_json(data)
    else:
        render.status(console, data)
    return EXIT_OK


def cmd_verify(opts: Resolved, console: Console) -> int:
    """The four-check proof; exit 0 only when all hold."""
    files = [(name, read_file(name)) for name in opts.args.file]
    with console.status("gathering evidence from GHEC and GHES…"):
        report = verify(opts.ghec(), opts.ghes_many(), opts.private_key(), files)
    if opts.args.json:
        _emit_json(report.as_json())
    else:
        render.verify_report(console, report)
    return EXIT_OK if report.ok else EXIT_FAILED


#: Where commands that need the mock servers come from: entry points of this group, provided by
#: the launchers (`license_mocks_launch`, installed with the mocks). WHY not an import: the sync
#: client never imports either app (tests/unit/test_import_graph.py), not even lazily.
COMMAND_PLUGINS = "license_sync.commands"


def cmd_demo(opts: Resolved, console: Console) -> int:
    """Both mocks in-process, the manual and the Connect flow, narrated (license_mocks_launch/demo.py)."""
    from importlib.metadata import entry_points
    found = entry_points(group=COMMAND_PLUGINS, name="demo")
    if not found:
        raise UsageError("`demo` needs the mock servers' launchers (the license_mocks_launch package of "
                         "ghes-ghec-license-mocks); install the project with `pip install -e .`")
    if not getattr(opts.args, "scenario_file", None):
        from scenarios import PRESETS
        if opts.args.scenario not in PRESETS:
            raise UsageError(f"--scenario {opts.args.scenario!r} is not a preset; choose one of {', '.join(PRESETS)}")
    run_demo: Callable[[argparse.Namespace, Console], int] = next(iter(found)).load()
    return run_demo(opts.args, console)


COMMANDS: dict[str, Callable[[Resolved, Console], int]] = {
    "export": cmd_export, "validate": cmd_validate, "upload": cmd_upload, "sync": cmd_sync,
    "trigger": cmd_trigger, "status": cmd_status, "verify": cmd_verify, "demo": cmd_demo,
    "diff": diff.cmd_diff,
    "predict": lambda opts, console: predict_cli.run(opts.args, console),
    "doctor": doctor_cli.cmd_doctor,
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code. Errors become one line on stderr."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    as_json = getattr(args, "json", False)
    console = Console(stderr=as_json, highlight=False, soft_wrap=True)
    try:
        resolved = Resolved(args)
        resolved.require(NEEDED_SETTINGS.get(args.command, []))
        return COMMANDS[args.command](resolved, console)
    except SyncError as error:
        _report_error(error, as_json)
        return error.exit_code
    except OSError as error:  # a file we could not write, a port we could not bind
        _report_error(SyncError(f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")), as_json)
        return EXIT_FAILED
    except KeyboardInterrupt:
        sys.stderr.write("license-sync: interrupted\n")
        return 130
    except Exception as error:
        if os.environ.get("LICENSE_SYNC_DEBUG"):
            raise
        sys.stderr.write(f"license-sync: internal error: {type(error).__name__}: {error} "
                         "(a bug in license-sync; set LICENSE_SYNC_DEBUG=1 to see the traceback)\n")
        return EXIT_INTERNAL


def _report_error(error: SyncError, as_json: bool) -> None:
    """One line (plus any listed problems) on stderr; under --json also the error as JSON on stdout."""
    lines = [f"license-sync: error: {error.message}"] + [f"  {line}" for line in error.details()]
    sys.stderr.write("\n".join(lines) + "\n")
    if as_json:
        _emit_json(error.as_json())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
