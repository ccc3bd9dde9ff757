"""Validate an export file and report EVERY problem with its JSON path.

First the msgspec accelerator (fastdecode.py) is asked; it can only say "valid, and here is
the document" or "don't know". On "don't know" the reference path below decides, from
scratch, so every refusal and message comes from it. Reference path, order of work, cheapest
and most fundamental first: size, encoding and JSON syntax
(_reading.py); top-level type and format_version; the envelope (everything but the users)
through marshmallow, which is cheap because the envelope is small; then the users array
through the hot loop (fastpath.py). Only when that loop finds something wrong is the array
walked record by record, with marshmallow (the source of truth) producing the messages for
malformed records and rules.py for broken semantic rules, up to MAX_PROBLEMS listed.
For the encrypted form, the users are checked after decryption when a private key is given;
their paths are then those of the decrypted array, e.g. `$.users[3].emails[0].address`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

from marshmallow import Schema, ValidationError

from . import fastdecode, fastpath, github_shipped, rules
from ._reading import FAILED, read_json
from .document import ExportDocument
from .encryption import DecryptionError, decrypt_users
from .fastdecode import Compact
from .limits import MAX_EXPORT_BYTES
from .problems import Problem, ProblemList, json_path
from .schemas import SUPPORTED_VERSIONS, EncryptedExportSchema, PlainExportSchema, UserRecordSchema

__all__ = ["Problem", "ValidationResult", "validate_bytes", "validate_compact"]


@dataclass
class ValidationResult:
    """Outcome of validate_bytes: ok with a document, or the list of problems (bounded)."""

    ok: bool
    problems: list[Problem]
    document: ExportDocument | None


@functools.lru_cache(maxsize=32)  # a bound above the export's schema classes (a handful)
def _schema(cls: type[Schema]) -> Schema:
    """One instance per schema class; WHY: marshmallow schemas are reusable for load, and
    building one per record would dominate the slow path."""
    return cls()


_JSON_TYPES: dict[type, str] = {dict: "an object", list: "an array", str: "a string"}


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return _JSON_TYPES.get(type(value), "a number")


def _version_ok(doc: dict[str, Any], found: ProblemList) -> bool:
    """Stop early on an unknown format_version; WHY: a newer file may have another layout, and
    listing its fields as 'unknown' would bury the one message that matters."""
    version = doc.get("format_version")
    if type(version) is int and version not in SUPPORTED_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_VERSIONS))
        found.add("$.format_version", f"unsupported format_version {version}; this reader "
                                      f"supports format version(s) {supported}")
        return False
    return True


def _check_envelope(doc: dict[str, Any], encrypted: bool, found: ProblemList) -> None:
    """Everything but the plain users array, through marshmallow (small, so cheap)."""
    users = doc.get("users")
    if encrypted:
        schema, envelope = _schema(EncryptedExportSchema), doc
    else:
        schema = _schema(PlainExportSchema)
        envelope = {**doc, "users": []} if isinstance(users, list) else doc
    try:
        schema.load(envelope)
    except ValidationError as exc:
        found.add_marshmallow("$", exc.messages)
    if not encrypted and isinstance(users, str):
        found.add("$.users", "is a string, as in the encrypted form, but the file has no "
                             "\"encryption\" block")
    if encrypted and isinstance(users, list):
        found.add("$.users", "is an array but the file has an \"encryption\" block: in the "
                             "encrypted form users must be the base64 ciphertext")


def check_users(users: list[Any], found: ProblemList, base: str = "$.users") -> None:
    """Check a users array; fast verdict first, then per-record detail only if needed."""
    verdict = fastpath.scan_users(users)
    if verdict == fastpath.OK:
        return
    before = len(found.items) + found.more + found.unexamined_records
    duplicates: dict[int, list[tuple[tuple[str | int, ...], str]]] = {}
    for parts, message in rules.duplicate_id_problems(users):
        duplicates.setdefault(int(parts[0]), []).append((parts[1:], message))
    for index, user in enumerate(users):  # in file order, so the listed problems come first
        path = f"{base}[{index}]"
        if verdict == fastpath.STRUCTURE and not fastpath.record_ok(user):
            _detail_record(user, path, found)  # marshmallow also applies the email rules
        else:
            for parts, message in rules.email_rule_problems(user["emails"]):
                found.add(json_path(path, parts), message)
        for parts, message in duplicates.get(index, ()):
            found.add(json_path(path, parts), message)
    if len(found.items) + found.more + found.unexamined_records == before:
        # The loop and the rules disagree: never let that pass silently.
        found.add(base, f"the fast check found a problem ({verdict}) that no rule describes "
                        "(please report this as a bug in export_format)")


def _detail_record(user: Any, path: str, found: ProblemList) -> None:
    """Marshmallow's messages for one malformed record (or just count it once full)."""
    if found.full:
        found.unexamined_records += 1
        return
    try:
        _schema(UserRecordSchema).load(user)
    except ValidationError as exc:
        if found.add_marshmallow(path, exc.messages):
            return
    # The loop and marshmallow disagree: never let that pass silently.
    found.add(path, "rejected by the fast structural check but accepted by the schema "
                    "(please report this as a bug in export_format)")


def _decrypted_users(doc: dict[str, Any], private_key: Any, found: ProblemList) -> Any:
    """Decrypt and parse the users blob, reporting failures at their paths."""
    try:
        plaintext = decrypt_users(doc["encryption"], doc["users"], private_key,
                                  doc["instance"]["server_id"].encode("ascii"))
    except DecryptionError as exc:
        found.add(exc.path, exc.message)
        return FAILED
    users = read_json(plaintext, found.add, path="$.users", what="the decrypted users")
    if users is not FAILED and not isinstance(users, list):
        found.add("$.users", f"the decrypted users must be a JSON array, got {_json_type(users)}")
        return FAILED
    return users


def _as_bytes(raw: Any) -> bytes:
    """The file as bytes; a str is refused (WHY: its encoding is already lost)."""
    if isinstance(raw, (bytearray, memoryview)):
        raw = bytes(raw)
    if not isinstance(raw, bytes):
        raise TypeError(f"validate_bytes needs bytes (read the file in binary mode), got "
                        f"{type(raw).__name__}")
    return raw


def validate_bytes(raw: bytes, private_key: Any = None) -> ValidationResult:
    """Validate one export file given as bytes; never raises for a bad file.

    `private_key` (a cryptography RSAPrivateKey) lets the encrypted form's users be
    decrypted and checked too; without it, an encrypted file is checked up to its envelope
    and the resulting document has `users_readable=False`.
    """
    raw = _as_bytes(raw)
    fast = _accelerated(raw, private_key, as_compact=False)
    if fast is not None:
        return ValidationResult(True, [], fast[0])
    return _reference(raw, private_key)


def validate_compact(raw: bytes, private_key: Any = None) -> tuple[ValidationResult, Compact | None]:
    """`validate_bytes` for a reader that wants each user as `[id, primary, *others]`, not a dict.

    Returns (result, compact). When the accelerator decided, `compact.users` holds the users
    in that form (file order; others in file order), `compact.paths` the field paths their
    records held, and `result.document.users` is left empty (WHY: a dict per user is most of
    the memory of a big upload, and the reader would only take them apart again). Otherwise
    `compact` is None and `result` is exactly validate_bytes' (users as dicts when readable).
    The verdict and the problems are validate_bytes' in every case. Internal (the mock GHEC's
    upload); not re-exported from the package.
    """
    raw = _as_bytes(raw)
    fast = _accelerated(raw, private_key, as_compact=True)
    if fast is not None:
        return ValidationResult(True, [], fast[0]), fast[1]
    return _reference(raw, private_key), None


def _accelerated(raw: bytes, private_key: Any,
                 as_compact: bool) -> tuple[ExportDocument, Compact | None] | None:
    """The accelerator's document for a file it finds valid, or None ("don't know").

    The envelope still goes through marshmallow and the version check; only a file with no
    problem at all comes back, with the document the reference path would build (users as
    dicts, or compact with `as_compact`, and then the document's users are left empty).
    """
    accel = fastdecode.accelerator()
    if accel is None or len(raw) > MAX_EXPORT_BYTES:
        return None
    split = fastdecode.split_users(raw)
    if split is None:
        return None
    doc, users_span = split
    found = ProblemList()
    if not _version_ok(doc, found):
        return None
    encrypted = "encryption" in doc
    if encrypted:
        try:
            doc["users"] = fastdecode.json_string(users_span)
        except fastdecode.REFUSALS:
            return None
    else:
        doc["users"] = []  # stands for the array in the envelope check, as in _check_envelope
    _check_envelope(doc, encrypted, found)
    if found:
        return None
    data: Any = users_span
    if encrypted:
        if private_key is None:
            return _document(doc, [], encrypted, readable=False), None
        try:
            data = decrypt_users(doc["encryption"], doc["users"], private_key,
                                 doc["instance"]["server_id"].encode("ascii"))
        except DecryptionError:
            return None
        if not fastdecode.readable_text(data):
            return None
    compact = accel.check(data)
    if compact is None:
        return None
    if as_compact:
        return _document(doc, [], encrypted, readable=True), compact
    del compact
    return _document(doc, fastdecode.plain_users(data), encrypted, readable=True), None


def _document(doc: dict[str, Any], users: list[Any], encrypted: bool, readable: bool) -> ExportDocument:
    """The validated document, from the parsed top level and the users to hand out."""
    return ExportDocument(
        format_version=doc["format_version"], generated_at=doc["generated_at"],
        instance=doc["instance"], users=users, encrypted=encrypted,
        encryption=doc.get("encryption"), users_readable=readable)


def _reference(raw: bytes, private_key: Any) -> ValidationResult:
    """The reference path: read_json, version, envelope, users (fast loop, then marshmallow)."""
    found = ProblemList()
    if len(raw) > MAX_EXPORT_BYTES:
        found.add("$", f"the file is {len(raw):,} bytes, over the {MAX_EXPORT_BYTES:,}-byte "
                       "limit (MAX_EXPORT_BYTES)")
        return ValidationResult(False, found.finish(), None)
    doc = read_json(raw, found.add)
    if doc is FAILED:
        return ValidationResult(False, found.finish(), None)
    if not isinstance(doc, dict):
        found.add("$", f"must be a JSON object (the export), got {_json_type(doc)}")
        return ValidationResult(False, found.finish(), None)
    if github_shipped.looks_like_github_export(doc):  # one clear line, not a dozen schema errors
        found.add("$", github_shipped.NOT_OUR_FORMAT)
        return ValidationResult(False, found.finish(), None)
    if not _version_ok(doc, found):
        return ValidationResult(False, found.finish(), None)
    encrypted = "encryption" in doc
    _check_envelope(doc, encrypted, found)
    users = doc.get("users")
    readable = not encrypted
    if not encrypted and isinstance(users, list):
        check_users(users, found)
    elif encrypted and private_key is not None and not found:
        users = _decrypted_users(doc, private_key, found)
        if users is not FAILED:
            check_users(users, found)
            readable = True
    if found:
        return ValidationResult(False, found.finish(), None)
    # no problem found: a readable `users` passed check_users, so it is the list of records
    return ValidationResult(True, [], _document(doc, cast(list[Any], users) if readable else [], encrypted, readable))
