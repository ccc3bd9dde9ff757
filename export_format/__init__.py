"""This project's own, versioned "license usage export" file format (not GitHub's).

Modelled on the fields GitHub documents for its GHES export (Features, Host name, HTTP only,
License, Public key, Server ID, Version); GitHub's real keys and encryption are not public.
See docs/export-format.md. The main names are re-exported here:

    build_export(instance, users=... | users_json=..., encrypt_to=key, generated_at=...)
    parse_export(raw, private_key=...)      -> ExportDocument   (raises ExportError)
    validate_bytes(raw, private_key=None)   -> ValidationResult (ok, problems, document)
    export_json_schema()                    -> the derived JSON Schema (dict)
    load_public_key() / load_private_key()  -> the shipped TEST-ONLY key pair by default
"""
from __future__ import annotations

from .document import ExportDocument, ExportError, build_export, parse_export, users_iter
from .encryption import DecryptionError, decrypt_users, encrypt_users, key_id
from .json_schema import export_json_schema, users_json_schema
from .keys import DEFAULT_PRIVATE_KEY_PATH, DEFAULT_PUBLIC_KEY_PATH, KeyLoadError, load_private_key, load_public_key
from .limits import MAX_EMAILS_PER_USER, MAX_EXPORT_BYTES, MAX_PROBLEMS
from .schemas import FORMAT_ID, FORMAT_VERSION, SUPPORTED_VERSIONS
from .validation import Problem, ValidationResult, validate_bytes

__all__ = [
                   "DEFAULT_PRIVATE_KEY_PATH",
                   "DEFAULT_PUBLIC_KEY_PATH",
                   "FORMAT_ID",
                   "FORMAT_VERSION",
                   "MAX_EMAILS_PER_USER",
                   "MAX_EXPORT_BYTES",
                   "MAX_PROBLEMS",
                   "SUPPORTED_VERSIONS",
                   "DecryptionError",
                   "ExportDocument",
                   "ExportError",
                   "KeyLoadError",
                   "Problem",
                   "ValidationResult",
                   "build_export",
                   "decrypt_users",
                   "encrypt_users",
                   "export_json_schema",
                   "key_id",
                   "load_private_key",
                   "load_public_key",
                   "parse_export",
                   "users_iter",
                   "users_json_schema",
                   "validate_bytes",
]
