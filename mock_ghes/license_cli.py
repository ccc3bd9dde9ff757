"""The appliance's command-line twins beside `license usage`: `ghe-license info|check|import` and `ghe-user-csv`.

Outputs follow GitHub's documentation (DOMAIN.md §8): `check` prints `License is valid.`,
`import` says where the license was written and `License synchronized.`, `info -j` has the
documented keys. `user-csv`'s columns are not documented by GitHub; the mock's choice is
USER_CSV_COLUMNS (docs/ghes.md). Each command works on a state file (`--state`) or, without
one, on the scenario's fresh world, exactly as `license usage` does.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from github_http import parse_time

from .license_file import InvalidLicense, apply_license, parse_license

if TYPE_CHECKING:
    from .runtime import Runtime

LICENSE_PATH = "/data/user/common/enterprise.ghl"  # where GHES keeps the imported license
USER_CSV_COLUMNS = ["login", "email", "role", "ssh_keys", "org_memberships", "repos", "suspended?",
                    "dormant?", "last_logged_ip", "created_at", "last_active"]


def usage_command(version: str) -> str:
    """The export command's name on this GHES: `ghe-license usage` from 3.13, `ghe-license-usage` before."""
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return "ghe-license usage"
    return "ghe-license usage" if (major, minor) >= (3, 13) else "ghe-license-usage"


def license_info(runtime: Runtime) -> dict[str, Any]:
    """`ghe-license info -j`: the documented keys, from the instance's license."""
    instance = runtime.store.instance()
    unlimited = instance["seats"] == "unlimited"
    return {"seats": 0 if unlimited else instance["seats"], "unlimited_seating": unlimited,
            "expire_at": instance["expire_at"], "evaluation": instance["license_kind"] == "evaluation",
            "perpetual": False, "company": instance["company"], "reference_number": instance["reference_number"],
            "advanced_security_enabled": False, "advanced_security_seats": 0}


def info(runtime: Runtime, args: argparse.Namespace) -> int:
    """Print the license: JSON with -j, else one `key: value` line per key."""
    data = license_info(runtime)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key}: {json.dumps(value) if isinstance(value, bool) else value}")
    return 0


def check(runtime: Runtime, args: argparse.Namespace) -> int:
    """`License is valid.` (exit 0), or that it expired (exit 1), on the app clock."""
    expired = parse_time(runtime.store.instance()["expire_at"]) <= runtime.clock.now()
    print("License is expired." if expired else "License is valid.")
    return 1 if expired else 0


def import_license(runtime: Runtime, args: argparse.Namespace) -> int:
    """Apply a license from standard input (--pipe) or GHE_LICENSE_FILE."""
    if args.pipe:
        raw = sys.stdin.buffer.read()
    elif os.environ.get("GHE_LICENSE_FILE"):
        raw = Path(os.environ["GHE_LICENSE_FILE"]).read_bytes()
    else:
        print("ghe-license import: give the license with --pipe (standard input) or GHE_LICENSE_FILE=PATH",
              file=sys.stderr)
        return 2
    try:
        apply_license(runtime.store, parse_license(raw))
    except InvalidLicense as error:
        print(f"ghe-license import: {error}", file=sys.stderr)
        return 2
    print(f"License imported at {LICENSE_PATH}.")
    print("License synchronized.")
    if runtime.db.ephemeral:
        print("(mock: no --state was given, so the imported license is not kept)", file=sys.stderr)
    return 0


def user_csv(runtime: Runtime, args: argparse.Namespace) -> int:
    """Every account (ghost left out) as CSV on standard output, like `ghe-user-csv -o > users.csv`."""
    from github_http.csv_cells import csv_text

    from .report_schemas import UserReportRowSchema
    from .reports import user_report_row  # Flask is loaded only for the command that needs it

    schema = UserReportRowSchema()
    rows = [schema.dump(user_report_row(u)) for u in runtime.reports.user_rows()]
    sys.stdout.write(csv_text(USER_CSV_COLUMNS, ([row.get(c, "") for c in USER_CSV_COLUMNS] for row in rows)))
    return 0


LICENSE_COMMANDS: dict[str, Callable[[Runtime, argparse.Namespace], int]] = {
    "info": info, "check": check, "import": import_license}


def add_commands(commands: Any, license_sub: Any, scenario_flags: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `license info|check|import` and `user-csv` on mock-ghes's parsers."""
    info_cmd = license_sub.add_parser("info", help="print the license (like ghe-license info)")
    info_cmd.add_argument("-j", "--json", action="store_true", help="as JSON")
    check_cmd = license_sub.add_parser("check", help="say whether the license is valid (like ghe-license check)")
    import_cmd = license_sub.add_parser("import", help="apply a license file (like ghe-license import); "
                                        "the mock's JSON license, see docs/ghes.md")
    import_cmd.add_argument("--pipe", action="store_true", help="read the license from standard input "
                            "(else from the file GHE_LICENSE_FILE names)")
    csv_cmd = commands.add_parser("user-csv", help="every user as CSV on standard output (like ghe-user-csv)")
    csv_cmd.add_argument("-o", "--stdout", action="store_true", help="write to standard output (the default; "
                         "accepted for ghe-user-csv's `-o`)")
    for parser in (info_cmd, check_cmd, import_cmd, csv_cmd):
        scenario_flags(parser)


def run(args: argparse.Namespace, open_runtime: Callable[[], Runtime]) -> int:
    """Run one of these commands on the runtime `open_runtime` gives, closing it after."""
    runtime = open_runtime()
    try:
        if args.command == "user-csv":
            return user_csv(runtime, args)
        return LICENSE_COMMANDS[args.license_command](runtime, args)
    finally:
        runtime.db.close()
