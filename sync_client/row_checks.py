"""Check 3's row-level findings: where each server account sits in GHEC's consumed-license rows.

WHY apart from verify.py: these two walk GHEC's rows (thousands of them) and group what they
find, so a person reads one line per cause; verify.py decides which checks run and what they mean.
"""
from __future__ import annotations

from typing import Any

from .dedupe import Dedupe
from .report import Check


def unexported(check: Check, keys: set[str], not_given: set[str], listed: int = 5) -> None:
    """Accounts in GHEC's output that no accepted export holds: one line per server host, counted.

    WHY grouped: one missing server means every one of its accounts is "missing"; sixty lines
    that say the same hide the one cause. A host whose GHES verify was not given is already
    reported as such and is not repeated here.
    """
    by_host: dict[str, list[str]] = {}
    for key in keys:
        by_host.setdefault(key.rpartition(":")[0], []).append(key)
    for host in sorted(by_host):
        if host in not_given:
            continue
        found = sorted(by_host[host], key=lambda k: (len(k), k))
        more = f" and {len(found) - listed} more" if len(found) > listed else ""
        check.fail(f"{len(found)} account(s) of {host} are in GHEC's output but in no export GHEC accepted: "
                   f"{', '.join(found[:listed])}{more}")


def check_rows(check: Check, rows: list[dict[str, Any]], expected: Dedupe) -> None:
    """Each server account sits in the row §4 says: its GitHub.com person's, or its email's own row."""
    row_key_of: dict[str, str] = {}
    for row in rows:
        login = row.get("github_com_login") or ""
        for key in row.get("enterprise_server_user_ids") or []:
            row_key_of[key] = f"ghec:{login}" if login else "server-only"
    email_rows: dict[str, set[int]] = {}
    for index, row in enumerate(rows):
        for key in row.get("enterprise_server_user_ids") or []:
            target = expected.row_of.get(key, "")
            if target.startswith("email:"):
                email_rows.setdefault(target, set()).add(index)
    for key, target in expected.row_of.items():
        got = row_key_of.get(key)
        if got is None:
            continue  # already reported as missing
        want = target if target.startswith("ghec:") else "server-only"
        if got != want:
            check.fail(f"{key} is in row {got!r} but DOMAIN §4 puts it in {want!r}")
    for target, indexes in email_rows.items():
        if len(indexes) > 1:
            check.fail(f"accounts with primary email {target[6:]!r} are split over {len(indexes)} rows (expected one)")
