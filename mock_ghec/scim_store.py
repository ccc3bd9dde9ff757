"""Writes of SCIM provisioning and Visual Studio subscription matching (each one transaction, §7 recomputed).

Organization SCIM (`scope 'org:LOGIN'`, enterprises without managed users): provisioning
invites the user's primary email to the organization (a pending invitation: billed without
EMU), deprovisioning (`active: false` or DELETE) takes the membership away. Enterprise SCIM
(`scope 'enterprise'`, EMU only): provisioning creates the managed user `{handle}_{shortcode}`,
added to the enterprise but in no organization (unaffiliated: not billed); `active: false`
suspends it (not billed); DELETE removes it. The identity's attributes feed matching (§4).
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

from . import orgs_reads
from .orgs_errors import Conflict, Invalid, NotFound
from .orgs_reads import SCIM_ENTERPRISE, Org
from .orgs_seed import ACCOUNT_SQL, invitation_fields
from .orgs_store import OrgsStore
from .rows import ENCODER

ATTRIBUTES = ("externalId", "userName", "displayName", "name", "emails", "roles", "active")
_HANDLE = re.compile(r"[^A-Za-z0-9-]+")


def resource_of(row: dict[str, Any]) -> dict[str, Any]:
    """A stored SCIM user as the attributes a client sends."""
    return {"externalId": row["external_id"], "userName": row["user_name"], "displayName": row["display_name"],
            "name": {"givenName": row["given_name"], "familyName": row["family_name"]}, "emails": row["emails"],
            "roles": row["roles"], "active": row["active"]}


def _typed_item(item: dict[str, Any]) -> bool:
    """A multi-valued attribute's item: `type`/`display` text and `primary` a boolean when given
    (they are stored and served back as sent)."""
    return all(item.get(k) is None or isinstance(item[k], str) for k in ("type", "display")) and \
        (item.get("primary") is None or isinstance(item["primary"], bool))


def checked(body: Any, required: tuple[str, ...]) -> dict[str, Any]:
    """The SCIM attributes of a request body, or Invalid naming what is wrong."""
    if not isinstance(body, dict):
        raise Invalid("The request body must be a SCIM User object")
    missing = [k for k in required if body.get(k) in (None, "", [])]
    if missing:
        raise Invalid(f"missing required attribute(s): {', '.join(missing)}", missing[0])
    if not isinstance(body.get("userName"), str) or not body["userName"].strip():
        raise Invalid("userName must be a non-empty string", "userName")
    schemas = body.get("schemas", [])
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise Invalid("schemas must be a list of schema URIs", "schemas")
    emails = body.get("emails") or []
    if not isinstance(emails, list) or not all(isinstance(e, dict) and isinstance(e.get("value"), str)
                                               and "@" in e["value"] and _typed_item(e) for e in emails):
        raise Invalid("emails must be a list of {value, primary, type} with email addresses", "emails")
    roles = body.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, dict) and isinstance(r.get("value"), str)
                                              and _typed_item(r) for r in roles):
        raise Invalid("roles must be a list of {value}", "roles")
    name = body.get("name") or {}
    if not isinstance(name, dict):
        raise Invalid("name must be an object", "name")
    for key in ("givenName", "familyName", "formatted"):
        if name.get(key) is not None and not isinstance(name[key], str):
            raise Invalid(f"name.{key} must be a string", "name")
    for key in ("externalId", "displayName"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise Invalid(f"{key} must be a string", key)
    active = body.get("active", True)
    if isinstance(active, str) and active.lower() in ("true", "false"):
        active = active.lower() == "true"
    if not isinstance(active, bool):
        raise Invalid("active must be a boolean", "active")
    return {**body, "emails": emails, "roles": roles, "name": name, "active": active}


def primary_email(resource: dict[str, Any]) -> str:
    """The primary email of a SCIM user (the first when none is marked)."""
    emails = resource["emails"]
    return next((e["value"] for e in emails if e.get("primary")), emails[0]["value"] if emails else "")


class ScimStore(OrgsStore):
    """SCIM users and Visual Studio subscription matches."""

    def _unique(self, conn: Any, enterprise_id: int, scope: str, resource: dict[str, Any], skip: str = "") -> None:
        """409 when another user of the scope has this userName or externalId."""
        row = conn.execute("SELECT 1 FROM ghec_scim_users WHERE enterprise_id = ? AND scope = ? AND id != ? AND "
                           "(lower(user_name) = lower(?) OR (external_id IS NOT NULL AND external_id = ?))",
                           (enterprise_id, scope, skip, resource["userName"], resource.get("externalId"))).fetchone()
        if row:
            raise Conflict("User already exists with this userName or externalId")

    def _write(self, conn: Any, enterprise_id: int, scim_id: str, resource: dict[str, Any], account_id: int | None,
               scope: str, created: bool) -> None:
        """Store the SCIM user's attributes (insert or replace), and its linked account's identity."""
        now, name = self._now(), resource["name"]
        values = (resource.get("externalId"), resource["userName"].strip(), name.get("givenName") or "",
                  name.get("familyName") or "", resource.get("displayName"), json.dumps(resource["emails"]),
                  json.dumps(resource["roles"]), int(resource["active"]))
        if created:
            conn.execute("INSERT INTO ghec_scim_users VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         (scim_id, enterprise_id, scope, account_id, *values, now, now))
        else:
            conn.execute("UPDATE ghec_scim_users SET external_id = ?, user_name = ?, given_name = ?, family_name = ?, "
                         "display_name = ?, emails = ?, roles = ?, active = ?, modified = ? WHERE id = ?",
                         (*values, now, scim_id))
        if account_id is not None and account_id > 0:
            addresses = [e["value"] for e in resource["emails"]]
            conn.execute("INSERT OR REPLACE INTO ghec_identities VALUES (?,?,?,?,?,?,?,?)",
                         (enterprise_id, account_id, "scim", resource["userName"], resource["userName"],
                          resource.get("displayName") or "", primary_email(resource), json.dumps(addresses)))

    # -- organizations ----------------------------------------------------------------------
    def provision_org_user(self, o: Org, body: Any, inviter: tuple[int, str]) -> str:
        """POST /scim/v2/organizations/{org}/Users: the identity, and an invitation to its primary email."""
        resource = checked(body, ("userName", "name", "emails"))
        scope = "org:" + o.login
        with self.db.transaction() as conn:
            self._unique(conn, o.enterprise_id, scope, resource)
            email = primary_email(resource)
            found = conn.execute("SELECT account_id FROM ghec_account_emails WHERE enterprise_id = ? AND "
                                 "verified = 1 AND lower(address) = lower(?) AND account_id > 0",
                                 (o.enterprise_id, email)).fetchone()
            aid = found[0] if found else None
            login = conn.execute("SELECT login FROM ghec_accounts WHERE enterprise_id = ? AND id = ?",
                                 (o.enterprise_id, aid)).fetchone()[0] if aid else None
            member = login is not None and orgs_reads.org_role(self.db, o.enterprise_id, o.login, login) in (
                "admin", "member")
            touched: set[int] = set()
            if not member:
                invitation_id = self._invite(conn, o, aid, login, email, "direct_member", inviter, "scim")
                aid = aid if aid is not None else -invitation_id
            if aid is not None:
                touched.add(aid)
            scim_id = str(uuid.uuid4())
            self._write(conn, o.enterprise_id, scim_id, resource, aid, scope, True)
            self._done(conn, o, touched, renumber=aid is not None and aid < 0)
        return scim_id

    def _deprovision_in_org(self, conn: Any, o: Org, aid: int | None) -> set[int]:
        """Take the account's membership and pending invitations in the organization away."""
        if aid is None:
            return set()
        if aid < 0:
            self.drop_account(conn, o.enterprise_id, aid)
            return set()
        for table in ("ghec_org_roles", "ghec_invitations"):
            conn.execute(f"DELETE FROM {table} WHERE enterprise_id = ? AND account_id = ? AND org = ?",
                         (o.enterprise_id, aid, o.login))
        return {aid}

    # -- both scopes -------------------------------------------------------------------------
    def update_user(self, enterprise_id: int, scope: str, scim_id: str, resource: dict[str, Any],
                    o: Org | None = None) -> None:
        """PUT / PATCH: store the new attributes and let the account follow them."""
        with self.db.transaction() as conn:
            row = orgs_reads.scim_user(self.db, enterprise_id, scope, scim_id)
            if row is None:
                raise NotFound("Resource not found")
            self._unique(conn, enterprise_id, scope, resource, skip=scim_id)
            aid = row["account_id"]
            self._write(conn, enterprise_id, scim_id, resource, aid, scope, False)
            touched = {aid} if aid is not None else set()
            if scope == SCIM_ENTERPRISE and aid is not None:
                self._follow(conn, enterprise_id, aid, resource)
            elif o is not None and not resource["active"]:
                touched = self._deprovision_in_org(conn, o, aid)
                conn.execute("UPDATE ghec_scim_users SET account_id = ? WHERE id = ?",
                             (aid if aid is not None and aid > 0 else None, scim_id))
            self._done(conn, enterprise_id, touched, renumber=aid is not None and aid < 0)

    def delete_user(self, enterprise_id: int, scope: str, scim_id: str, o: Org | None = None) -> None:
        """DELETE: the identity goes; the managed user (EMU) or the organization membership goes with it."""
        with self.db.transaction() as conn:
            row = orgs_reads.scim_user(self.db, enterprise_id, scope, scim_id)
            if row is None:
                raise NotFound("Resource not found")
            conn.execute("DELETE FROM ghec_scim_users WHERE id = ?", (scim_id,))
            aid, touched = row["account_id"], set()
            if scope == SCIM_ENTERPRISE and aid is not None:
                self.drop_account(conn, enterprise_id, aid)
            elif o is not None:
                touched = self._deprovision_in_org(conn, o, aid)
                if aid is not None and aid > 0:
                    conn.execute("DELETE FROM ghec_identities WHERE enterprise_id = ? AND account_id = ? AND "
                                 "provider = 'scim'", (enterprise_id, aid))
            self._done(conn, enterprise_id, touched, renumber=aid is not None)

    # -- enterprises with managed users ------------------------------------------------------
    def provision_managed_user(self, enterprise_id: int, slug: str, body: Any) -> str:
        """POST /scim/v2/enterprises/{enterprise}/Users: a new managed user, in no organization yet."""
        resource = checked(body, ("schemas", "externalId", "userName", "displayName", "emails"))
        with self.db.transaction() as conn:
            self._unique(conn, enterprise_id, SCIM_ENTERPRISE, resource)
            aid = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM ghec_accounts").fetchone()[0]
            handle = _HANDLE.sub("-", resource["userName"].partition("@")[0]).strip("-") or "user"
            login = f"{handle}_{slug.lower()}"
            while conn.execute("SELECT 1 FROM ghec_accounts WHERE login = ?", (login,)).fetchone():
                login = f"{handle}{aid}_{slug.lower()}"
            conn.execute(ACCOUNT_SQL, (enterprise_id, aid, 0, login, resource.get("displayName") or "", "member", 0,
                                       *ENCODER.template(invitation_fields(""))))
            conn.execute("INSERT INTO ghec_account_facts (enterprise_id, account_id, billed, rule, why) "
                         "VALUES (?, ?, 0, '', '')", (enterprise_id, aid))
            scim_id = str(uuid.uuid4())
            self._write(conn, enterprise_id, scim_id, resource, aid, SCIM_ENTERPRISE, True)
            self._follow(conn, enterprise_id, aid, resource)
            self._done(conn, enterprise_id, {aid}, renumber=True)
        return scim_id

    def _follow(self, conn: Any, enterprise_id: int, aid: int, resource: dict[str, Any]) -> None:
        """A managed user's account follows its SCIM attributes: name, verified emails, roles, suspension."""
        roles = {r["value"] for r in resource["roles"]}
        conn.execute("UPDATE ghec_accounts SET name = ?, enterprise_owner = ? WHERE enterprise_id = ? AND id = ?",
                     (resource.get("displayName") or "", int("enterprise_owner" in roles), enterprise_id, aid))
        conn.execute("DELETE FROM ghec_account_emails WHERE enterprise_id = ? AND account_id = ?", (enterprise_id, aid))
        conn.executemany("INSERT OR IGNORE INTO ghec_account_emails VALUES (?,?,?,1)",
                         [(enterprise_id, aid, e["value"]) for e in resource["emails"]])
        conn.execute("UPDATE ghec_account_facts SET enterprise_billing_manager = ?, guest = ?, suspended = ? "
                     "WHERE enterprise_id = ? AND account_id = ?",
                     (int("billing_manager" in roles), int("guest_collaborator" in roles),
                      int(not resource["active"]), enterprise_id, aid))

    # -- Visual Studio ------------------------------------------------------------------------
    def match_subscription(self, enterprise_id: int, sub_id: str, identifier: Any) -> None:
        """PUT …/visual-studio-subscriptions/{id}: link it to the account with this login or verified email."""
        if not isinstance(identifier, str) or not identifier.strip():
            raise Invalid("user_identifier must be a login or a verified email", "user_identifier")
        with self.db.transaction() as conn:
            before = conn.execute("SELECT account_id FROM ghec_vs_subscriptions WHERE enterprise_id = ? AND id = ?",
                                  (enterprise_id, sub_id)).fetchone()
            if before is None:
                raise NotFound("Not Found")
            who = conn.execute("SELECT id FROM ghec_accounts WHERE enterprise_id = ? AND id > 0 AND (login = ? OR "
                               "id IN (SELECT account_id FROM ghec_account_emails WHERE enterprise_id = ? AND "
                               "verified = 1 AND lower(address) = lower(?)))",
                               (enterprise_id, identifier.strip(), enterprise_id, identifier.strip())).fetchone()
            if who is None:
                raise Invalid("No user of the enterprise has this login or verified email", "user_identifier")
            conn.execute("UPDATE ghec_vs_subscriptions SET account_id = ?, manual = 1 WHERE enterprise_id = ? AND "
                         "id = ?", (who[0], enterprise_id, sub_id))
            self._done(conn, enterprise_id, {who[0]} | ({before[0]} if before[0] is not None else set()))

    def unmatch_subscription(self, enterprise_id: int, sub_id: str) -> None:
        """DELETE …/visual-studio-subscriptions/{id}: undo a manual match (none: 422)."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT account_id, manual FROM ghec_vs_subscriptions WHERE enterprise_id = ? AND "
                               "id = ?", (enterprise_id, sub_id)).fetchone()
            if row is None:
                raise NotFound("Not Found")
            if not row[1]:
                raise Invalid("This Visual Studio subscription has no manual match", "visual_studio_subscription_id")
            conn.execute("UPDATE ghec_vs_subscriptions SET account_id = NULL, manual = 0 WHERE enterprise_id = ? AND "
                         "id = ?", (enterprise_id, sub_id))
            self._done(conn, enterprise_id, {row[0]} if row[0] is not None else set())
