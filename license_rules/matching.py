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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter

#: Linked-identity attributes compared first, in GitHub's documented order (DOMAIN §4.1).
SAML_ATTRIBUTES = ("name_claim", "emailaddress_claim", "username", "name_id", "emails")
RULE_VERIFIED = "verified_email"
RULE_GHES_ONLY = "ghes_only_primary_email"
RULES = (*(f"saml:{a}" for a in SAML_ATTRIBUTES), RULE_VERIFIED, RULE_GHES_ONLY)

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
    """Lookup tables built once per enterprise, so each GHES user costs one dict lookup.

    Accounts are named by their POSITION in `account_ids` (the enterprise's row order), not by
    id. WHY: `match` then collects per position in a list, where a dict by account id cost one
    more big-dict lookup (a cache miss, about a microsecond on a busy machine) per user.
    """

    uses_saml: bool
    saml: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (position, rule)
    verified: dict[str, int] = field(default_factory=dict)          # key -> position
    unverified: dict[str, int] = field(default_factory=dict)        # key -> position
    logins: list[str] = field(default_factory=list)                 # per position
    account_ids: list[int] = field(default_factory=list)            # per position
    #: What `match` looks up: key -> (position, rule), identity attributes over verified emails.
    primary: dict[str, tuple[int, str]] = field(default_factory=dict)


#: A column of addresses: (positions, values), value k belonging to the account at position k
#: (in any order: when several accounts claim one address, the smallest position wins).
Column = tuple[Sequence[int], Sequence[str]]


def build_index(accounts: Iterable[CloudAccount], uses_saml: bool) -> CloudIndex:
    """Index the enterprise's accounts; `accounts` must come in the enterprise's row order.

    The accounts taken apart into columns, then `index_from_columns`: ONE code path for the
    loader, `license-sync predict` and the store's cold build (reads.cloud_side_of).
    """
    accounts = list(accounts)
    linked = [(n, a.identity) for n, a in enumerate(accounts) if a.identity]
    identity = {attribute: _column([(n, value or "") for n, i in linked for value in i.get(attribute, ())])
                for attribute in SAML_ATTRIBUTES}
    return index_from_columns(
        [a.id for a in accounts], [a.login for a in accounts],
        _column([(n, address) for n, a in enumerate(accounts) for address in a.verified]),
        _column([(n, address) for n, a in enumerate(accounts) for address in a.unverified]),
        identity, uses_saml)


def _column(pairs: list[tuple[int, str]]) -> Column:
    """[(position, value)] as a Column."""
    return ([n for n, _ in pairs], [value for _, value in pairs])


def _earliest(keys: Sequence[str], positions: Sequence[int]) -> dict[str, int]:
    """{key: its smallest position}: the account first in row order wins an address several claim."""
    found = dict(zip(keys, positions, strict=True))  # a repeated key: its last pair's, for now
    if len(found) < len(keys):  # some key repeats (rare): keep each one's smallest position
        for key, n in zip(keys, positions, strict=True):
            if n < found[key]:
                found[key] = n
    return found


def index_from_columns(account_ids: list[int], logins: list[str], verified: Column, unverified: Column,
                       identity: Mapping[str, Column], uses_saml: bool) -> CloudIndex:
    """The index from columns: account ids and logins by position (row order), the verified and
    unverified addresses, and per identity attribute (SAML_ATTRIBUTES) the linked values.

    WHY columns: a cold build indexes some 500,000 addresses of 90,000 accounts, and one Python
    step per address (an account object, a loop, strip, lower) cost 1.5 s of the first upload;
    as columns every step is a C-level pass (map, zip, dict), in any order (no sort). Identity
    values that are empty once trimmed never match. Attribute-major order: an address that is
    one account's NameID and another's `emails` entry goes to the first in GitHub's documented
    attribute order.
    """
    index = CloudIndex(uses_saml=uses_saml, logins=list(logins), account_ids=list(account_ids))
    index.verified = _earliest(_keys(verified[1]), verified[0])
    index.unverified = _earliest(_keys(unverified[1]), unverified[0])
    if uses_saml:
        for attribute, rule in reversed(tuple(zip(SAML_ATTRIBUTES, RULES, strict=False))):  # the first one last
            positions, values = identity.get(attribute, ((), ()))
            column = _keys(values)
            first = _earliest(list(compress(column, column)), list(compress(positions, column)))  # non-empty keys
            index.saml.update(zip(first, zip(first.values(), repeat(rule)), strict=False))
    return index_from_keys(index)


def index_from_keys(index: CloudIndex) -> CloudIndex:
    """`index` with what `match` looks up (`primary`) made from its keys: identity attributes over
    verified emails. The one place that says so (index_from_columns, and an index kept as keys)."""
    index.primary = dict(zip(index.verified, zip(index.verified.values(), repeat(RULE_VERIFIED)), strict=False))
    index.primary.update(index.saml)
    return index


def _keys(values: Iterable[str]) -> list[str]:
    """Each value's comparison key (`normalise`, as one C-level pass)."""
    return list(map(str.lower, map(str.strip, values)))


@dataclass(slots=True)
class Match:
    """The outcome: server accounts merged into GHEC accounts, and the GHES-only ones by primary."""

    account_ids: list[int]                  # the index's accounts, in row order
    by_row: list[list[Source] | None]       # per account in that order: what merged into it
    #: GHES-only accounts as (normalised primary, account), sorted by the key (stable): each run
    #: of one key is one row. WHY not a dict of lists: for a million users that dict and its
    #: lists cost more than a second and a hundred MB, and the rows need the sort anyway.
    alone: list[tuple[str, ServerAccount]]
    alone_rows: int                         # how many distinct keys (GHES-only rows) `alone` has

    @property
    def merged(self) -> dict[int, list[Source]]:
        """GHEC account id -> the server accounts merged into it (only accounts that have some)."""
        return {aid: sources for aid, sources in zip(self.account_ids, self.by_row, strict=True) if sources}

    @property
    def ghes_only(self) -> dict[str, list[ServerAccount]]:
        """Normalised primary email -> the GHES-only accounts that share it, in key order."""
        groups: dict[str, list[ServerAccount]] = {}
        for key, account in self.alone:
            groups.setdefault(key, []).append(account)
        return groups


def match(index: CloudIndex, server_accounts: Iterable[ServerAccount]) -> Match:
    """Apply DOMAIN §4 to every server account: identity first (SAML/SCIM), then verified emails.

    Only the primary email is ever looked at; a miss makes the account part of the GHES-only
    group of its (normalised) primary email.
    """
    by_row: list[list[Source] | None] = [None] * len(index.account_ids)
    alone: list[tuple[str, ServerAccount]] = []
    lookup, miss = index.primary.get, alone.append
    for account in server_accounts:
        key = account[3].strip().lower()
        if key == account[3]:
            key = account[3]  # WHY: the usual address is its own key; one string, not two, per GHES-only user
        hit = lookup(key)
        if hit is None:
            miss((key, account))
        elif (sources := by_row[hit[0]]) is None:
            by_row[hit[0]] = [(account, hit[1])]
        else:
            sources.append((account, hit[1]))
    alone.sort(key=itemgetter(0))
    rows, previous = 0, None
    for key, _ in alone:
        if key != previous:
            rows, previous = rows + 1, key
    return Match(index.account_ids, by_row, alone, rows)


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
