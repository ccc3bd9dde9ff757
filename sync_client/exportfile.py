"""The export file as the client handles it: validate (through export_format), decrypt, summarise.

WHY validation goes through `export_format` but decryption has a local copy: the contract's
owner is the only judge of validity, while `verify` must read every encrypted users blob GHEC
received — including blobs a doctored server produced that the validator would refuse — so
it needs to open a blob without also judging it. The scheme is the published one
(RSA-OAEP-SHA256 wraps an AES-256-GCM key; associated data is `instance.server_id`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import Problem, UsageError


@dataclass
class FileCheck:
    """The verdict on one export: valid or not, its problems, and what it says about itself."""

    ok: bool
    problems: list[Problem] = field(default_factory=list)
    encrypted: bool = False
    server_id: str | None = None
    host_name: str | None = None
    users: list[dict[str, Any]] | None = None  # the (decrypted) user records, when readable
    kind: str = "ghes-license-usage"  # or "github": the export as GitHub ships it (users not checkable)
    schema_version: str | None = None  # the published schema version the file was judged by
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why
    generated_at: str | None = None
    warnings: list[str] = field(default_factory=list)  # true of a valid file, but worth knowing (its age)

    def as_json(self) -> dict[str, Any]:
        """Machine-readable form for `--json`."""
        return {"ok": self.ok, "encrypted": self.encrypted, "server_id": self.server_id,
                "host_name": self.host_name, "users": None if self.users is None else len(self.users),
                "problems": [{"path": p.path, "message": p.message} for p in self.problems],
                "kind": self.kind, "schema_version": self.schema_version, "notes": self.notes,
                "generated_at": self.generated_at, "warnings": self.warnings}


#: A file older than this is probably not the one meant: GHES usage changes every week (the Connect sync's period).
OLD_AFTER = timedelta(days=7)
FUTURE_SKEW = timedelta(minutes=5)  # GHEC's allowed clock skew (mock_ghec/refusals.py, docs/ghec.md)


def age_warnings(generated_at: str | None, now: datetime | None = None) -> list[str]:
    """What to know about a file's age: from the future (GHEC refuses it), or old (likely stale)."""
    from github_http.clock import parse_time
    if not generated_at:
        return []
    try:
        generated = parse_time(generated_at)
    except ValueError:
        return []
    now = now or datetime.now(UTC)
    if generated > now + FUTURE_SKEW:
        return [f"generated_at {generated_at} is in the future (this machine's clock says {now:%Y-%m-%dT%H:%M:%SZ}): "
                "GHEC refuses a file from its future with 422; check the GHES clock and export again"]
    if now - generated > OLD_AFTER:
        return [f"generated_at {generated_at} is {(now - generated).days} days ago: GHEC refuses it (409) if it has "
                "a newer file from this server; export a fresh one (or upload --force to replace a newer one)"]
    return []


def load_private_key(path: str | Path | None = None) -> Any:
    """The GHEC private key that opens encrypted exports: a PEM file, or the project's test key.

    A missing or unusable key file is a usage error (one line), not a traceback.
    """
    from export_format import keys
    try:
        return keys.load_private_key(path)
    except (keys.KeyLoadError, OSError, ValueError) as error:
        raise UsageError(str(error)) from None


def check_bytes(raw: bytes, private_key: Any = None, format_version: str | None = None) -> FileCheck:
    """Validate an export with the contract's validator and describe it.

    WHY the private key is passed: an encrypted file is only fully valid if its users array,
    once decrypted, is valid too; without the key only the envelope can be judged.
    `format_version` names a published schema version ("1-0-0", or a MODEL number "1");
    None judges the file by its own format_version. An export as GitHub ships it is
    recognised and checked as far as its public shape allows (export_format.github_shipped).
    """
    from export_format import github_shipped, versioned, versions
    try:
        result, version = versioned.validate_versioned(raw, format_version, private_key)
    except versions.UnknownVersion as error:
        raise UsageError(str(error)) from None
    if not result.ok and result.problems[0].message == github_shipped.NOT_OUR_FORMAT:
        return _github_check(_parse(raw))
    problems = [Problem(str(getattr(p, "path", "")), str(getattr(p, "message", p))) for p in result.problems]
    check = FileCheck(ok=bool(result.ok), problems=problems, schema_version=str(version))
    document = result.document
    if document is not None:  # valid: the validator already parsed (and decrypted) it
        check.generated_at = document.generated_at
        check.warnings = age_warnings(document.generated_at)
        check.server_id = document.instance.get("server_id")
        check.host_name = document.instance.get("host_name")
        check.encrypted = document.encrypted
        if document.users_readable:
            check.users = document.users
        return check
    doc = _parse(raw)  # refused: describe what can still be read of it
    if isinstance(doc, dict):
        given = doc.get("instance")
        instance = given if isinstance(given, dict) else {}
        check.server_id = instance.get("server_id")
        check.host_name = instance.get("host_name")
        check.encrypted = isinstance(doc.get("users"), str) or "encryption" in doc
        users = doc.get("users")
        if isinstance(users, list):
            check.users = users
        elif check.encrypted and private_key is not None:
            check.users = decrypt_users(doc, private_key)
    return check


def _github_check(doc: Any) -> FileCheck:
    """The verdict on an export in GitHub's own shape: its instance block, and a clear note."""
    from export_format import github_shipped
    seen = github_shipped.check_github_export(doc)
    instance = seen.instance
    return FileCheck(ok=seen.ok, problems=[Problem(p.path, p.message) for p in seen.problems], encrypted=True,
                     server_id=instance.get("server_id") if isinstance(instance.get("server_id"), str) else None,
                     host_name=instance.get("host_name") if isinstance(instance.get("host_name"), str) else None,
                     kind="github", notes=seen.notes)


def _parse(raw: bytes) -> Any:
    """JSON from bytes, or None when it is not JSON (the validator reports why)."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
        return None


def decrypt_users(doc: Any, private_key: Any) -> list[Any] | None:
    """The plaintext users array of an encrypted export, or None when it cannot be opened.

    Never raises: a blob that does not decrypt is reported by the caller as "could not be
    read", which for `verify` is itself a failure (it cannot prove what it cannot read).
    """
    plain = decrypt_users_bytes(doc, private_key)
    if plain is None:
        return None
    parsed = _parse(plain)
    return parsed if isinstance(parsed, list) else None


def decrypt_users_bytes(doc: Any, private_key: Any) -> bytes | None:
    """The raw decrypted bytes of the users blob (scanned as bytes by the privacy check).

    Opens the blob with the contract's own decryption (export_format.encryption), so the
    client and the mocks can never disagree on the scheme.
    """
    from export_format.encryption import decrypt_users as open_blob
    try:
        return open_blob(doc["encryption"], doc["users"], private_key,
                         str(doc["instance"]["server_id"]).encode("utf-8"))
    except Exception:
        return None


def read_file(path: str | Path) -> bytes:
    """Read an export file, or a one-line usage error when it is missing or unreadable."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"file not found: {path}") from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def write_file(path: str | Path, raw: bytes) -> None:
    """Write an export, or a one-line usage error saying why it cannot be written there."""
    try:
        Path(path).write_bytes(raw)
    except FileNotFoundError:
        raise UsageError(f"cannot write {path}: its folder does not exist (create it, or give another -o)") from None
    except IsADirectoryError:
        raise UsageError(f"cannot write {path}: it is a folder; give a file name") from None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
