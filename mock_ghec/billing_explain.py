"""Why each GHEC account consumes a license or not (DOMAIN §7), for `/_mock/explain` and the pages.

Read-only: the verdicts are stored by the organization store with every change
(`ghec_account_facts`), so this only reads them back, plus the Visual Studio subscriptions
that name no account (not billed unless a rule bills someone).
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from github_http.storage import Database
from scenarios.billing import RULES, VISUAL_STUDIO_UNLINKED

from . import orgs_reads

UNLINKED_WHY = "Visual Studio subscriber with no linked GitHub.com account, meeting no other rule: not billed"


def license_report(db: Database, enterprise_id: int) -> dict[str, Any]:
    """`accounts` (each with billed, rule, why), unlinked Visual Studio subscriptions, counts per rule."""
    accounts = orgs_reads.verdicts(db, enterprise_id)
    unlinked = [{"subscription_id": s["subscription_id"], "email": s["visual_studio_subscription_email"],
                 "billed": False, "rule": VISUAL_STUDIO_UNLINKED, "why": UNLINKED_WHY}
                for s in orgs_reads.subscriptions(db, enterprise_id, unmatched_only=True)]
    counts = Counter(dict.fromkeys(RULES, 0))
    counts.update(a["rule"] for a in accounts)
    counts.update(s["rule"] for s in unlinked)
    return {"accounts": accounts, "visual_studio_unlinked": unlinked,
            "license_rules": {"billed_accounts": sum(1 for a in accounts if a["billed"]),
                              "not_billed_accounts": sum(1 for a in accounts if not a["billed"]),
                              "by_rule": dict(counts)}}
