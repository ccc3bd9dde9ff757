"""The `license-sync doctor` command: its help, and its answer as a checklist or JSON (doctor.py checks)."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

from rich.console import Console

from . import render
from .doctor import FAIL, Finding, run_doctor
from .errors import EXIT_FAILED, EXIT_OK
from .options import Resolved


def as_json(findings: list[Finding]) -> dict[str, Any]:
    """`--json`: ok (no check failed) and every finding."""
    return {"ok": not any(f.status == FAIL for f in findings), "checks": [asdict(f) for f in findings]}



DOCTOR_HELP = ("Checks, in one run: both URLs (reachable, really GHES's /api/v3, really a GHEC API root), "
               "both tokens (valid; site admin, enterprise owner; scopes from X-OAuth-Scopes), the enterprise "
               "slug, GitHub Connect and the clock skew between the two; prints each failure with its fix; "
               "exit 0 only when no check fails. On real GitHub only public endpoints are used: GHES "
               "GET /api/v3/user and /api/v3/enterprise/settings/license, GHEC GET /user and "
               "/enterprises/{slug}/consumed-licenses and /license-sync-status (plus the mocks' "
               "/api/v3/enterprise/connect and /_mock/clock where they answer).")


def cmd_doctor(opts: Resolved, console: Console) -> int:
    """Every setting checked; a checklist with the fix for each failure."""
    with console.status("checking GHES and GHEC…"):
        findings = run_doctor(opts)
    report = as_json(findings)
    if opts.args.json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        render.doctor(console, findings)
    return EXIT_OK if report["ok"] else EXIT_FAILED
