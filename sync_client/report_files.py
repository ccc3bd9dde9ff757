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
from dataclasses import dataclass
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
                "server_ids": ("Enterprise server user ids", "enterprise_server_user_ids")}


class ReportFileError(UsageError):
    """A report file predict cannot read: `path:line: message`."""


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


def read_ghes_source(path: str, host: str | None, private_key: Any = None) -> list[GhesAccount]:
    """The consuming accounts of one GHES: from `all_users.csv` or from our export file."""
    raw = _read(path)
    if raw.lstrip()[:1] == b"{":
        return _from_export(path, raw, host, private_key)
    header, rows = _csv_rows(path, raw)
    missing = [c for c in GHES_COLUMNS if c not in header]
    if missing:
        raise ReportFileError(f"{path}:1: not a GHES all_users report (missing column {', '.join(missing)})")
    name = host or Path(path).stem
    accounts = []
    for line, row in rows:
        try:
            user_id = int(row["id"])
        except ValueError as error:
            raise ReportFileError(f"{path}:{line}: id {row['id']!r} is not a number") from error
        if row["suspended?"].strip().lower() not in ("true", "false"):
            raise ReportFileError(f"{path}:{line}: suspended? must be true or false, not {row['suspended?']!r}")
        email = _unquote(row["email"].strip())
        if row["suspended?"].strip().lower() == "true" or row["login"] in NEVER_CONSUMING_LOGINS or not email:
            continue
        accounts.append(GhesAccount(name, name, user_id, row["login"], email))
    return accounts


def _from_export(path: str, raw: bytes, host: str | None, private_key: Any) -> list[GhesAccount]:
    """Our export file (plain, or encrypted with the private key given)."""
    try:
        document = export_format.parse_export(raw, private_key=private_key)
    except ValueError as error:  # ExportError, DecryptionError: the library says what is wrong
        raise ReportFileError(f"{path}: not a readable license-usage export ({error})") from error
    instance = document.instance
    name = host or instance["host_name"]
    out = []
    for user in document.users:
        primary = next(e["address"] for e in user["emails"] if e["primary"])
        out.append(GhesAccount(instance["server_id"], name, user["id"], None, primary,
                               tuple(e["address"] for e in user["emails"] if not e["primary"])))
    return out


def read_ghec_report(path: str) -> list[CloudPerson]:
    """The GitHub.com accounts of a GHEC license report (current or legacy headers)."""
    header, rows = _csv_rows(path, _read(path))
    columns = {}
    for key, names in GHEC_COLUMNS.items():
        found = next((n for n in names if n in header), None)
        if found is None:
            raise ReportFileError(f"{path}:1: not a GHEC license report (no {names[0]!r} column)")
        columns[key] = found
    people = []
    for _line, row in rows:
        login = row[columns["login"]].strip()
        if not login and row[columns["server_ids"]].strip():
            continue  # a server-only row of an earlier sync: the GHES files are the source now
        saml = _unquote(row[columns["saml"]].strip()) or None
        people.append(CloudPerson(login, row[columns["name"]].strip(),
                                  tuple(_unquote(e) for e in _split(row[columns["domain_emails"]])), saml))
    return people


def parse_host_arg(value: str) -> tuple[str | None, str]:
    """`HOST=PATH` or `PATH` (HOST then comes from the file)."""
    host, sep, path = value.partition("=")
    if sep and host and "/" not in host and not Path(value).exists():
        return host, path
    return None, value


