"""Marshmallow schemas of the license-usage export, format version 1: the single source of truth.

This is the project's OWN format, modelled on the fields GitHub documents for its export
(Features, Host name, HTTP only, License, Public key, Server ID, Version); GitHub's real keys
and encryption are not public. The published JSON Schema (json_schema.py) is derived from
these classes, and the validator's fast path reads its parameters from that derived schema,
so the wire shape is written down exactly once, here.

Every schema RAISEs on unknown keys: a user record carries only "id" and "emails" and any
other key (login, name, ...) is an error, never silently dropped, because the whole point of
the sync is that nothing else about a user leaves GHES.
"""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from marshmallow.error_store import merge_errors

from . import limits, rules
from .strict import (
    TIMESTAMP_PATTERN,
    AnchoredRegexp,
    Rfc3339Utc,
    StrictBoolean,
    StrictInteger,
    chars_length,
    compile_json_pattern,
    items_length,
)

__all__ = [  # compile_json_pattern and TIMESTAMP_PATTERN are re-exported for other packages
    "BASE64_BLOB_PATTERN", "EMAIL_PATTERN", "ENCRYPTION_SCHEME", "FORMAT_ID", "FORMAT_VERSION",
    "SUPPORTED_VERSIONS", "TIMESTAMP_PATTERN", "EmailSchema", "EncryptedExportSchema",
    "EncryptionSchema", "FeatureSchema", "InstanceSchema", "PlainExportSchema",
    "UserRecordSchema", "compile_json_pattern"]

FORMAT_ID = "ghes-license-usage"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
ENCRYPTION_SCHEME = "RSA-OAEP-SHA256+A256GCM"

# Patterns are written in the subset shared by Python `re` and ECMA-262 (JSON Schema's regex
# dialect): explicit ASCII classes instead of \d or \w, "$" escaped inside classes.
_ATOM = r"[A-Za-z0-9!#\$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Domain: labels, then a dot and a TLD starting with a letter. Written "L(.L)*.TLD" rather
# than the equivalent "(L.)+TLD", which backtracks more and was 25% slower on the hot path.
EMAIL_PATTERN = (rf"^(?=[^@]{{1,{limits.MAX_EMAIL_LOCAL_LENGTH}}}@){_ATOM}(?:\.{_ATOM})*"
                 rf"@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?$")
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HOST_PATTERN = rf"^{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?$"
VERSION_PATTERN = r"^[0-9]+\.[0-9]+\.[0-9]+(?:[-+.][0-9A-Za-z.+-]+)?$"
SHA256_PATTERN = r"^sha256:[0-9a-f]{64}$"
FEATURE_PATTERN = r"^[a-z][a-z0-9_]*$"
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
# The users blob gets a single character class: the grouped pattern above costs seconds on a
# 100 MB string, and the strict decoder at decryption time checks padding exactly anyway.
BASE64_BLOB_PATTERN = r"^[A-Za-z0-9+/]+={0,2}$"
NONCE_PATTERN = r"^[A-Za-z0-9+/]{16}$"  # 12 bytes, base64 without padding
PRINTABLE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"  # tab/CR/LF allowed

_REQUIRED: dict[str, str | list | dict] = {"required": "missing required key", "null": "must not be null"}


def _string(*validators: Any, description: str) -> fields.String:
    """A required string field with our messages; WHY a helper: keeps every field uniform."""
    return fields.String(required=True, validate=list(validators), error_messages={
        **_REQUIRED, "invalid": "must be a string"}, metadata={"description": description})


def _objects(schema: type[Schema], *, max_items: int | None, min_items: int | None = None,
             description: str) -> fields.List:
    """A required array of nested objects; List(Nested) keeps error indexes aligned."""
    inner = fields.Nested(schema, error_messages={"type": "must be a JSON object"})
    checks = [] if min_items is None and max_items is None else [items_length(min_items, max_items)]
    return fields.List(inner, required=True, validate=checks,
                       error_messages={**_REQUIRED, "invalid": "must be an array"},
                       metadata={"description": description})


def _raise_rule_problems(problems: list[rules.RuleProblem]) -> None:
    """Turn shared-rule problems into one marshmallow ValidationError with nested messages."""
    messages: dict[Any, Any] = {}
    for parts, message in problems:
        node: Any = [message]
        for part in reversed(parts):
            node = {part: node}
        messages = merge_errors(messages, node)
    if messages:
        raise ValidationError(messages)


class _Strict(Schema):
    """Base: unknown keys are errors, with a message that says so."""

    class Meta:
        """RAISE, so apispec publishes additionalProperties: false and loads refuse extras."""

        unknown = RAISE

    error_messages = {"unknown": "unknown key: not part of format version 1",
                      "type": "must be a JSON object"}


class EmailSchema(_Strict):
    """One email address of a GHES user account."""

    error_messages = {"unknown": "unknown key: an email carries only \"address\" and \"primary\""}

    address = _string(chars_length(max_len=limits.MAX_EMAIL_LENGTH),
                      AnchoredRegexp(EMAIL_PATTERN, skip_over=limits.MAX_EMAIL_LENGTH,
                                     error="not a valid email address (ASCII local@domain.tld)"),
                      description="ASCII address, at most 254 characters; IDN domains in "
                                  "their xn-- form. Unique within the user, ignoring case.")
    primary = StrictBoolean(required=True, error_messages=_REQUIRED,
                            metadata={"description": "Exactly one email per user is primary; "
                                                     "GHEC matches on it."})


class UserRecordSchema(_Strict):
    """A GHES user as exported: its id and its emails, and nothing else."""

    error_messages = {"unknown": "unknown key: a user record carries only \"id\" and \"emails\" "
                                 "(nothing else about a user may leave GHES)"}

    id = StrictInteger(required=True, error_messages=_REQUIRED,
                       validate=validate.Range(min=1, max=limits.MAX_USER_ID,
                                               error="must be between {min} and {max}"),
                       metadata={"description": "The GHES user id (positive JSON integer)."})
    emails = _objects(EmailSchema, min_items=1, max_items=limits.MAX_EMAILS_PER_USER,
                      description="Non-empty; exactly one primary; addresses unique ignoring case.")

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _one_primary_unique_addresses(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        """Shared rule on the ORIGINAL data, so it runs (and paths align) despite field errors."""
        if isinstance(original_data, dict):
            _raise_rule_problems(rules.email_rule_problems(original_data.get("emails")))


class FeatureSchema(_Strict):
    """An enabled GitHub Connect feature and when it was enabled (GitHub's "Features")."""

    name = _string(chars_length(1, limits.MAX_STRING_LENGTH),
                   AnchoredRegexp(FEATURE_PATTERN, error="must be lower_snake_case"),
                   description="Feature name, e.g. license_usage_sync.")
    enabled_at = _string(Rfc3339Utc(), description="When it was enabled (RFC 3339, UTC).")


class InstanceSchema(_Strict):
    """The exporting GHES instance (GitHub's documented fields, under our own key names)."""

    server_id = _string(AnchoredRegexp(UUID_PATTERN,
                                       error="must be a lowercase UUID like 8-4-4-4-12 hex"),
                        description="The instance's Server ID (UUID); AES-GCM associated data.")
    host_name = _string(chars_length(1, limits.MAX_STRING_LENGTH),
                        AnchoredRegexp(HOST_PATTERN, skip_over=limits.MAX_STRING_LENGTH,
                                       error="must be a host name, optionally with :port"),
                        description="Host name, optionally with :port (mocks run on ports).")
    version = _string(chars_length(1, 64),
                      AnchoredRegexp(VERSION_PATTERN, skip_over=64,
                                     error="must be a GHES version like 3.15.2"),
                      description="GHES version, e.g. 3.15.2.")
    http_only = StrictBoolean(required=True, error_messages=_REQUIRED,
                              metadata={"description": "True when TLS is off."})
    license = _string(AnchoredRegexp(SHA256_PATTERN,
                                     error="must be sha256: followed by 64 lowercase hex digits"),
                      description="Hash of the license file: sha256:<64 hex>.")
    public_key = _string(chars_length(1, limits.MAX_PUBLIC_KEY_LENGTH),
                         AnchoredRegexp(PRINTABLE_PATTERN, skip_over=limits.MAX_PUBLIC_KEY_LENGTH,
                                        error="must not contain control characters "
                                              "other than tab, CR and LF"),
                         description="The license's public key, opaque to this format.")
    features = _objects(FeatureSchema, max_items=limits.MAX_FEATURES,
                        description="Enabled Connect features; each name at most once.")

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _unique_features(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        """Shared rule on the original data: a feature listed twice is ambiguous."""
        if isinstance(original_data, dict):
            _raise_rule_problems(rules.duplicate_feature_problems(original_data.get("features")))


class EncryptionSchema(_Strict):
    """How the users array was encrypted: hybrid RSA-OAEP(SHA-256) + AES-256-GCM."""

    scheme = _string(validate.OneOf([ENCRYPTION_SCHEME], error="must be {choices}"),
                     description="Only RSA-OAEP-SHA256+A256GCM in version 1.")
    key_id = _string(AnchoredRegexp(SHA256_PATTERN,
                                    error="must be sha256: followed by 64 lowercase hex digits"),
                     description="sha256 of the recipient public key's DER SubjectPublicKeyInfo.")
    encrypted_key = _string(chars_length(4, 1024),
                            AnchoredRegexp(BASE64_PATTERN, skip_over=1024,
                                           error="must be standard base64"),
                            description="The random AES-256 key, RSA-OAEP(SHA-256) wrapped.")
    nonce = _string(AnchoredRegexp(NONCE_PATTERN,
                                   error="must be 12 bytes in base64 (16 characters)"),
                    description="The 12-byte AES-GCM nonce.")


class _ExportBase(_Strict):
    """Fields common to both forms; WHY a base: the envelope is identical in both."""

    format = _string(validate.OneOf([FORMAT_ID], error=f"must be \"{FORMAT_ID}\""),
                     description="Identifies this project's license-usage export format.")
    format_version = StrictInteger(
        required=True, error_messages=_REQUIRED,
        validate=validate.OneOf(SUPPORTED_VERSIONS, error="unsupported format_version; "
                                "supported: " + ", ".join(map(str, SUPPORTED_VERSIONS))),
        metadata={"description": "Version of the format; readers refuse versions they "
                                 "do not know."})
    generated_at = _string(Rfc3339Utc(), description="When the file was written (RFC 3339, UTC).")
    instance = fields.Nested(InstanceSchema, required=True,
                             error_messages={**_REQUIRED, "type": "must be a JSON object"})


class PlainExportSchema(_ExportBase):
    """Plain form: `users` is the array of user records, readable by anyone."""

    users = _objects(UserRecordSchema, max_items=None, description="Every exported GHES user.")

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _unique_ids(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        """Shared rule on the original array, so indexes are the file's indexes."""
        if isinstance(original_data, dict):
            problems = rules.duplicate_id_problems(original_data.get("users"))
            _raise_rule_problems([(("users", *parts), msg) for parts, msg in problems])


class EncryptedExportSchema(_ExportBase):
    """Encrypted form (the default): `users` is base64 AES-256-GCM ciphertext of the array."""

    encryption = fields.Nested(EncryptionSchema, required=True,
                               error_messages={**_REQUIRED, "type": "must be a JSON object"})
    users = _string(chars_length(1, limits.MAX_EXPORT_BYTES),
                    AnchoredRegexp(BASE64_BLOB_PATTERN, skip_over=limits.MAX_EXPORT_BYTES,
                                   error="must be standard base64 (the encrypted users array)"),
                    description="base64 of AES-256-GCM(users JSON), tag appended; "
                                "associated data: instance.server_id.")
