"""The `license-sync predict` command: its flags, and the answer as a table, JSON or CSV.

Kept apart from cli.py so the command is one registration there; the work is predict.py.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .errors import EXIT_OK, UsageError
from .predict import Prediction, explain
from .predict_world import predict_files
from .report_files import GhesSource, parse_host_arg, read_ghec_report, read_ghes_source

HELP = ("predict what license sync will do to the bill, from GitHub's report files "
        "(runs locally, sends nothing anywhere)")
DESCRIPTION = """Read GHES's site-admin report all_users.csv (or this project's export file) for each GHES
instance and GHEC's license report CSV, state them as a scenario-file world, count that world
with the mock GHEC's own rules (who is billed, then GHEC's matching) locally, and print
the licenses now (each side counted alone), after sync, the saving, and every person who will
still consume two licenses with the reason and GitHub's recommended fix.

This command runs locally and sends nothing anywhere: it opens no network connection."""
CSV_COLUMNS = ["github_com_login", "enterprise_server_user_ids", "enterprise_server_primary_emails",
               "total_user_accounts", "still_two_licenses", "reason", "fix"]


def add_parser(sub: Any) -> None:
    """Register `predict` on the CLI's subcommands."""
    p = sub.add_parser("predict", help=HELP, description=DESCRIPTION,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ghes-report", action="append", default=[], metavar="[HOST=]FILE", required=True,
                   help="a GHES all_users.csv (HOST= names the instance; default the file name) or an export "
                        "file; once per instance")
    p.add_argument("--ghec-report", required=True, metavar="FILE",
                   help="GHEC's license report CSV (current or older snake_case headers)")
    p.add_argument("--ghec-private-key", metavar="PATH", help="PEM key that opens encrypted export files")
    p.add_argument("--explain", metavar="LOGIN", help="why one GitHub.com or GHES login ends where it does")
    p.add_argument("--csv", metavar="OUT", help="also write every predicted license as CSV to OUT")
    p.add_argument("--json", action="store_true", help="print the prediction as JSON")
    p.add_argument("--scenario-out", metavar="FILE",
                   help="also write the world predict counted as a scenario file (JSON for a .json name, else "
                        "YAML), for mock-ghec/mock-ghes serve --scenario-file")


def run(args: argparse.Namespace, console: Console) -> int:
    """Read the files, predict, print; a file predict cannot read is one `path:line: message`."""
    key = None
    if args.ghec_private_key:
        from .exportfile import load_private_key
        key = load_private_key(args.ghec_private_key)
    sources: list[GhesSource] = []
    hosts: dict[str, str] = {}
    for value in args.ghes_report:
        host, path = parse_host_arg(value)
        source = read_ghes_source(path, host, key)
        if source.host in hosts:
            raise UsageError(f"{path} and {hosts[source.host]} both name the instance {source.host!r}: "
                             "give HOST=FILE for each")
        hosts[source.host] = path
        sources.append(source)
    world, result = predict_files(sources, read_ghec_report(args.ghec_report))
    if args.scenario_out:
        write_scenario(world.document, args.scenario_out)
    if args.csv:
        write_csv(result, args.csv)
    if args.json:
        data = result.as_json()
        if args.explain:
            data["explain"] = explain(result, args.explain)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        show(console, result, args.explain)
    return EXIT_OK


def write_scenario(document: dict[str, Any], out: str) -> None:
    """The world predict counted, as a scenario file the mocks load (`serve --scenario-file`)."""
    from scenarios.file.dump import dump_text

    try:
        Path(out).write_text(dump_text(document, out), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{out}: {error.strerror or error}") from error


def write_csv(result: Prediction, out: str) -> None:
    """Every predicted license, with the still-two-licenses findings on the GitHub.com person's line."""
    doubles = {s.github_com_login: s for s in result.still_two}
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in result.rows:
            data = row.as_json()
            double = doubles.get(row.github_com_login) if row.github_com_login else None
            writer.writerow([data["github_com_login"], ", ".join(data["enterprise_server_user_ids"]),
                             ", ".join(data["enterprise_server_primary_emails"]), data["total_user_accounts"],
                             "true" if double else "false", double.reason if double else "",
                             double.fix if double else ""])


def show(console: Console, result: Prediction, login: str | None) -> None:
    """The summary, the people still consuming two, and an explanation when asked."""
    summary = Table(title="Licenses", show_header=True)
    for column in ("", "licenses"):
        summary.add_column(column)
    summary.add_row("now: GHES accounts", str(result.ghes_licenses))
    summary.add_row("now: GitHub.com accounts", str(result.ghec_licenses))
    summary.add_row("now: total (each side alone)", str(result.now))
    summary.add_row("after license sync", str(result.after))
    summary.add_row("saving", str(result.saving))
    console.print(summary)
    if result.still_two:
        count = len(result.still_two)
        table = Table(title=f"{count} {'person' if count == 1 else 'people'} will still consume two licenses")
        for column in ("GHES account", "GitHub.com", "why", "fix"):
            table.add_column(column, overflow="fold")
        for item in result.still_two:
            table.add_row(f"{item.ghes.login or item.ghes.user_id} ({item.ghes.host}, {item.ghes.primary})",
                          item.github_com_login, item.reason, item.fix)
        console.print(table)
    else:
        console.print("Nobody the files show will consume two licenses.")
    if login:
        lines = explain(result, login)
        console.print("\n".join(lines) if lines else f"{login}: not in the files given", highlight=False)
