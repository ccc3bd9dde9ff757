"""The report files as a scenario-file world: the document a user could write, checked by the same schema.

`license-sync predict` states what the files show as a world (docs/scenarios.md's format), loads
it with `scenarios.file.load_document` (the same schema and checks as `mock-ghec serve
--scenario-file`), and counts that world with the mock GHEC's own rules. `--scenario-out`
writes this document, so the mocks can be started on exactly the world predict counted.

What the files cannot say is filled in so that it changes no count: an enterprise owner in no
organization (not billed) when the report lists none, a site admin on a GHES instance whose
file marks none (its first account: roles never change licenses), a login for export users
(exports name none), a `.invalid` address for an invitation by email (the report hides it, so
nothing can match it), and private visibility for every repository (the report lists the
license consumers; an outside collaborator on a public repository consumes none).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from export_format.gcpause import gc_paused
from scenarios.file import FORMAT_VERSION, ScenarioFileError, load_document
from scenarios.model import Scenario

from .predict import Prediction, predict
from .report_files import NEVER_CONSUMING_LOGINS, CloudPerson, GhecReport, GhesSource, ReportFileError

ENTERPRISE_SLUG = "predict"
STAND_IN_OWNER = "predict-enterprise-owner"  # only when the report shows no enterprise owner


@dataclass(slots=True)
class FileWorld:
    """The document and, per document path, the file line it was stated from (for `path:line: message`)."""

    document: dict[str, Any]
    lines: dict[str, str] = field(default_factory=dict)  # "$.ghes[0].accounts[3]" -> "all_users.csv:5"

    def where(self, path: str) -> str:
        """The file line a problem at `path` comes from (the longest stated prefix), or the path itself."""
        best = ""
        for prefix in self.lines:
            if (path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")) \
                    and len(prefix) > len(best):
                best = prefix
        return self.lines[best] if best else path


def _account(person: CloudPerson) -> dict[str, Any]:
    """One GitHub.com account of the report as a scenario file states it."""
    roles = set(person.enterprise_roles)
    out: dict[str, Any] = {"login": person.login, "name": person.name,
                           "emails": [{"address": a} for a in person.domain_emails]}
    if person.orgs:
        out["orgs"] = dict(person.orgs)
    if person.collaborator_on:
        out["collaborator_on"] = list(person.collaborator_on)
    if person.pending_orgs:
        out["pending_invitations"] = list(person.pending_orgs)
    if "owner" in roles:
        out["enterprise_owner"] = True
    elif not person.orgs and not person.collaborator_on and roles & {"outside collaborator", "repository collaborator"}:
        out["role"] = "outside_collaborator"  # on a repository the report does not name (billed as private)
    if person.saml_name_id:
        out["saml"] = {"name_id": person.saml_name_id, "username": ""}  # only the NameID is shown
    if person.visual_studio:
        email = person.visual_studio_email or next(iter(person.domain_emails), f"{person.login}@visual-studio.invalid")
        out["visual_studio"] = {"email": email}
    return out


def _enterprise(report: GhecReport, world: FileWorld) -> dict[str, Any]:
    """The enterprise the report describes: its organizations, repositories, accounts and invitations."""
    orgs: dict[str, set[str]] = {}
    accounts: list[dict[str, Any]] = []
    invitations: list[dict[str, str]] = []
    for person in report.people:
        for org, _ in person.orgs:
            orgs.setdefault(org, set())
        for org in person.pending_orgs:
            orgs.setdefault(org, set())
        for name in person.collaborator_on:
            org, _, repo = name.partition("/")
            orgs.setdefault(org, set()).add(repo)
        where = f"{report.path}:{person.line}"
        if person.login:
            world.lines[f"$.enterprises[0].accounts[{len(accounts)}]"] = where
            accounts.append(_account(person))
        elif not person.pending_orgs:
            raise ReportFileError(f"{where}: a line with no GitHub.com login, no server user ids and no pending "
                                  "invitation is no license")
        else:  # a license with no account yet: an invitation by email
            world.lines[f"$.enterprises[0].invitations[{len(invitations)}]"] = where
            invitations.append({"org": person.pending_orgs[0],
                                "email": f"invitation-{len(invitations) + 1}@email-invitation.invalid"})
    if not any(a.get("enterprise_owner") for a in accounts):
        accounts.append({"login": STAND_IN_OWNER, "enterprise_owner": True})
    domains = sorted({a.rpartition("@")[2].lower() for p in report.people for a in p.domain_emails if "@" in a})
    return {"slug": ENTERPRISE_SLUG, "name": Path(report.path).name, "verified_domains": domains,
            "saml": any(p.saml_name_id for p in report.people),
            "organizations": [{"name": o, **({"repositories": [{"name": r} for r in sorted(repos)]} if repos else {})}
                              for o, repos in orgs.items()],
            "accounts": accounts, **({"invitations": invitations} if invitations else {})}


def _instance(source: GhesSource, j: int, world: FileWorld) -> dict[str, Any]:
    """One GHES instance: every account its file lists (suspended ones too), one of them a site admin."""
    world.lines[f"$.ghes[{j}]"] = source.path
    accounts = []
    for n, record in enumerate(source.accounts):
        if record.line:
            world.lines[f"$.ghes[{j}].accounts[{n}]"] = f"{source.path}:{record.line}"
        login = record.login or f"user-{record.user_id}"
        account: dict[str, Any] = {"login": login, "id": record.user_id,
                                   "emails": [{"address": record.primary, "primary": True},
                                              *({"address": a} for a in record.others)]}
        if login in NEVER_CONSUMING_LOGINS:
            account["kind"] = login
        for flag in ("site_admin", "suspended"):
            if getattr(record, flag):
                account[flag] = True
        accounts.append(account)
    if accounts and not any(a.get("site_admin") for a in accounts):
        accounts[0]["site_admin"] = True  # the mock prints a site admin's token; roles change no license
    out: dict[str, Any] = {"host_name": source.host, "accounts": accounts}
    if source.server_id:
        out["server_id"] = source.server_id
    return out


def file_world(sources: list[GhesSource], report: GhecReport) -> FileWorld:
    """The scenario-file document the files state (not yet checked)."""
    world = FileWorld({"version": FORMAT_VERSION, "name": "license-sync predict"})
    world.document["enterprises"] = [_enterprise(report, world)]
    world.document["ghes"] = [_instance(s, j, world) for j, s in enumerate(sources)]
    return world


def predict_files(sources: list[GhesSource], report: GhecReport) -> tuple[FileWorld, Prediction]:
    """The files' world and its prediction (`license-sync predict`'s work, after reading the files).

    WHY the collector is paused: a 100,000-person world is a few hundred thousand small objects
    with no cycles; the collections their building triggers doubled the time (export_format.gcpause)."""
    with gc_paused():
        world = file_world(sources, report)
        return world, predict(load_world(world), sources)


def load_world(world: FileWorld) -> Scenario:
    """The checked world; a problem is refused as `path:line: message` naming the file line it came from."""
    try:
        return load_document(world.document)
    except ScenarioFileError as error:
        first = error.problems[0]
        more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
        raise ReportFileError(f"{world.where(first.path)}: {first.message} (as a scenario file: {first.path})"
                              f"{more}") from error
