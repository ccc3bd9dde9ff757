"""Validate a file against a NAMED published schema version (`license-sync validate --format-version`).

The current version (versions.SCHEMA_VERSION) is judged by the full reader, validate_bytes:
every problem, the semantic rules, decryption. An older published version is judged by its
own published JSON Schema file (compiled with fastjsonschema, which stops at the first schema
problem), plus the semantic rules of format version 1 when it is a 1-x-y version and the
users are readable. WHY not the full reader for old versions: the marshmallow source only
describes today's version; the published file is the one record of an old one.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import github_shipped, rules
from ._reading import FAILED, read_json
from .encryption import DecryptionError, decrypt_users
from .problems import ProblemList, json_path
from .schemas import FORMAT_VERSION
from .validation import ValidationResult, validate_bytes
from .versions import EXPORT_SCHEMA_NAME, SCHEMA_VERSION, USERS_SCHEMA_NAME, SchemaVer, load_published, resolve_version

__all__ = ["validate_versioned"]


def validate_versioned(raw: bytes, version: str | int | None = None, private_key: Any = None,
                       root: Path | None = None) -> tuple[ValidationResult, SchemaVer]:
    """Validate `raw` against published version `version` (None: the file's own format_version).

    Returns the result and the version it was judged by. A version that is malformed or was
    never published raises versions.UnknownVersion (a usage error, not a problem of the file).
    """
    if version is None and root is None:
        # The file's own MODEL: the newest published version of the current MODEL is today's
        # (published versions never run ahead of SCHEMA_VERSION), and the full reader refuses
        # any other MODEL itself. WHY not resolve: that would parse a 100 MB file twice.
        return validate_bytes(raw, private_key), SCHEMA_VERSION
    chosen = resolve_version(version, _file_format_version(raw), root=root)
    if chosen == SCHEMA_VERSION and root is None:
        return validate_bytes(raw, private_key), chosen
    return _against_published(raw, chosen, private_key, root), chosen


def _file_format_version(raw: bytes) -> Any:
    """The file's own format_version, if it can be read at all (else None)."""
    found = ProblemList()
    doc = read_json(raw, found.add)
    return doc.get("format_version") if isinstance(doc, dict) else None


@functools.lru_cache(maxsize=32)  # a few published versions × their forms
def _compiled(version: SchemaVer, name: str, root: Path | None, form: str | None = None) -> Callable[[Any], Any]:
    """fastjsonschema for one published file, or for one form ($def) of it; cached (compiling
    costs tens of milliseconds). WHY per form: under the top-level oneOf the first problem is
    only "matches no branch" at `$`; within the file's own form it has its real path."""
    import fastjsonschema

    schema = load_published(version, name, root)
    if form is not None and form in schema.get("$defs", {}):
        schema = {"$schema": schema.get("$schema"), **schema["$defs"][form], "$defs": schema["$defs"]}
    return fastjsonschema.compile(schema)


def _schema_problem(validator: Callable[[Any], Any], data: Any, base: str, found: ProblemList) -> bool:
    """Run one compiled schema; report its (first) problem as `path: message`. True when valid."""
    import fastjsonschema

    try:
        validator(data)
    except fastjsonschema.JsonSchemaValueException as error:
        where = json_path(base, _parts(data, list(error.path[1:]) if error.path else []))
        message = error.message
        prefix = (error.name or "data") + " "
        found.add(where, message[len(prefix):] if message.startswith(prefix) else message)
        return False
    return True


def _parts(data: Any, names: list[Any]) -> list[str | int]:
    """fastjsonschema's path (array indexes as strings) with indexes as ints, found by walking the data."""
    parts: list[str | int] = []
    for name in names:
        if isinstance(data, list) and str(name).isdigit():
            parts.append(int(name))
            data = data[int(name)] if int(name) < len(data) else None
        else:
            parts.append(str(name))
            data = data.get(str(name)) if isinstance(data, dict) else None
    return parts


def _against_published(raw: bytes, version: SchemaVer, private_key: Any, root: Path | None) -> ValidationResult:
    """Published JSON Schema of `version`, then format 1's semantic rules on readable users."""
    found = ProblemList()
    doc = read_json(raw, found.add)
    if doc is FAILED:
        return ValidationResult(False, found.finish(), None)
    if github_shipped.looks_like_github_export(doc):  # as validate_bytes: one clear line
        found.add("$", github_shipped.NOT_OUR_FORMAT)
        return ValidationResult(False, found.finish(), None)
    form = ("EncryptedExport" if "encryption" in doc else "PlainExport") if isinstance(doc, dict) else None
    if not _schema_problem(_compiled(version, EXPORT_SCHEMA_NAME, root, form), doc, "$", found):
        return ValidationResult(False, found.finish(), None)
    users = doc.get("users")
    if isinstance(users, str) and private_key is not None:
        try:
            plaintext = decrypt_users(doc["encryption"], users, private_key,
                                      doc["instance"]["server_id"].encode("ascii"))
        except DecryptionError as error:
            found.add(error.path, error.message)
            return ValidationResult(False, found.finish(), None)
        users = read_json(plaintext, found.add, path="$.users", what="the decrypted users")
        if users is FAILED or not _schema_problem(_compiled(version, USERS_SCHEMA_NAME, root), users,
                                                  "$.users", found):
            return ValidationResult(False, found.finish(), None)
    if isinstance(users, list) and version.model == FORMAT_VERSION:
        for parts, message in rules.duplicate_id_problems(users):
            found.add(json_path("$.users", parts), message)
        for index, user in enumerate(users):
            for parts, message in rules.email_rule_problems(user.get("emails")):
                found.add(json_path(f"$.users[{index}]", parts), message)
    return ValidationResult(not found, found.finish(), None)
