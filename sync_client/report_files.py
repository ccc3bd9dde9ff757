"""Reading the files an admin actually has: GHES's `all_users.csv`, GHEC's license report, our export.

`license-sync predict` takes these (DOMAIN.md §8) and keeps only what matching needs: per GHES
account its id, login and emails; per GitHub.com account its login, verified-domain emails and
SAML NameID. Which file is which is decided by its content (a JSON object is an export; CSV
headers tell the two reports apart), and GHEC's older snake_case headers are read as well as
the current ones. A malformed file is refused with `path:line: message`, never a traceback.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import export_format

from .errors import UsageError

NEVER_CONSUMING_LOGINS = ("ghost", "scim-admin")  # DOMAIN §3: never a seat
MAX_REPORT_BYTES = 512 << 20
GHES_COLUMNS = ("id", "login", "email", "suspended?")
#: GHEC license report: (current header, legacy header) of each column predict reads.
GHEC_COLUMNS = {"login": ("GitHub com login", "github_com_login"),
                "name": ("GitHub com name", "github_com_name"),
                "domain_emails": ("GitHub com verified domain emails", "github_com_verified_domain_emails"),
                "saml": ("GitHub com saml name", "github_com_saml_name"),
                "server_ids": ("Enterprise server user ids", "enterprise_server_user_ids"),
                "member_roles": ("GitHub com member roles", "github_com_member_roles"),
                "enterprise_roles": ("GitHub com enterprise roles", "github_com_enterprise_roles"),
                "pending": ("GitHub com orgs with pending invites", "github_com_orgs_with_pending_invites"),
                "license_type": ("License type", "license_type"),
                "vs_email": ("Visual studio subscription email", "visual_studio_subscription_email")}
#: Columns an older or trimmed report may lack: read as empty (the rest are required).
OPTIONAL_GHEC_COLUMNS = ("member_roles", "enterprise_roles", "pending", "license_type", "vs_email")
#: One entry of a member-roles cell: `ORG:Owner`, `ORG:Member` or `ORG/REPO:Collaborator` (DOMAIN.md §8).
MEMBER_ROLE = re.compile(r"^(?P<org>[^/:\s]+)(?:/(?P<repo>[^/:\s]+))?:(?P<role>[A-Za-z]+)$")


class ReportFileError(UsageError):
    """A report file predict cannot read: `path:line: message`."""


@dataclass(frozen=True, slots=True)
class GhesRecord:
    """One account line of a GHES source, as the world needs it (non-consuming ones too)."""

    line: int  # its line in the file (0: an export, which has no lines)
    user_id: int
    login: str | None  # None when the source (an export) does not name it
    primary: str
    others: tuple[str, ...] = ()
    site_admin: bool = False
    suspended: bool = False


@dataclass(slots=True)
class GhesSource:
    """One GHES instance's file: where it came from and its accounts."""

    path: str
    host: str
    server_id: str | None  # an export states it; an all_users.csv does not
    from_export: bool
    accounts: list[GhesRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GhesAccount:
    """A license-consuming GHES account, as matching sees it."""

    server_id: str
    host: str
    user_id: int
    login: str | None  # None when the source (an export) does not name it
    primary: str
    others: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CloudPerson:
    """A GitHub.com-side license of the GHEC license report, as matching sees it.

    `login` is empty for a license with no account yet (an invitation by email): it is billed,
    and nothing can match it."""

    login: str
    name: str
    domain_emails: tuple[str, ...]
    saml_name_id: str | None
    line: int = 0
    orgs: tuple[tuple[str, str], ...] = ()  # (organization, "owner" | "member") of `ORG:Owner` / `ORG:Member`
    collaborator_on: tuple[str, ...] = ()  # "org/repo" of `ORG/REPO:Collaborator`
    enterprise_roles: tuple[str, ...] = ()  # lower-cased: owner, member, outside collaborator, ...
    pending_orgs: tuple[str, ...] = ()
    visual_studio: bool = False  # License type "Visual Studio subscription"
    visual_studio_email: str = ""


@dataclass(slots=True)
class GhecReport:
    """A GHEC license report: its path (for messages) and its people."""

    path: str
    people: list[CloudPerson]

def _read(path: str) -> bytes:
    """The file's bytes, or one line saying why not."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_REPORT_BYTES:
            raise ReportFileError(f"{path}: larger than {MAX_REPORT_BYTES >> 20} MiB")
        return Path(path).read_bytes()
    except OSError as error:
        raise ReportFileError(f"{path}: {error.strerror or error}") from error


def _csv_rows(path: str, raw: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(line number, row)]) of a CSV file; a BOM is allowed, other bad bytes are refused."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReportFileError(f"{path}: not UTF-8 text (byte {error.start})") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ReportFileError(f"{path}:{reader.line_num}: {len(row)} cells where the header has "
                                      f"{len(header)}")
            rows.append((reader.line_num, dict(zip(header, row, strict=True))))
    except csv.Error as error:
        raise ReportFileError(f"{path}:{reader.line_num}: {error}") from error
    return header, rows


def _split(cell: str) -> tuple[str, ...]:
    """A list cell (`a, b`) as its values."""
    return tuple(v.strip() for v in cell.split(",") if v.strip())


def _unquote(cell: str) -> str:
    """A cell our own or another writer guarded against spreadsheets (a leading ')."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def read_ghes_source(path: str, host: str | None, private_key: Any = None) -> GhesSource:
    """Every account of one GHES: from `all_users.csv` or from our export file."""
    raw = _read(path)
    if raw.lstrip()[:1] == b"{":
        return _from_export(path, raw, host, private_key)
    header, rows = _csv_rows(path, raw)
    missing = [c for c in GHES_COLUMNS if c not in header]
    if missing:
        raise ReportFileError(f"{path}:1: not a GHES all_users report (missing column {', '.join(missing)})")
    source = GhesSource(path, host or Path(path).stem, None, False)
    for line, row in rows:
        try:
            user_id = int(row["id"])
        except ValueError as error:
            raise ReportFileError(f"{path}:{line}: id {row['id']!r} is not a number") from error
        suspended = row["suspended?"].strip().lower()
        if suspended not in ("true", "false"):
            raise ReportFileError(f"{path}:{line}: suspended? must be true or false, not {row['suspended?']!r}")
        email = _unquote(row["email"].strip())
        if not email:
            continue  # no email, no license (`ghost`): nothing for the world to state
        source.accounts.append(GhesRecord(line, user_id, row["login"].strip(), email,
                                          site_admin=row.get("role", "").strip().lower() == "admin",
                                          suspended=suspended == "true"))
    return source


def _from_export(path: str, raw: bytes, host: str | None, private_key: Any) -> GhesSource:
    """Our export file (plain, or encrypted with the private key given): its users all consume."""
    try:
        document = export_format.parse_export(raw, private_key=private_key)
    except ValueError as error:  # ExportError, DecryptionError: the library says what is wrong
        raise ReportFileError(f"{path}: not a readable license-usage export ({error})") from error
    instance = document.instance
    source = GhesSource(path, host or instance["host_name"], instance["server_id"], True)
    for user in document.users:
        primary = next(e["address"] for e in user["emails"] if e["primary"])
        source.accounts.append(GhesRecord(0, user["id"], None, primary,
                                          tuple(e["address"] for e in user["emails"] if not e["primary"])))
    return source


def read_ghec_report(path: str) -> GhecReport:
    """The GitHub.com accounts of a GHEC license report (current or legacy headers)."""
    header, rows = _csv_rows(path, _read(path))
    columns = {}
    for key, names in GHEC_COLUMNS.items():
        found = next((n for n in names if n in header), None)
        if found is None and key not in OPTIONAL_GHEC_COLUMNS:
            raise ReportFileError(f"{path}:1: not a GHEC license report (no {names[0]!r} column)")
        columns[key] = found or ""
    report = GhecReport(path, [])
    for line, row in rows:
        def cell(key: str, row: dict[str, str] = row) -> str:
            return row.get(columns[key], "").strip()
        login = cell("login")
        if not login and cell("server_ids"):
            continue  # a server-only row of an earlier sync: the GHES files are the source now
        orgs, repos = _member_roles(f"{path}:{line}: {columns['member_roles']}", cell("member_roles"))
        report.people.append(CloudPerson(
            login, cell("name"), tuple(_unquote(e) for e in _split(cell("domain_emails"))),
            _unquote(cell("saml")) or None, line, orgs, repos,
            tuple(r.lower() for r in _split(cell("enterprise_roles"))), _split(cell("pending")),
            cell("license_type").lower().replace("_", " ") == "visual studio subscription",
            _unquote(cell("vs_email"))))
    return report


def _member_roles(where: str, cell: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """A member-roles cell as (organization roles, collaborator repositories); a malformed entry is refused."""
    orgs: list[tuple[str, str]] = []
    repos: list[str] = []
    for entry in _split(_unquote(cell)):
        found = MEMBER_ROLE.match(entry)
        role = found["role"].lower() if found else ""
        if found and found["repo"] is None and role in ("owner", "member"):
            orgs.append((found["org"], role))
        elif found and found["repo"] is not None and role == "collaborator":
            repos.append(f"{found['org']}/{found['repo']}")
        else:
            raise ReportFileError(f"{where}: {entry!r} is not ORG:Owner, ORG:Member or ORG/REPO:Collaborator")
    return tuple(orgs), tuple(repos)


def parse_host_arg(value: str) -> tuple[str | None, str]:
    """`HOST=PATH` or `PATH` (HOST then comes from the file)."""
    host, sep, path = value.partition("=")
    if sep and host and "/" not in host and not Path(value).exists():
        return host, path
    return None, value


