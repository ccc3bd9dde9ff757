"""The organization store's current state in the scenario model's field names (for `scenario dump`).

After changes through the API the stored world differs from the scenario it was seeded from; a
dump reads it back with these, named exactly as `scenarios.model` (the model contract) names
them, so loading the dump seeds the same organization state. Read-only.
"""
from __future__ import annotations

import json
from typing import Any

from github_http.storage import Database

from .orgs_reads import SCIM_ENTERPRISE

#: Subscriptions linked to no account whose email is an account's: that account's, not linked.
_UNLINKED_OF_ACCOUNTS = (
    "SELECT e.account_id, s.email FROM ghec_vs_subscriptions s JOIN ghec_account_emails e ON "
    "e.enterprise_id = s.enterprise_id AND lower(e.address) = lower(s.email) WHERE s.enterprise_id = ? AND "
    "s.account_id IS NULL AND e.account_id > 0 ORDER BY s.id")


def member_fields(db: Database, enterprise_id: int) -> dict[int, dict[str, Any]]:
    """account id -> the `GhecMember` fields the organization store decides (real accounts only)."""
    out: dict[int, dict[str, Any]] = {}
    for aid, two_factor, ebm, suspended, guest, setup in db.query(
            "SELECT account_id, two_factor, enterprise_billing_manager, suspended, guest, setup_user FROM "
            "ghec_account_facts WHERE enterprise_id = ? AND account_id > 0", (enterprise_id,)):
        out[aid] = {"org_roles": [], "billing_manager_orgs": [], "collaborator_repos": [], "pending_invite_orgs": [],
                    "two_factor": bool(two_factor), "enterprise_billing_manager": bool(ebm),
                    "suspended": bool(suspended), "guest_collaborator": bool(guest), "setup_enterprise": bool(setup),
                    "visual_studio_subscriber": False, "visual_studio_email": "", "visual_studio_linked": True,
                    "scim_external_id": None}
    for aid, org, role in db.query("SELECT account_id, org, role FROM ghec_org_roles WHERE enterprise_id = ? "
                                   "ORDER BY account_id, position", (enterprise_id,)):
        if aid in out:
            if role == "billing_manager":
                out[aid]["billing_manager_orgs"].append(org)
            else:
                out[aid]["org_roles"].append(f"{org}:{'Owner' if role == 'admin' else 'Member'}")
    for aid, org, repo in db.query("SELECT account_id, org, repo FROM ghec_collaborators WHERE enterprise_id = ? "
                                   "AND repo != '' ORDER BY account_id, org, repo", (enterprise_id,)):
        if aid in out:
            out[aid]["collaborator_repos"].append(f"{org}/{repo}")
    for aid, org in db.query("SELECT account_id, org FROM ghec_invitations WHERE enterprise_id = ? AND account_id > 0 "
                             "AND failed_at IS NULL AND repos = '[]' AND role IN ('direct_member', 'admin', "
                             "'reinstate') ORDER BY id", (enterprise_id,)):
        if aid in out:
            out[aid]["pending_invite_orgs"].append(org)
    for aid, email in db.query("SELECT account_id, email FROM ghec_vs_subscriptions WHERE enterprise_id = ? AND "
                               "account_id IS NOT NULL ORDER BY id", (enterprise_id,)):
        if aid in out:
            out[aid].update(visual_studio_subscriber=True, visual_studio_email=email)
    for aid, email in db.query(_UNLINKED_OF_ACCOUNTS, (enterprise_id,)):
        if aid in out and not out[aid]["visual_studio_subscriber"]:
            out[aid].update(visual_studio_subscriber=True, visual_studio_email=email, visual_studio_linked=False)
    for aid, external in db.query("SELECT account_id, external_id FROM ghec_scim_users WHERE enterprise_id = ? AND "
                                  "scope = ? AND account_id > 0", (enterprise_id, SCIM_ENTERPRISE)):
        if aid in out:
            out[aid]["scim_external_id"] = external
    return out


def enterprise_fields(db: Database, enterprise_id: int) -> dict[str, Any]:
    """The `Enterprise` fields the organization store decides: EMU, SAML per organization, repositories,
    invitations other than an account's plain pending membership ones, unlinked subscriptions."""
    flags = db.one("SELECT managed_users FROM ghec_enterprise_flags WHERE enterprise_id = ?", (enterprise_id,))
    owned = {r[1].lower() for r in db.query(_UNLINKED_OF_ACCOUNTS, (enterprise_id,))}
    invitations = [
        {"id": r["id"], "org": r["org"], "role": r["role"], "login": r["login"], "email": r["email"],
         "failed": r["failed_at"] is not None, "collaborator_repos": json.loads(r["repos"])}
        for r in db.query("SELECT * FROM ghec_invitations WHERE enterprise_id = ? ORDER BY id", (enterprise_id,))
        if r["login"] is None or r["failed_at"] is not None or r["repos"] != "[]" or r["role"] == "billing_manager"]
    return {
        "managed_users": bool(flags and flags[0]),
        "saml_orgs": [r[0] for r in db.query("SELECT login FROM ghec_orgs WHERE enterprise_id = ? AND saml = 1 "
                                             "ORDER BY id", (enterprise_id,))],
        "repositories": [{"org": r[0], "name": r[1], "visibility": r[2], "fork": bool(r[3])} for r in db.query(
            "SELECT org, name, visibility, fork FROM ghec_repos WHERE enterprise_id = ? ORDER BY org, name",
            (enterprise_id,))],
        "invitations": invitations,
        "visual_studio_unlinked": [[n, email] for n, email in enumerate(
            (r[0] for r in db.query("SELECT email FROM ghec_vs_subscriptions WHERE enterprise_id = ? AND account_id "
                                    "IS NULL ORDER BY id", (enterprise_id,)) if r[0].lower() not in owned), start=1)],
    }
