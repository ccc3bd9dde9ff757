"""The data the figures run on: one seeded world seen from both mocks, and export files built from it.

WHY one world for both sides: GHEC's matching cost depends on how many uploaded users find
a GitHub.com account (identity or verified email) and how many become GHES-only rows, so the
upload figures use an export from the same people GHEC knows: `large` with 123,000 people
and one GHES instance gives just over 100,000 license-consuming accounts, trimmed (suspended)
to exactly 100,000, and about 90,000 GitHub.com accounts in the main enterprise.

The 1,000,000-user file is those 100,000 real users plus 900,000 synthetic GHES-only users
(unique addresses on a domain GHEC does not verify, 30% with a secondary address), so it
exercises every matching outcome at the size of the biggest GHES installations.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

SEED, PRESET = 1, "large"
PARAMS = {"people": 123_000, "ghes_instances": 1}
USERS = 100_000
MILLION = 1_000_000
SMALL_USERS = 10_000  # GHES-only users uploaded to a demo GHEC: the "10,000 rows" side of the p50 ratio
GENERATED_AT = "2026-01-01T00:00:00Z"


def ghes_app(state: Path) -> Any:
    """A mock GHES on the world's instance 1 with exactly USERS license-consuming accounts."""
    from mock_ghes import create_app

    app = create_app({"SEED": SEED, "SCENARIO": PRESET, "SCENARIO_PARAMS": PARAMS, "STATE_PATH": str(state)})
    runtime = app.extensions["ghes"].runtime
    condition = runtime.rules.sql()
    consuming = runtime.db.one(f"SELECT COUNT(*) FROM ghes_users WHERE {condition}")[0]
    if consuming < USERS:
        raise RuntimeError(f"the bench world has only {consuming:,} consuming users; raise PARAMS['people']")
    runtime.db.execute(
        "UPDATE ghes_users SET suspended = 1, suspended_at = created_at, suspension_reason = 'bench trim' "
        f"WHERE id IN (SELECT id FROM ghes_users WHERE {condition} ORDER BY id DESC LIMIT ?)",
        (consuming - USERS,))
    return app


def build_ghec_state(state: Path) -> None:
    """Seed a mock GHEC state file with the world (run in a subprocess, beside the GHES seeding)."""
    from mock_ghec import create_app

    app = create_app({"SEED": SEED, "SCENARIO": PRESET, "SCENARIO_PARAMS": PARAMS, "STATE_PATH": str(state)})
    app.extensions["mock"].db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    app.extensions["mock"].db.close()


def migrate_state(state: Path) -> None:
    """Bring a kept GHEC state file to this code's tables version (its migrations run on open).
    WHY: the figures copy the pristine file over an open app's; a file of an older version copied
    there would be read without its migrations (a column the code reads would be missing)."""
    from mock_ghec import create_app

    create_app({"STATE_PATH": str(state)}).extensions["mock"].db.close()


def remove_state(target: Path) -> None:
    """Delete a state file with its WAL files and the server's side files of an earlier run (its
    journal, its rate-limit slots).

    WHY the side files go too: with a reused `--workdir` the rate-limit slots of every earlier run
    were kept, and after about ten runs the token's hourly budget was spent before the
    page-latency step had made its 450 requests (a 403 instead of a figure).
    """
    from github_http.state_file import remove_with_wal, side_path

    remove_with_wal(target)
    remove_with_wal(side_path(target, "requests"))
    for stale in (target.with_name(f"{target.stem}.ratelimit.slots"), target.with_name(f"{target.stem}.requests.log")):
        stale.unlink(missing_ok=True)


def copy_state(pristine: Path, target: Path) -> None:
    """A fresh copy of a (checkpointed, closed) state file in place of `target` and everything an
    earlier run left beside it (remove_state); then the copy is flushed to disk (os.sync), so the
    next timed step does not share the disk with the copy's write-back."""
    remove_state(target)
    if pristine.exists():
        shutil.copyfile(pristine, target)
    os.sync()


def synthetic_users(count: int, first_id: int, tag: str) -> bytes:
    """`count` GHES-only user records as a JSON array: unique primaries nobody on GHEC has."""
    parts = []
    append = parts.append
    for uid in range(first_id, first_id + count):
        primary = f'{{"address":"user{uid}.{tag}@ghes-only.example","primary":true}}'
        if uid % 10 < 3:
            append(f'{{"id":{uid},"emails":[{primary},{{"address":"u{uid}.{tag}@mail.example","primary":false}}]}}')
        else:
            append(f'{{"id":{uid},"emails":[{primary}]}}')
    return ("[" + ",".join(parts) + "]").encode("ascii")


def export_file(instance: dict[str, Any], users_json: bytes) -> bytes:
    """A plain export file of `users_json` from `instance` (the contract's own writer)."""
    from export_format import build_export

    return build_export(instance, users_json=users_json, generated_at=GENERATED_AT)


def bigger_file(plain_export: bytes, total: int) -> bytes:
    """The real export's users plus synthetic GHES-only ones, `total` users, same server."""
    doc = json.loads(plain_export)
    real = plain_export[plain_export.index(b'"users":[') + 8:plain_export.rindex(b"]") + 1]
    top = max(user["id"] for user in doc["users"])
    extra = synthetic_users(total - len(doc["users"]), top + 1, "big")
    return export_file(doc["instance"], real[:-1] + b"," + extra[1:])


def small_file(plain_export: bytes, count: int) -> bytes:
    """`count` synthetic GHES-only users from the same instance (for a GHEC with few rows)."""
    return export_file(json.loads(plain_export)["instance"], synthetic_users(count, 1, "small"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["ghec-state"]:
        build_ghec_state(Path(sys.argv[2]))
        print(json.dumps({"ok": True}))
    else:
        raise SystemExit("usage: python -m bench.workloads ghec-state PATH")
