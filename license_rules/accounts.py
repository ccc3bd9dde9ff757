"""A world's GitHub.com accounts as matching sees them: shared by the mock GHEC's loader and `license-sync predict`.

Duck-typed on the scenario's `GhecMember` / `SamlIdentity` (license_rules imports no other
package), so both count the same world with the same accounts in the same row order.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .matching import CloudAccount


def identity_attributes(name_claim: str, emailaddress_claim: str, username: str, name_id: str,
                        emails: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """A linked identity as matching compares it: attribute -> values."""
    return {"name_claim": (name_claim,), "emailaddress_claim": (emailaddress_claim,), "username": (username,),
            "name_id": (name_id,), "emails": tuple(emails)}


def on_verified_domain(address: str, domains: Iterable[str]) -> bool:
    """Whether an address is on one of the enterprise's verified domains (or a subdomain of one)."""
    host = address.rsplit("@", 1)[-1].strip().lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


def row_order(members: Iterable[Any]) -> list[Any]:
    """The enterprise's accounts in row order: by login (case ignored), then id."""
    return sorted(members, key=lambda m: (m.login.lower(), m.id))


def member_account(member: Any) -> CloudAccount:
    """One scenario account (a `GhecMember`) as matching sees it: its emails and its linked identity."""
    i = member.identity
    return CloudAccount(member.id, member.login, tuple(member.verified_emails), tuple(member.unverified_emails),
                        identity_attributes(i.name_claim, i.emailaddress_claim, i.username, i.name_id, i.emails)
                        if i is not None else None)
