"""Writing and reading whole export files (this project's own format, version 1).

`build_export` is what the mock GHES calls to produce a file; `parse_export` is what the mock
GHEC calls on an upload. Both go through the same schemas and rules as `validate_bytes`, so a
file the writer produces is a file the reader accepts.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from .encryption import encrypt_users
from .schemas import FORMAT_ID, FORMAT_VERSION, InstanceSchema
from .strict import Rfc3339Utc

_COMPACT = (",", ":")


@dataclass
class ExportDocument:
    """A validated export. For the encrypted form read without the private key, `users` is
    empty and `users_readable` is False (the envelope was still fully validated)."""

    format_version: int
    generated_at: str
    instance: dict[str, Any]
    users: list[dict[str, Any]]
    encrypted: bool
    encryption: dict[str, Any] | None = None
    users_readable: bool = True

    @property
    def server_id(self) -> str:
        """The exporting instance's Server ID: the key GHEC stores an upload under (a later
        upload from the same server replaces the earlier one, DOMAIN §4)."""
        return self.instance["server_id"]


class ExportError(ValueError):
    """A file (or the input to build one) is invalid; `problems` lists every Problem found."""

    def __init__(self, problems: Iterable[Any]) -> None:
        """Keep the full list and put the first few in the message, for logs and tracebacks."""
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"invalid license-usage export: {shown}{more}")


def format_timestamp(value: datetime | str) -> str:
    """RFC 3339 UTC with a "Z", to the second; WHY reject naive datetimes: a local time
    silently labelled UTC shifts every "last sync" shown by GHEC."""
    if isinstance(value, str):
        try:
            return Rfc3339Utc()(value)
        except ValidationError as exc:
            raise ExportError([_problem("$.generated_at", "; ".join(exc.messages))]) from None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ExportError([_problem("$.generated_at",
                                    "must be a timezone-aware datetime or an RFC 3339 string")])
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _problem(path: str, message: str) -> Any:
    """Build a Problem lazily; WHY: validation imports this module, not the other way round."""
    from .problems import Problem

    return Problem(path, message)


def _checked_instance(instance: dict[str, Any]) -> dict[str, Any]:
    """The instance block, validated and in the schema's key order."""
    from .problems import ProblemList

    try:
        return InstanceSchema().load(instance)
    except ValidationError as exc:
        found = ProblemList()
        found.add_marshmallow("$.instance", exc.messages)
        raise ExportError(found.finish()) from None


def _users_bytes(users: list[dict[str, Any]] | None, users_json: bytes | None,
                 check: bool) -> bytes:
    """The users array as compact UTF-8 JSON, from records (checked) or pre-serialised."""
    if (users is None) == (users_json is None):
        raise TypeError("pass exactly one of users= (records) or users_json= (serialised array)")
    if users_json is not None:
        data = bytes(users_json)
        stripped = data.strip()
        if not (stripped.startswith(b"[") and stripped.endswith(b"]")):
            raise ExportError([_problem("$.users", "users_json must be the UTF-8 JSON of an "
                                                   "array of user records")])
        return stripped
    assert users is not None  # exactly one of the two was given (checked above)
    if check:
        from .problems import ProblemList
        from .validation import check_users

        found = ProblemList()
        check_users(users, found)
        if found:
            raise ExportError(found.finish())
    return json.dumps(users, separators=_COMPACT).encode("ascii")


def build_export(instance: dict[str, Any], *, users: list[dict[str, Any]] | None = None,
                 users_json: bytes | None = None, encrypt_to: Any = None,
                 generated_at: datetime | str, check_users: bool = True) -> bytes:
    """Serialise an export file; encrypted to `encrypt_to` (an RSAPublicKey) or plain if None.

    `users_json` takes the already-serialised array (e.g. from SQLite's json_group_array) and
    is NOT re-parsed, so exporting 100,000 users costs little more than the bytes themselves;
    the caller is responsible for its content (validate_bytes can check the result). `users`
    records are checked with the reader's own rules unless check_users=False, so the writer
    cannot emit a key the reader would refuse (a `login` leaking into a file, say).
    """
    head: dict[str, Any] = {
        "format": FORMAT_ID,
        "format_version": FORMAT_VERSION,
        "generated_at": format_timestamp(generated_at),
        "instance": _checked_instance(instance),
    }
    array = _users_bytes(users, users_json, check_users)
    if encrypt_to is not None:
        sealed = encrypt_users(array, encrypt_to, head["instance"]["server_id"].encode("ascii"))
        head["encryption"] = sealed["encryption"]
        array = b'"' + sealed["users"].encode("ascii") + b'"'
    # ASCII output (non-ASCII escaped): WHY, a stray lone surrogate in an opaque field must
    # not make the writer crash, and ASCII is valid UTF-8.
    prefix = json.dumps(head, separators=_COMPACT).encode("ascii")
    return b"".join((prefix[:-1], b',"users":', array, b"}\n"))


def parse_export(raw: bytes, private_key: Any = None) -> ExportDocument:
    """Validate and read a file; raises ExportError listing every problem.

    An encrypted file needs `private_key` (the GHEC side's RSAPrivateKey): reading it without
    one is an error here, because a caller asking for the document wants its users.
    Use validate_bytes to check an encrypted file's envelope without the key.
    """
    from .validation import validate_bytes

    result = validate_bytes(raw, private_key)
    if not result.ok or result.document is None:
        raise ExportError(result.problems)
    if not result.document.users_readable:
        raise ExportError([_problem("$.users", "the users are encrypted: pass the GHEC "
                                               "private key (private_key=...) to read them")])
    return result.document


def users_iter(document: ExportDocument) -> Iterator[tuple[int, str, list[str]]]:
    """Yield (user id, primary address, all addresses) per user: what GHEC matches on.

    WHY a helper: every consumer needs "the primary" and would otherwise re-implement the
    search; the file is already validated, so exactly one primary exists.
    """
    for user in document.users:
        addresses = [email["address"] for email in user["emails"]]
        primary = next(email["address"] for email in user["emails"] if email["primary"])
        yield user["id"], primary, addresses
