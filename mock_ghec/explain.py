"""Why each consumed-license row looks the way it does: read-only reports for `/_mock/explain` and pages.

Built from the stored provenance of each row (`[[server_id, user_id, rule], …]`) and the kept
GHES emails, with the sentences from `matching`; nothing is recomputed or written.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from export_format.gcpause import gc_paused
from github_http.storage import Database
from license_rules.matching import RULE_GHES_ONLY, RULES, describe_merge, why_unmatched

from . import reads
from .billing_explain import license_report
from .explain_reads import row_summaries


def kept_emails(db: Database, enterprise_id: int,
                only: set[str] | None = None) -> dict[tuple[str, int], list[str]]:
    """(server_id, user id) -> [primary, *secondaries] of the kept GHES accounts (of `only` servers)."""
    return {(sid, k[0]): k[1:] for sid, (_, kept) in reads.kept_users(db, enterprise_id, only).items() for k in kept}


def describe_sources(db: Database, enterprise_id: int, row: dict[str, Any], sources: list,
                     hosts: dict[str, str],
                     kept: dict[tuple[str, int], list[str]] | None = None,
                     cloud: Any = None) -> list[dict[str, Any]]:
    """One entry per server account merged into `row`: where it comes from, the rule, and why.

    `cloud` (the enterprise's match index) may be given by a caller describing many rows."""
    if kept is None:
        kept = kept_emails(db, enterprise_id, {server_id for server_id, _, _ in sources})
    out = []
    for server_id, user_id, rule in sources:
        emails = kept.get((server_id, user_id)) or [""]
        primary, secondaries = emails[0], list(emails[1:])
        entry = {"server_id": server_id, "host_name": hosts.get(server_id, ""), "user_id": user_id,
                 "primary_email": primary, "secondary_emails": secondaries, "rule": rule,
                 "why": describe_merge(rule, primary, row.get("github_com_login") or None, len(sources))}
        if rule == RULE_GHES_ONLY:
            cloud = cloud or reads.cloud_side_of(db, enterprise_id)
            entry["unmatched_reason"], entry["why_not_merged"] = why_unmatched(cloud.index, primary, secondaries)
        out.append(entry)
    return out


def explain(db: Database, enterprise_id: int, slug: str) -> dict[str, Any]:
    """Every row with its merged server accounts and rules, and every unmatched server account with why.

    WHY the collector is paused: a large enterprise's answer is a few hundred thousand small dicts
    with no cycles, and the collections their building triggers took most of its time (gcpause)."""
    with gc_paused():
        return _explain(db, enterprise_id, slug)


def _explain(db: Database, enterprise_id: int, slug: str) -> dict[str, Any]:
    """`explain`, with the collector paused."""
    hosts = {s["server_id"]: s["host_name"] for s in reads.servers(db, enterprise_id)}
    kept = kept_emails(db, enterprise_id)
    cloud = reads.cloud_side_of(db, enterprise_id)
    rows, unmatched = [], []
    for rownum, login, total, sources_json in row_summaries(db, enterprise_id):
        merged = describe_sources(db, enterprise_id, {"github_com_login": login}, json.loads(sources_json), hosts,
                                  kept, cloud)
        rows.append({"rownum": rownum, "github_com_login": login, "total_user_accounts": total,
                     "server_accounts": merged})
        unmatched += [{**m, "rownum": rownum} for m in merged if m["rule"] == RULE_GHES_ONLY]
    uses_saml = reads.uses_saml(db, enterprise_id)
    licenses = license_report(db, enterprise_id)  # DOMAIN §7: why each GitHub.com account is billed or not
    return {"enterprise": slug, "uses_saml": uses_saml, "rows": rows, "unmatched": unmatched,
            "summary": {**summarise(rows, unmatched), "license_rules": licenses.pop("license_rules")}, **licenses}


def summarise(rows: list[dict], unmatched: list[dict]) -> dict[str, Any]:
    """Counts per rule and per unmatched reason: the numbers the demo narrates."""
    by_rule = Counter({rule: 0 for rule in RULES})
    by_rule.update(m["rule"] for r in rows for m in r["server_accounts"])
    # A GHES-only row always holds server accounts; a row with neither is an invitation by email (§7).
    ghes_only_rows = [r for r in rows if not r["github_com_login"] and r["server_accounts"]]
    return {
        "rows": len(rows),
        "github_com_rows": len(rows) - len(ghes_only_rows),
        "ghes_only_rows": len(ghes_only_rows),
        "merged_ghes_only_rows": sum(1 for r in ghes_only_rows if len(r["server_accounts"]) > 1),
        "server_accounts": sum(by_rule.values()),
        "github_com_rows_with_server_accounts": sum(1 for r in rows if r["github_com_login"] and r["server_accounts"]),
        "by_rule": dict(by_rule),
        "unmatched_reasons": dict(Counter(m["unmatched_reason"] for m in unmatched)),
    }
