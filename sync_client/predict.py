"""`license-sync predict`: what license sync will do to the bill, from GitHub's own report files.

The files become a scenario-file world (predict_world.py), counted with the mock GHEC's own
rules, locally: who is billed (`scenarios.billing`, DOMAIN §7), then GHEC's matching
(`license_rules`, DOMAIN §4) on the mock's accounts in the mock's row order. Nothing is sent
anywhere. Without sync each side is billed on its own; with sync a GHES account whose primary
email matches a billed person's verified email or SAML identity merges into that person's
license, and GHES-only accounts with the same primary email share one.

What the files cannot show, predict cannot see: GHEC's license report lists a person's verified
emails on verified domains and the SAML NameID, not other verified emails nor the other SAML
claims, so a match that only those would make is predicted as two licenses (docs/predict.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from license_rules.accounts import member_account, on_verified_domain, row_order
from license_rules.matching import (
    RULE_GHES_ONLY,
    CloudAccount,
    build_index,
    describe_merge,
    match,
    normalise,
    source_order,
    why_unmatched,
)
from scenarios.billing import evaluate
from scenarios.billing_world import email_invitations, invitation_verdict, member_facts
from scenarios.model import Enterprise, Scenario

from .report_files import NEVER_CONSUMING_LOGINS, CloudPerson, GhesAccount, GhesSource


@dataclass(slots=True)
class PredictedRow:
    """One license after sync: a GitHub.com person (maybe with server accounts) or GHES-only accounts."""

    github_com_login: str
    server_accounts: list[GhesAccount]
    rules: list[str]  # per server account: the rule that put it here
    why: list[str]  # per server account: that rule as a sentence
    cloud: bool = True  # a GitHub.com-side license (an account, or an invitation by email)

    @property
    def total_user_accounts(self) -> int:
        """As GitHub counts it: the GitHub.com account (if any) plus each server account."""
        return (1 if self.cloud else 0) + len(self.server_accounts)

    def as_json(self) -> dict[str, Any]:
        """The row as `--json` and the CSV show it."""
        return {"github_com_login": self.github_com_login,
                "enterprise_server_user_ids": [f"{a.host}:{a.user_id}" for a in self.server_accounts],
                "enterprise_server_primary_emails": sorted({a.primary for a in self.server_accounts}),
                "total_user_accounts": self.total_user_accounts, "why": self.why}


@dataclass(slots=True)
class StillTwo:
    """A person who will still consume two licenses: a GHES account that looks like a GitHub.com person's."""

    ghes: GhesAccount
    github_com_login: str
    reason: str
    fix: str

    def as_json(self) -> dict[str, Any]:
        """For `--json` and the CSV."""
        return {"server_account": f"{self.ghes.host}:{self.ghes.user_id}", "ghes_login": self.ghes.login,
                "ghes_primary_email": self.ghes.primary, "github_com_login": self.github_com_login,
                "reason": self.reason, "fix": self.fix}


@dataclass(slots=True)
class Prediction:
    """Licenses now (each side alone) and after sync, the saving, and who will still consume two."""

    ghes_licenses: int
    ghec_licenses: int
    rows: list[PredictedRow]
    still_two: list[StillTwo] = field(default_factory=list)

    @property
    def now(self) -> int:
        """Without sync: both sides billed on their own."""
        return self.ghes_licenses + self.ghec_licenses

    @property
    def after(self) -> int:
        """With sync: one license per predicted row."""
        return len(self.rows)

    @property
    def saving(self) -> int:
        """Licenses sync saves."""
        return self.now - self.after

    def as_json(self) -> dict[str, Any]:
        """The whole prediction for `--json`."""
        return {"licenses_now": {"ghes": self.ghes_licenses, "ghec": self.ghec_licenses, "total": self.now},
                "licenses_after_sync": self.after, "saving": self.saving,
                "still_two_licenses": [s.as_json() for s in self.still_two],
                "rows": [r.as_json() for r in self.rows]}


def _server_accounts(scenario: Scenario, sources: list[GhesSource]) -> list[GhesAccount]:
    """The world's license-consuming GHES accounts (DOMAIN §3), as predict names them."""
    out = []
    for inst, source in zip(scenario.ghes, sources, strict=True):
        for user in inst.users:
            if user.suspended or user.kind in NEVER_CONSUMING_LOGINS:
                continue
            out.append(GhesAccount(inst.server_id, inst.host_name, user.id,
                                   None if source.from_export else user.login, user.primary_email,
                                   tuple(e.address for e in user.emails if not e.primary)))
    return out


def _cloud_people(ent: Enterprise) -> tuple[list[CloudPerson], list[CloudAccount]]:
    """The enterprise's billed GitHub.com side (DOMAIN §7, the mock GHEC's rules), in the mock's row order.

    An invitation by email is a license with no account (login ""), and nothing can match it.
    """
    people, accounts = [], []
    for member in row_order(ent.members):
        if evaluate(member_facts(ent, member)).billed:
            accounts.append(member_account(member))
            domains = tuple(a for a in member.verified_emails if on_verified_domain(a, ent.verified_domains))
            people.append(CloudPerson(member.login, member.name, domains,
                                      member.identity.name_id if member.identity else None))
    for inv in email_invitations(ent):
        if invitation_verdict(ent, inv).billed:
            accounts.append(CloudAccount(-inv.id, "", (), (), None))
            people.append(CloudPerson("", "", (), None))
    return people, accounts


def predict(scenario: Scenario, sources: list[GhesSource]) -> Prediction:
    """Count the files' world as the mock GHEC does: who is billed (§7), then GHEC's matching (§4), in process."""
    ent = scenario.enterprises[0]
    accounts = _server_accounts(scenario, sources)
    people, cloud = _cloud_people(ent)
    by_key = {(a.server_id, a.host, a.user_id, a.primary): a for a in accounts}
    index = build_index(cloud, bool(ent.uses_saml or ent.saml_orgs))
    result = match(index, ((a.server_id, a.host, a.user_id, a.primary) for a in accounts))
    rows = []
    for person, sources_ in zip(people, result.by_row, strict=True):
        merged = sorted(sources_ or [], key=lambda s: source_order(s[0]))
        rows.append(PredictedRow(person.login, [by_key[s[0]] for s in merged], [rule for _, rule in merged],
                                 [describe_merge(rule, s[3], person.login) for s, rule in merged]))
    for key, group in result.ghes_only.items():
        members = [by_key[g] for g in sorted(group, key=source_order)]
        why = describe_merge(RULE_GHES_ONLY, key, None, len(members))
        rows.append(PredictedRow("", members, [RULE_GHES_ONLY] * len(members), [why] * len(members), cloud=False))
    alone = [by_key[account] for _, account in result.alone]
    return Prediction(len(accounts), len(people), rows, _still_two(index, alone, people))


def _still_two(index: Any, alone: list[GhesAccount], people: list[CloudPerson]) -> list[StillTwo]:
    """GHES accounts that merge with nobody but look like a person of the report, each with GitHub's fix."""
    by_login = {p.login.lower(): p for p in people if p.login}
    by_local: dict[str, CloudPerson] = {}
    for person in people:
        for address in (*person.domain_emails, person.saml_name_id or ""):
            if address.strip() and person.login:
                by_local.setdefault(address.split("@")[0].strip().lower(), person)
    found = []
    for account in alone:
        code, sentence = why_unmatched(index, account.primary, account.others)
        candidate = (by_login.get((account.login or "").lower())
                     or by_local.get(normalise(account.primary).split("@")[0]))
        if code == "secondary_email_only":
            login = sentence.split("GitHub.com account ")[1].split(";")[0]
            found.append(StillTwo(account, login, sentence, "make the matching address the primary email of "
                                  f"{account.login or account.user_id} on {account.host}"))
        elif candidate is not None:
            found.append(StillTwo(account, candidate.login, sentence, _fix(account, candidate)))
    return found


def _fix(account: GhesAccount, person: CloudPerson) -> str:
    """GitHub's recommendation for a GHES account and the GitHub.com account it should have matched."""
    target = person.domain_emails[0] if person.domain_emails else None
    ways = [f"add and verify {account.primary} on GitHub.com account {person.login} (ideally on a verified domain)"]
    if target:
        ways.append(f"or make {target} the primary email of {account.login or account.user_id} on {account.host}")
    if person.saml_name_id is not None or not person.domain_emails:
        ways.append(f"or make the SAML NameID of {person.login} {account.primary}")
    return ", ".join(ways)


def explain(prediction: Prediction, login: str) -> list[str]:
    """Sentences about one GitHub.com or GHES login: which license it ends in, and why."""
    wanted = login.lower()
    lines = []
    for row in prediction.rows:
        names = {row.github_com_login.lower(), *((a.login or "").lower() for a in row.server_accounts)}
        if wanted in names:
            who = row.github_com_login or "no GitHub.com account"
            lines.append(f"{login}: one license ({who}; {row.total_user_accounts} account(s) in all)")
            lines += [f"  {a.host}:{a.user_id} ({a.login or a.primary}): {why}"
                      for a, why in zip(row.server_accounts, row.why, strict=True)]
    for item in prediction.still_two:
        if wanted in (item.github_com_login.lower(), (item.ghes.login or "").lower()):
            lines.append(f"  still two licenses: {item.reason}")
            lines.append(f"  fix: {item.fix}")
    return lines
