"""`license-sync demo`: the whole story against both mocks, in-process, over real HTTP, narrated.

Reached from the sync client's CLI through the `license_sync.commands` entry point (`run_demo`),
so the client package never imports the mocks (see this package's docstring).

WHY it drives the real client over real HTTP instead of calling the apps directly: the demo
is also the proof that the pieces fit — the same export, upload, trigger and verify code a
user runs, against servers listening on loopback sockets.
Story: before figures → manual flow (instance 1) → Connect flow (instance 2) → after figures
with the deduplication in numbers → the privacy verdict from `verify`.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from scenarios.file import ScenarioFileError
from sync_client import render
from sync_client.clients import GhecClient, GhesClient
from sync_client.errors import EXIT_FAILED, EXIT_OK, InvalidExport, UsageError
from sync_client.exportfile import check_bytes, load_private_key
from sync_client.flows import trigger_sync, upload_usage, verify

from .servers import MockPair, start_pair


def _clients(pair: MockPair) -> tuple[GhecClient, GhesClient, GhesClient]:
    """Clients for GHEC and both GHES instances, with the tokens the seed issues."""
    ghec = GhecClient(pair.ghec.url, pair.ghec_token, pair.enterprise)
    return ghec, GhesClient(pair.ghes_url(1), pair.ghes_token(1)), GhesClient(pair.ghes_url(2), pair.ghes_token(2))


def _figures(ghec: GhecClient, ghes: list[GhesClient]) -> dict[str, Any]:
    """Seats used per GHES instance and GHEC's consumed/purchased (public endpoints)."""
    out: dict[str, Any] = {"ghes": []}
    for index, client in enumerate(ghes, 1):
        lic = client.license()
        out["ghes"].append({"instance": index, "seats": lic.get("seats"), "seats_used": lic.get("seats_used")})
    consumed = ghec.consumed_licenses()
    out["ghec"] = {"total_seats_consumed": consumed.get("total_seats_consumed"),
                   "total_seats_purchased": consumed.get("total_seats_purchased"),
                   "rows_with_server_accounts": sum(1 for r in consumed["users"] if r.get("enterprise_server_user"))}
    out["sum_without_sync"] = (sum(g["seats_used"] or 0 for g in out["ghes"])
                               + (consumed.get("total_seats_consumed") or 0))
    return out


def _figures_table(title: str, figures: dict[str, Any], show_sum: bool = True) -> Table:
    """Before/after figures side by side."""
    table = Table(title=title, title_justify="left")
    table.add_column("where")
    table.add_column("licenses", justify="right")
    for g in figures["ghes"]:
        table.add_row(f"GHES instance {g['instance']} (seats used / seats)", f"{g['seats_used']} / {g['seats']}")
    ghec = figures["ghec"]
    table.add_row("GHEC consumed / purchased", f"{ghec['total_seats_consumed']} / {ghec['total_seats_purchased']}")
    if show_sum:
        table.add_row("sum: each person counted once per side and server", str(figures["sum_without_sync"]))
    return table


REASONS = {"no_match": "no GitHub.com account has that primary email",
           "secondary_email_only": "only a secondary GHES email matches",
           "unverified_email_only": "only an unverified GitHub.com email matches"}


def dedupe_numbers(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures the demo narrates, from GHEC's `/_mock/explain/summary`."""
    by_rule = summary.get("by_rule") or {}
    reasons = dict(summary.get("unmatched_reasons") or {})
    return {
        "server_accounts": summary.get("server_accounts", 0),
        "merged_by_saml_identity": sum(v for k, v in by_rule.items() if k.startswith("saml:")),
        "merged_by_verified_email": by_rule.get("verified_email", 0),
        "unmatched_accounts": sum(reasons.values()),
        "unmatched_by_reason": reasons,
        "server_only_rows": summary.get("ghes_only_rows", 0),
        "merged_across_servers": summary.get("merged_ghes_only_rows", 0),
    }


def _dedupe_table(numbers: dict[str, Any], expected: dict[str, Any] | None) -> Table:
    """GHEC's explanation of the merge, in numbers, next to verify's own independent count."""
    table = Table(title="How GHEC deduplicated the synced GHES accounts", title_justify="left")
    table.add_column("")
    table.add_column("GHEC", justify="right")
    table.add_column("verify", justify="right", style="dim")
    mine = expected or {}

    def row(label: str, key: str, mine_key: str | None = None) -> None:
        """One line: GHEC's figure and, where verify computes it too, verify's."""
        table.add_row(label, str(numbers[key]), str(mine.get(mine_key, "")) if mine_key else "")
    row("GHES accounts synced", "server_accounts", "server_accounts")
    row("merged into a GitHub.com person by SAML/SCIM identity", "merged_by_saml_identity", "merged_by_saml_identity")
    row("merged into a GitHub.com person by verified email", "merged_by_verified_email", "merged_by_verified_email")
    row("matched no GitHub.com person", "unmatched_accounts", "unmatched_accounts")
    for reason, count in sorted(numbers["unmatched_by_reason"].items()):
        table.add_row(f"  because {REASONS.get(reason, reason)}", str(count), "")
    row("→ licenses of their own (GHES-only people)", "server_only_rows", "server_only_rows")
    row("  of which one person on several servers, merged", "merged_across_servers",
        "server_only_people_merged_across_servers")
    return table


def _story(pair: MockPair, console: Console, result: dict[str, Any]) -> bool:
    """Run and narrate every step; fills `result` (the --json summary); returns the verdict."""
    ghec, ghes1, ghes2 = _clients(pair)
    key = load_private_key()
    before = _figures(ghec, [ghes1, ghes2])
    result["before"] = before
    console.print(_figures_table("Before any sync", before))
    console.print("Without license sync a person with accounts on both sides consumes two licenses.\n")

    console.rule("Manual flow: GHES instance 1 → file → GHEC")
    with console.status("exporting license usage from instance 1…"):
        raw = ghes1.export()
    check = check_bytes(raw, key)
    console.print(f"1. [bold]Export license usage[/] (GHES → Enterprise settings → License): {len(raw):,} bytes, "
                  f"users encrypted for GHEC's key ({len(check.users or [])} accounts inside)", highlight=False)
    if not check.ok:
        raise InvalidExport("the export from instance 1 is not valid", check.problems)
    console.print("2. [bold]Validate[/] against the contract: [green]valid[/]")
    with console.status("uploading to GHEC…"):
        upload = upload_usage(ghec, raw)
    console.print("3. [bold]Add server usage[/] on GHEC: accepted", highlight=False)
    result["manual"] = {"bytes": len(raw), "accounts": len(check.users or []), "upload": upload}

    console.rule("Connect flow: GHES instance 2 → Sync now → GHEC")
    with console.status("Sync now on instance 2; waiting for GHEC's license-sync-status…") as spinner:
        synced = trigger_sync(ghes2, ghec, on_poll=lambda n: spinner.update(f"waiting for GHEC (poll {n})"))
    last = synced["last_sync"]
    console.print(f"4. [bold]Sync now[/] on instance 2: GHEC shows {last.get('status')} at {last.get('date')} "
                  f"(seen after {synced['polls']} poll(s))", highlight=False)
    result["connect"] = {"server_id": synced["server_id"], "last_sync": last}

    console.rule("After")
    after = _figures(ghec, [ghes1, ghes2])
    result["after"] = after
    console.print(_figures_table("After both syncs", after, show_sum=False))
    console.print(render.sync_status_table(ghec.license_sync_status()["server_instances"]))
    with console.status("verifying (journal scan, independent count)…"):
        report = verify(ghec, [ghes1, ghes2], key)
    summary = ghec.mock_get("/_mock/explain/summary")
    numbers = dedupe_numbers(summary)
    expected = report.expected.as_json() if report.expected else None
    console.print(_dedupe_table(numbers, expected))
    saved = before["sum_without_sync"] - (after["ghec"]["total_seats_consumed"] or 0)
    console.print(f"Unique-user licensing: {before['sum_without_sync']} licenses when each side counts on its "
                  f"own, {after['ghec']['total_seats_consumed']} after sync: {saved} licenses saved by "
                  "counting each person once.\n",
                  highlight=False)
    result["dedupe"] = {**numbers, "ghec_summary": summary, "verify_expected": expected}

    console.rule("Privacy verdict (license-sync verify)")
    render.verify_report(console, report)
    result["verify"] = report.as_json()
    return report.ok


def run_demo(args: argparse.Namespace, console: Console) -> int:
    """Start the pair, tell the story, stop (or keep running for a browser); exit 0 when proven."""
    started = time.monotonic()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the narration, not a request log
    scenario_file = getattr(args, "scenario_file", None)
    with console.status("starting mock GHEC and two mock GHES instances…"):
        try:
            pair = start_pair(args.seed, args.scenario, connect=(2,), scenario_file=scenario_file)
        except ScenarioFileError as error:
            raise UsageError(str(error)) from None
    if len(pair.ghes) < 2:
        pair.stop()
        raise UsageError(f"{scenario_file} states {len(pair.ghes)} GHES instance(s); the demo shows the manual "
                         "flow on instance 1 and GitHub Connect on instance 2, so it needs two")
    args.seed, args.scenario = pair.seed, pair.scenario
    console.print(Panel.fit(f"license-sync demo — seed {args.seed}, scenario {args.scenario}\n"
                            "two mock GHES instances and one mock GHEC, on loopback, over real HTTP",
                            title="GHES ⇄ GHEC license sync"))
    result: dict[str, Any] = {"seed": args.seed, "scenario": args.scenario,
                              "servers": {"ghec": pair.ghec.url, "ghes": [s.url for s in pair.ghes]}}
    try:
        console.print(f"GHEC {pair.ghec.url} (enterprise {pair.enterprise}); GHES 1 {pair.ghes_url(1)}; "
                      f"GHES 2 {pair.ghes_url(2)} (Connect → GHEC)\n", highlight=False)
        ok = _story(pair, console, result)
        result["ok"] = ok
        result["seconds"] = round(time.monotonic() - started, 2)
        console.print(f"[dim]demo finished in {result['seconds']}s[/]")
        if args.json:
            sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
        if args.keep_running:
            from .serve_pair import describe, wait_for_interrupt
            describe(pair, console)
            wait_for_interrupt(console)
        return EXIT_OK if ok else EXIT_FAILED
    finally:
        pair.stop()
