#!/usr/bin/env python
"""Regenerate the published JSON Schema files, and optionally the generated golden files.

    .venv/bin/python tools/gen_schema.py            # fixtures/schema/<name>/<version>.json, scenario-file/*.json
    .venv/bin/python tools/gen_schema.py --check    # exit 1 if they are out of date
    .venv/bin/python tools/gen_schema.py --golden   # also fixtures/golden/{small,edge-cases}*
    .venv/bin/python tools/gen_schema.py --force    # rewrite an existing version's file (unpublished work only)

WHY a script: the schema is derived from the marshmallow schemas (export_format/schemas.py)
and checked in so non-Python consumers can use it; tests/contract/test_schema_drift.py fails
when the checked-in copy is stale and names this script. Golden files are only rewritten on
request because the encrypted one gets a fresh random key and nonce every time.
Published schema versions are kept forever and never change: when the generated schema of the
current version (export_format/versions.py: SCHEMA_VERSION) differs from its existing file,
this script refuses to overwrite it and asks for a version bump (docs/export-format.md §7),
unless --force says the version was never published (work on a branch).
`fixtures/golden/handwritten.plain.json` is written by hand and never touched here.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from export_format import build_export, load_public_key  # noqa: E402
from export_format.json_schema import schema_files  # noqa: E402
from export_format.limits import MAX_EMAIL_LENGTH, MAX_EMAIL_LOCAL_LENGTH, MAX_EMAILS_PER_USER, MAX_USER_ID  # noqa: E402
from export_format.versions import SCHEMA_VERSION  # noqa: E402
from scenarios.file.json_schema import scenario_schema_files  # noqa: E402

GOLDEN = ROOT / "export_format" / "published" / "golden"  # = fixtures/golden (a link)
LICENSE_HASH = "sha256:" + hashlib.sha256(b"TEST-ONLY license for the mock pair").hexdigest()
LICENSE_KEY = "-----BEGIN PUBLIC KEY-----\nTEST-ONLY-LICENSE-KEY-NOT-A-REAL-KEY\n-----END PUBLIC KEY-----\n"


def small_instance() -> dict:
    """An ordinary instance block, as a mock GHES with one Connect feature would write it."""
    return {"server_id": "3f2c8a71-5d4e-4b9a-8c1f-6e7d2b0a9c54", "host_name": "ghes-1.acme.example",
            "version": "3.15.2", "http_only": False, "license": LICENSE_HASH,
            "public_key": LICENSE_KEY,
            "features": [{"name": "license_usage_sync", "enabled_at": "2026-09-01T08:30:00Z"}]}


def small_users() -> list[dict]:
    """Four ordinary users: one email, two emails, primary not first, three emails."""
    def email(address: str, primary: bool = False) -> dict:
        """One email object; keeps the list below readable."""
        return {"address": address, "primary": primary}
    return [
        {"id": 1, "emails": [email("ada@acme.example", True)]},
        {"id": 2, "emails": [email("grace@acme.example", True), email("grace@home.example")]},
        {"id": 5, "emails": [email("linus@home.example"), email("linus@acme.example", True)]},
        {"id": 7, "emails": [email("margaret@acme.example", True), email("mh@nasa.example"),
                             email("margaret.h@home.example")]},
    ]


def edge_users() -> list[dict]:
    """Valid but unusual: the limits reached exactly, odd characters, case across users."""
    many = [{"address": f"alias{n:03d}@many.example", "primary": n == 57}
            for n in range(MAX_EMAILS_PER_USER)]
    local = "l" * MAX_EMAIL_LOCAL_LENGTH
    remaining = MAX_EMAIL_LENGTH - len(local) - len("@") - len(".example")
    labels = []
    while remaining > 64:  # 63-character labels (the DNS maximum) and their dots
        labels.append("d" * 63)
        remaining -= 64
    labels.append("e" * remaining)
    longest = f"{local}@{'.'.join(labels)}.example"
    assert len(longest) == MAX_EMAIL_LENGTH, len(longest)
    return [
        {"id": MAX_USER_ID, "emails": [{"address": "biggest.id@acme.example", "primary": True}]},
        {"id": 1, "emails": many},
        {"id": 2, "emails": [{"address": "Alice@Example.COM", "primary": True}]},
        {"id": 3, "emails": [{"address": "alice@example.com", "primary": True},
                             {"address": "ALICE@other.example", "primary": False}]},
        {"id": 4, "emails": [{"address": "o'brien+tag@sub.acme.example", "primary": True},
                             {"address": "a.b-c_d@xn--bcher-kva.example", "primary": False},
                             {"address": "#!$%&'*+-/=?^_`{|}~@example.org", "primary": False}]},
        {"id": 10, "emails": [{"address": longest, "primary": True}]},
    ]


def edge_instance() -> dict:
    """An instance with TLS off, a port, a pre-release version and no features enabled."""
    return {"server_id": "00000000-0000-4000-8000-000000000000", "host_name": "localhost:8443",
            "version": "3.16.0-rc.1", "http_only": True, "license": LICENSE_HASH,
            "public_key": "opaque\tkey\r\nwith whitespace", "features": []}


def write_golden() -> list[Path]:
    """Write the generated golden files (the encrypted one to the TEST-ONLY public key)."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    outputs = {
        "small.plain.json": build_export(small_instance(), users=small_users(),
                                         generated_at="2026-11-28T10:00:00Z"),
        "small.encrypted.json": build_export(small_instance(), users=small_users(),
                                             encrypt_to=load_public_key(),
                                             generated_at="2026-11-28T10:00:00Z"),
        "edge-cases.plain.json": build_export(edge_instance(), users=edge_users(),
                                              generated_at="2026-02-28T23:59:59.999999Z"),
    }
    for name, data in outputs.items():
        (GOLDEN / name).write_bytes(data)
    return [GOLDEN / name for name in outputs]


def main(argv: list[str] | None = None) -> int:
    """Write (or --check) the schema files; --golden also rewrites the generated goldens."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--golden", action="store_true", help="also rewrite golden files")
    parser.add_argument("--force", action="store_true",
                        help="overwrite an existing version's file (only for a version never published)")
    args = parser.parse_args(argv)
    stale = []
    for path, text in {**schema_files(), **scenario_schema_files()}.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if current is not None and not args.check and not args.force:
            print(f"refusing to rewrite {path.relative_to(ROOT)}: schema version {SCHEMA_VERSION} exists and "
                  "published versions never change; bump SCHEMA_VERSION in export_format/versions.py "
                  "(docs/export-format.md §7) or pass --force if it was never published", file=sys.stderr)
            return 1
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path.relative_to(ROOT)}")
    if args.golden and not args.check:
        for path in write_golden():
            print(f"wrote {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
