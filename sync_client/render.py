"""How results look in a terminal: rich tables for status, verify and file checks.

WHY one module: the CLI commands and the demo show the same objects (a verify report, the
sync-status table); drawing them once keeps the two consistent.
"""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from .exportfile import FileCheck
from .verify import VerifyReport


def file_check(console: Console, name: str, check: FileCheck) -> None:
    """`validate`'s verdict: a header line, then each problem as `path: message`."""
    if check.kind == "github":
        _github_file_check(console, name, check)
        return
    kind = "encrypted" if check.encrypted else "plain"
    users = "" if check.users is None else f", {len(check.users)} users"
    if check.ok:
        schema = f", schema {check.schema_version}" if check.schema_version else ""
        console.print(f"[green]✓[/] {name} is a valid export ({kind}{users}, server {check.server_id}{schema})",
                      highlight=False)
        for warning in check.warnings:
            console.print(f"[yellow]![/] warning: {warning}", highlight=False)
        return
    console.print(f"[red]✗[/] {name} is not a valid export: {len(check.problems)} problem(s)", highlight=False)
    for problem in check.problems:
        console.print(f"  {problem.line()}", markup=False, highlight=False)


def _github_file_check(console: Console, name: str, check: FileCheck) -> None:
    """An export in GitHub's own shape: what was checked, and that its users cannot be."""
    head = (f"[green]✓[/] {name} is an export as GitHub ships it (server {check.server_id}); its "
            "instance block is well-formed" if check.ok
            else f"[red]✗[/] {name} is an export as GitHub ships it, with {len(check.problems)} problem(s)")
    console.print(head, highlight=False)
    for problem in check.problems:
        console.print(f"  {problem.line()}", markup=False, highlight=False)
    for note in check.notes:
        console.print(f"  [yellow]note:[/] {note}", highlight=False)


def sync_status_table(rows: list[dict[str, Any]], title: str = "Enterprise Server instances") -> Table:
    """GHEC's license-sync-status as a table (a caption says so when no server is listed yet)."""
    table = Table(title=title, title_justify="left",
                  caption=None if rows else "no Enterprise Server instance has registered or synced yet")
    errors = any((row.get("last_sync") or {}).get("error") for row in rows)
    table.add_column("host name", no_wrap=True)
    table.add_column("server id", no_wrap=True)
    table.add_column("last sync", no_wrap=True)
    table.add_column("status", no_wrap=True)
    if errors:
        table.add_column("error", overflow="fold")
    for row in rows:
        last = row.get("last_sync") or {}
        status = str(last.get("status") or "never synced")
        colour = "green" if status == "success" else "red" if status == "error" else "yellow"
        cells = [str(row.get("hostname", "")), str(row.get("server_id", ""))[:8] + "…",
                 str(last.get("date") or "—"), f"[{colour}]{status}[/]"]
        table.add_row(*cells, *([str(last.get("error") or "")] if errors else []))
    return table


def status(console: Console, data: dict[str, Any]) -> None:
    """`status`: the License page's figures and the sync-status table."""
    table = Table(title=f"Enterprise {data['enterprise']}: licenses", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("consumed (total_seats_consumed)", str(data["total_seats_consumed"]))
    table.add_row("purchased (total_seats_purchased)", str(data["total_seats_purchased"]))
    table.add_row("consumed-license rows (all pages)", f"{data['rows']} over {data['pages']} page(s)")
    table.add_row("rows of GitHub.com people", str(data["rows_with_github_com_user"]))
    table.add_row("rows with server accounts", str(data["rows_with_server_accounts"]))
    table.add_row("rows of server-only people", str(data["server_only_rows"]))
    table.add_row("server accounts counted", str(data["server_accounts"]))
    console.print(table)
    console.print(sync_status_table(data["server_instances"]))


def verify_report(console: Console, report: VerifyReport) -> None:
    """`verify`: one line per check (✓/✗ with its summary), the offending values under each failure."""
    for number, check in enumerate(report.checks, 1):
        mark = "[green]✓ PASS[/]" if check.ok else "[red]✗ FAIL[/]"
        console.print(f"{mark} {number}. {check.key}: {check.title}", highlight=False)
        console.print(f"     {check.summary}", style="dim", markup=False, highlight=False)
        data = check.as_json()
        for line in data["offending"]:
            console.print(f"     - {line}", markup=False, highlight=False)
    verdict = ("[bold green]VERDICT: PROVEN[/] — only IDs and emails crossed, and every account is counted once"
               if report.ok else "[bold red]VERDICT: NOT PROVEN[/] — see the failing check(s) above")
    console.print(verdict, highlight=False)


def doctor(console: Console, findings: list[Any]) -> None:
    """`doctor`: a checklist, one row per check, with the fix beside each failure."""
    marks = {"pass": "[green]✓ pass[/]", "fail": "[red]✗ fail[/]", "warn": "[yellow]! warn[/]",
             "skip": "[dim]- skip[/]"}
    table = Table(title="license-sync doctor", title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("what was found", overflow="fold")
    table.add_column("how to fix it", overflow="fold")
    for finding in findings:
        table.add_row(marks.get(finding.status, finding.status), finding.key, finding.detail, finding.fix)
    console.print(table)
    failed = [f.key for f in findings if f.status == "fail"]
    console.print("[bold green]All checks pass.[/]" if not failed else
                  f"[bold red]{len(failed)} check(s) failed:[/] {', '.join(failed)}", highlight=False)
