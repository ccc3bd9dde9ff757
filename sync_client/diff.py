"""`license-sync diff OLD NEW`: what changed between two exports of the same server.

"What changed since last week's upload?" is what an admin asks next. Both files are checked
with the contract's validator first (a diff of an invalid file would be a guess), encrypted
ones opened with the private key exactly as `validate` does. Users are matched by id; email
addresses are compared ignoring case, as GHEC matches them (docs/export-format.md §2), so a
change of case alone is not a change. Exit codes follow diff(1): 0 no difference, 1
differences, 2 a usage error (a file missing, of another server, or encrypted for another key).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console

from .errors import EXIT_FAILED, EXIT_OK, InvalidExport, UsageError
from .exportfile import FileCheck, check_bytes, read_file
from .options import Resolved, add_common, add_key

__all__ = ["add_parser", "cmd_diff", "diff_users"]

_INSTANCE_KEYS = ("host_name", "version", "http_only", "license", "public_key", "features")


def add_parser(sub: Any) -> None:
    """Register `diff` on the CLI's subparsers (called from cli.build_parser)."""
    p = sub.add_parser("diff", help="what changed between two exports of the same server")
    p.add_argument("old", metavar="OLD", help="the earlier export file")
    p.add_argument("new", metavar="NEW", help="the later export file")
    add_key(p)
    add_common(p)


def _primary(user: dict[str, Any]) -> str:
    """The user's primary address as written."""
    return next((e["address"] for e in user["emails"] if e["primary"]), "")


def diff_users(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """Users added and removed (by id), emails added/removed and primaries moved (ignoring case)."""
    before = {u["id"]: u for u in old}
    after = {u["id"]: u for u in new}
    changed, moved = [], []
    for uid in sorted(before.keys() & after.keys()):
        was = {e["address"].lower(): e["address"] for e in before[uid]["emails"]}
        now = {e["address"].lower(): e["address"] for e in after[uid]["emails"]}
        if was.keys() != now.keys():
            changed.append({"id": uid, "added": sorted(now[a] for a in now.keys() - was.keys()),
                            "removed": sorted(was[a] for a in was.keys() - now.keys())})
        if _primary(before[uid]).lower() != _primary(after[uid]).lower():
            moved.append({"id": uid, "old": _primary(before[uid]), "new": _primary(after[uid])})
    touched = {c["id"] for c in changed} | {m["id"] for m in moved}
    return {
        "added": [{"id": uid, "primary": _primary(after[uid])} for uid in sorted(after.keys() - before.keys())],
        "removed": [{"id": uid, "primary": _primary(before[uid])} for uid in sorted(before.keys() - after.keys())],
        "emails_changed": changed, "primary_moved": moved,
        "unchanged": len((before.keys() & after.keys()) - touched),
    }


def _readable(name: str, raw: bytes, opts: Resolved) -> tuple[FileCheck, dict[str, Any]]:
    """A valid export whose users can be read, and its parsed top level; else a one-line error."""
    check = check_bytes(raw, opts.private_key())
    if check.kind == "github":
        raise UsageError(f"{name} is an export as GitHub ships it: its user list is encrypted for GitHub "
                         "and cannot be read, so there is nothing to compare")
    if not check.ok:
        raise InvalidExport(f"{name} is not a valid export; not comparing", check.problems)
    if check.users is None:
        raise UsageError(f"{name} is encrypted and its users cannot be read without the matching key "
                         "(pass --ghec-private-key PATH)")
    return check, json.loads(raw)


def cmd_diff(opts: Resolved, console: Console) -> int:
    """Compare OLD and NEW; print the changes (or JSON); exit 1 when there are any."""
    args: argparse.Namespace = opts.args
    old_check, old_doc = _readable(args.old, read_file(args.old), opts)
    new_check, new_doc = _readable(args.new, read_file(args.new), opts)
    if old_check.server_id != new_check.server_id:
        raise UsageError(f"{args.old} is from server {old_check.server_id} and {args.new} from server "
                         f"{new_check.server_id}: diff compares two exports of the same server")
    changes = diff_users(old_check.users or [], new_check.users or [])
    instance = [{"key": key, "old": old_doc["instance"].get(key), "new": new_doc["instance"].get(key)}
                for key in _INSTANCE_KEYS if old_doc["instance"].get(key) != new_doc["instance"].get(key)]
    report = {"server_id": new_check.server_id, "host_name": new_check.host_name,
              "old": {"file": args.old, "generated_at": old_doc["generated_at"], "users": len(old_check.users or [])},
              "new": {"file": args.new, "generated_at": new_doc["generated_at"], "users": len(new_check.users or [])},
              "instance_changed": instance, **changes}
    different = bool(instance or any(changes[k] for k in ("added", "removed", "emails_changed", "primary_moved")))
    report["different"] = different
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    else:
        _print(console, report)
    return EXIT_FAILED if different else EXIT_OK


def _count(n: int, what: str) -> str:
    """`1 user` / `3 users`."""
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _print(console: Console, report: dict[str, Any]) -> None:
    """The report for a terminal: one line per change, grouped, ids first."""
    def line(text: str) -> None:
        console.print(text, markup=False, highlight=False)
    old, new = report["old"], report["new"]
    line(f"server {report['server_id']} ({report['host_name']}): {old['file']} ({old['generated_at']}, "
         f"{_count(old['users'], 'user')}) → {new['file']} ({new['generated_at']}, {_count(new['users'], 'user')})")
    for change in report["instance_changed"]:
        line(f"  instance.{change['key']}: {json.dumps(change['old'])} → {json.dumps(change['new'])}")
    groups = (("added", "+", "added"), ("removed", "-", "removed"))
    for key, mark, verb in groups:
        if report[key]:
            line(f"{mark} {_count(len(report[key]), 'user')} {verb}")
            for user in report[key]:
                line(f"    {mark} {user['id']}  {user['primary']}")
    if report["emails_changed"]:
        line(f"~ {_count(len(report['emails_changed']), 'user')} with emails added or removed")
        for user in report["emails_changed"]:
            parts = [f"+{a}" for a in user["added"]] + [f"-{a}" for a in user["removed"]]
            line(f"    ~ {user['id']}  {' '.join(parts)}")
    if report["primary_moved"]:
        line(f"> {_count(len(report['primary_moved']), 'primary email')} moved")
        for user in report["primary_moved"]:
            line(f"    > {user['id']}  {user['old']} → {user['new']}")
    line(f"= {_count(report['unchanged'], 'user')} unchanged" if report["different"]
         else f"no differences: {_count(report['unchanged'], 'user')}, the same ids and emails")
