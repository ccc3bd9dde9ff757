"""GitHub's documented rules for matching a GHES user to a GHEC person (DOMAIN §4), as pure code.

Nothing here touches the database or Flask: the store feeds in what GHEC knows (accounts,
their verified emails and linked identities; server accounts' ids and emails) and gets back
who merges into whom and by which rule. Keeping it pure is what makes the rules testable on
their own and the upload path fast (dict lookups only, no per-user queries).

Our documented choices where GitHub is silent: emails compare after trimming whitespace and
ignoring case; GHES-only accounts (on any servers) with the same primary email merge into one
row; when several GHEC accounts claim the same address, the one that sorts first (identity
attribute order, then account order) wins, so the result never depends on upload order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

#: Linked-identity attributes compared first, in GitHub's documented order (DOMAIN §4.1).
SAML_ATTRIBUTES = ("name_claim", "emailaddress_claim", "username", "name_id", "emails")
RULE_VERIFIED = "verified_email"
RULE_GHES_ONLY = "ghes_only_primary_email"
RULES = tuple(f"saml:{a}" for a in SAML_ATTRIBUTES) + (RULE_VERIFIED, RULE_GHES_ONLY)

#: (server_id, host_name, user_id, primary_email): everything matching needs of a GHES account.
ServerAccount = tuple[str, str, int, str]
#: (server account, rule) as merged into a row.
Source = tuple[ServerAccount, str]


def normalise(address: str) -> str:
    """The comparison key of an email: trimmed and lower-cased (our documented choice)."""
    return address.strip().lower()


@dataclass(frozen=True, slots=True)
class CloudAccount:
    """What matching needs of a GitHub.com account associated with the enterprise."""

    id: int
    login: str
    verified: tuple[str, ...]
    unverified: tuple[str, ...] = ()
    identity: dict[str, tuple[str, ...]] | None = None  # attribute -> values (emails: several)


@dataclass(slots=True)
class CloudIndex:
    """Lookup tables built once per enterprise, so each GHES user costs two dict lookups."""

    uses_saml: bool
    saml: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (account id, rule)
    verified: dict[str, int] = field(default_factory=dict)
    unverified: dict[str, int] = field(default_factory=dict)
    logins: dict[int, str] = field(default_factory=dict)
    #: What `match` looks up: key -> (account id, rule), identity attributes over verified emails.
    #: WHY one dict: each lookup in a big dict is a cache miss (about a microsecond on a busy
    #: machine), and a million uploaded users would pay it twice.
    primary: dict[str, tuple[int, str]] = field(default_factory=dict)


def build_index(accounts: Iterable[CloudAccount], uses_saml: bool) -> CloudIndex:
    """Index the enterprise's accounts; `accounts` must come in the enterprise's row order.

    WHY attribute-major order for identities: an address that is one account's NameID and
    another's `emails` entry goes to the first in GitHub's documented attribute order.
    """
    index = CloudIndex(uses_saml=uses_saml)
    accounts = list(accounts)
    # "First one wins" as dict(reversed(pairs)): the later duplicates are overwritten by the
    # earlier ones, in one C-level pass (an explicit `if key not in d` loop costs twice the
    # lookups, and a cold start indexes some 300,000 addresses this way).
    index.logins = {a.id: a.login for a in accounts}
    index.verified = dict(reversed([(address.strip().lower(), a.id) for a in accounts for address in a.verified]))
    index.unverified = dict(reversed([(address.strip().lower(), a.id) for a in accounts for address in a.unverified]))
    if uses_saml:
        linked = [(a.id, a.identity) for a in accounts if a.identity]
        index.saml = dict(reversed([
            (key, (aid, rule))
            for attribute, rule in zip(SAML_ATTRIBUTES, RULES)
            for aid, identity in linked
            for value in identity.get(attribute, ())
            if (key := value.strip().lower() if value else "")]))
    verified, saml = index.verified, index.saml
    index.primary = {key: (aid, RULE_VERIFIED) for key, aid in verified.items()}
    index.primary.update(saml)
    return index


@dataclass(slots=True)
class Match:
    """The outcome: server accounts merged into GHEC accounts, and GHES-only groups by primary."""

    merged: dict[int, list[Source]]
    ghes_only: dict[str, list[ServerAccount]]


def match(index: CloudIndex, server_accounts: Iterable[ServerAccount]) -> Match:
    """Apply DOMAIN §4 to every server account: identity first (SAML/SCIM), then verified emails.

    Only the primary email is ever looked at; a miss makes the account part of the GHES-only
    group of its (normalised) primary email.
    """
    merged: dict[int, list[Source]] = {}
    ghes_only: dict[str, list[ServerAccount]] = {}
    lookup, into, alone = index.primary.get, merged.get, ghes_only.get
    for account in server_accounts:
        key = account[3].strip().lower()
        hit = lookup(key)
        if hit is not None:
            sources = into(hit[0])
            if sources is None:
                merged[hit[0]] = [(account, hit[1])]
            else:
                sources.append((account, hit[1]))
        else:
            group = alone(key)
            if group is None:
                ghes_only[key] = [account]
            else:
                group.append(account)
    return Match(merged, ghes_only)


def source_order(account: ServerAccount) -> tuple[str, str, int]:
    """Sort key of server accounts inside a row: by host, server, user id (upload order never shows)."""
    return (account[1], account[0], account[2])


def describe_merge(rule: str, primary: str, login: str | None, group_size: int = 1) -> str:
    """One sentence saying why a server account sits in its row (explain and the row page)."""
    if rule.startswith("saml:"):
        return (f"its primary email {primary} equals the {rule[5:]} attribute of the SAML/SCIM "
                f"identity linked to GitHub.com account {login}")
    if rule == RULE_VERIFIED:
        return f"its primary email {primary} equals a verified email of GitHub.com account {login}"
    if group_size > 1:
        return (f"no GitHub.com person matched its primary email {primary}; the {group_size} "
                "server accounts with this primary email share one license")
    return f"no GitHub.com person matched its primary email {primary}, so it is a license of its own"


def why_unmatched(index: CloudIndex, primary: str, secondaries: Iterable[str]) -> tuple[str, str]:
    """(reason code, sentence) for a server account that merged with no GHEC person.

    WHY spelled out: the two classic surprises (a secondary email that matches, an unverified
    GHEC email that matches) look like bugs unless the mock says which rule was applied.
    """
    key = normalise(primary)
    if key in index.unverified:
        login = index.logins[index.unverified[key]]
        return ("unverified_email_only",
                f"its primary email {primary} matches only an unverified email of GitHub.com account "
                f"{login}; unverified emails never match")
    for address in secondaries:
        other = normalise(address)
        owner = index.verified.get(other)
        if owner is None and index.saml.get(other):
            owner = index.saml[other][0]
        if owner is not None:
            return ("secondary_email_only",
                    f"only a secondary email ({address}) matches GitHub.com account "
                    f"{index.logins[owner]}; only the primary email counts")
    where = "a verified email or a linked identity attribute" if index.uses_saml else "a verified email"
    return ("no_match", f"no GitHub.com account in the enterprise has its primary email {primary} as {where}")
