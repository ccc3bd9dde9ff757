"""The library's flows: export, upload, trigger, status and verify, as plain functions over clients.

WHY functions over clients rather than CLI code: the CLI, the demo and the tests run the same
flows; only how the result is shown differs.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .clients import GhecClient, GhesClient
from .errors import SyncError, UsageError
from .evidence import gather
from .verify import VerifyReport, run_checks

#: `last_sync.status` values that mean "registered, nothing synced yet" (GitHub documents only
#: `success`; the mock GHEC lists a registered-but-never-synced server as `never_synced`).
NOT_A_SYNC = (None, "", "never_synced", "pending", "in_progress")


class TimedOut(SyncError):
    """GHEC did not show the sync before the deadline."""

    exit_code = 3


def upload_usage(ghec: GhecClient, raw: bytes, force: bool = False) -> dict[str, Any]:
    """Upload an export to GHEC ("Add server usage"); GHEC's refusal raises ApiError with its problems.

    `force` replaces a newer file GHEC has from the same server (else a 409)."""
    return ghec.upload(raw, force=force)


def server_row(status: dict[str, Any], server_id: str | None) -> dict[str, Any] | None:
    """The license-sync-status row of one server, if listed (None: a server not yet known)."""
    for row in status.get("server_instances") or []:
        if row.get("server_id") == server_id:
            return row
    return None


def trigger_sync(ghes: GhesClient, ghec: GhecClient, *, deadline: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 on_poll: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Press "Sync now" on GHES, then poll GHEC's public license-sync-status until it shows the sync.

    WHY poll with a deadline: Connect may deliver later than GHES answers; a fixed sleep is
    either too short (flaky) or too long (slow). "Shows the sync" means the server's
    `last_sync` changed from what it was before the trigger. A re-sync within the same second
    leaves the date unchanged, so when GHES's own attempt record has already finished, three
    consistent polls that agree with it also count. When GHES says its push failed and GHEC
    still shows nothing new after three polls, GHES's reason is reported instead of waiting.
    """
    connect = ghes.connect()
    server_id = connect.get("server_id")
    if not connect.get("ghec_url") or not connect.get("license_sync", True):
        raise UsageError(f"GitHub Connect license sync is not configured on {ghes.where}: turn it on in its "
                         "License page's GitHub Connect form, with PUT /api/v3/enterprise/connect "
                         "{ghec_url, enterprise, token, license_sync: true}, or `mock-ghes serve --connect-url … "
                         "--connect-enterprise … --connect-token …` (the Connect token `mock-ghec serve` prints); "
                         "or sync by hand: license-sync export, then upload")
    before = server_row(ghec.license_sync_status(), server_id) if server_id else None
    before_sync = (before or {}).get("last_sync")
    attempt = ghes.sync_now()
    result = attempt.get("result") or (attempt.get("last_sync") or {}).get("result")
    start, polls, delay, agreeing = clock(), 0, 0.05, 0
    while True:
        polls += 1
        if on_poll:
            on_poll(polls)
        row = server_row(ghec.license_sync_status(), server_id)
        last = (row or {}).get("last_sync") or {}
        done = {"server_id": server_id, "hostname": (row or {}).get("hostname"), "last_sync": last,
                "attempt": attempt, "polls": polls}
        if row is not None and last != (before_sync or {}) and last.get("status") not in NOT_A_SYNC:
            return done  # a new sync (success or error) is showing
        if row is not None and result and last.get("status") == ("success" if result == "success" else "error"):
            agreeing += 1
            if agreeing >= 3:
                return done  # a same-second re-sync that agrees with GHES's finished attempt
        if result == "failure" and polls >= 3:
            raise SyncError(f"Sync now failed on {ghes.where}: {attempt.get('error') or 'no reason given'} "
                            f"(GHEC shows no new sync for server {server_id})")
        if clock() - start > deadline:
            raise TimedOut(f"GHEC at {ghec.root} did not show a new sync for server {server_id} "
                           f"within {deadline:.0f}s (GHES attempt: {result or 'unknown'})")
        sleep(delay)  # poll interval, bounded by the deadline above
        delay = min(delay * 2, 1.0)


def read_status(ghec: GhecClient, on_page: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Consumed licenses and sync status through GitHub's public endpoints only (works on any GHEC)."""
    consumed = ghec.consumed_licenses(on_page=on_page)
    status = ghec.license_sync_status()
    rows = consumed["users"]
    server_rows = [r for r in rows if r.get("enterprise_server_user")]
    return {
        "enterprise": ghec.enterprise,
        "total_seats_consumed": consumed.get("total_seats_consumed"),
        "total_seats_purchased": consumed.get("total_seats_purchased"),
        "rows": len(rows), "pages": consumed["pages"],
        "rows_with_github_com_user": sum(1 for r in rows if r.get("github_com_user")),
        "rows_with_server_accounts": len(server_rows),
        "server_only_rows": sum(1 for r in server_rows if not r.get("github_com_user")),
        "server_accounts": sum(len(r.get("enterprise_server_user_ids") or []) for r in rows),
        "server_instances": status.get("server_instances") or [],
    }


def verify(ghec: GhecClient, ghes: list[GhesClient], private_key: Any,
           files: list[tuple[str, bytes]] | None = None, scoped: bool = False) -> VerifyReport:
    """Gather the evidence from both sides and run the four checks.

    `scoped=True` (what `sync` uses) judges only the GHES given: other servers that synced
    into the same enterprise are neither required nor vouched for, and the total (which
    depends on them) is compared only when no other server has synced.
    """
    if not ghes:
        raise UsageError("verify needs every synced GHES's root URL: --ghes-url (repeat) or GHES_URL")
    return run_checks(gather(ghec, ghes, private_key, files, scoped), private_key)
