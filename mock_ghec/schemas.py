"""The mock GHEC's wire shapes as marshmallow schemas: GitHub's where GitHub publishes one, ours elsewhere.

`ConsumedLicenseSchema` and `LicenseSyncStatusSchema` follow GitHub's OpenAPI description
(`reference/ghec-license-endpoints.json`) field for field, with its types and nullability
(the schema, not the examples: `github_com_two_factor_auth` is a nullable boolean even where
the example sends ""); like GitHub's, they mark nothing `required` (our rows still always
carry every field: tests check that). The rest (upload result, Connect registration, problems) are this
project's own contract, documented in docs/ghec.md.

`RowEncoder` compiles `ConsumedLicenseSchema` into string templates: the schema decides field
names, order, types and nullability; the compiled form lets the store serialise a million rows
without a per-row marshmallow dump (tests check both give the same JSON).
"""
from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

import msgspec
from marshmallow import Schema, fields, validate

from export_format.schemas import HOST_PATTERN, VERSION_PATTERN
from export_format.strict import AnchoredRegexp


class ConsumedLicenseSchema(Schema):
    """One consumed license (a person): GitHub's `get-consumed-licenses` users[] item, in its example's order."""

    github_com_login = fields.String()
    github_com_name = fields.String(allow_none=True)
    enterprise_server_user_ids = fields.List(fields.String())
    github_com_user = fields.Boolean()
    enterprise_server_user = fields.Boolean(allow_none=True)
    visual_studio_subscription_user = fields.Boolean()
    license_type = fields.String()
    github_com_profile = fields.String(allow_none=True)
    github_com_member_roles = fields.List(fields.String())
    github_com_enterprise_role = fields.String(metadata={
        "description": "Sent by GitHub (see its example) though absent from its schema: the "
                       "first of github_com_enterprise_roles, or \"\"."})
    github_com_enterprise_roles = fields.List(fields.String(), metadata={
        "description": "All enterprise roles for a user."})
    github_com_verified_domain_emails = fields.List(fields.String())
    github_com_saml_name_id = fields.String(allow_none=True)
    github_com_orgs_with_pending_invites = fields.List(fields.String())
    github_com_two_factor_auth = fields.Boolean(allow_none=True)
    enterprise_server_emails = fields.List(fields.String())
    visual_studio_license_status = fields.String(allow_none=True)
    visual_studio_subscription_email = fields.String(allow_none=True)
    total_user_accounts = fields.Integer()


class ConsumedLicensesSchema(Schema):
    """GitHub's `get-consumed-licenses`: one page of rows with the enterprise's totals."""

    total_seats_consumed = fields.Integer()
    total_seats_purchased = fields.Integer()
    users = fields.List(fields.Nested(ConsumedLicenseSchema))


class LastSyncSchema(Schema):
    """GitHub's `last_sync`: status is "success" or "error" (and our "never_synced", see docs)."""

    date = fields.String()
    status = fields.String()
    error = fields.String()


class ServerInstanceSchema(Schema):
    """One GHES instance known to the enterprise, as GitHub's `license-sync-status` lists it."""

    server_id = fields.String()
    hostname = fields.String()
    last_sync = fields.Nested(LastSyncSchema)


class LicenseSyncStatusSchema(Schema):
    """GitHub's `get-license-sync-status`."""

    server_instances = fields.List(fields.Nested(ServerInstanceSchema))


class ProblemSchema(Schema):
    """One reason a license-usage file was refused (our contract): a JSONPath-like path and a message."""

    path = fields.String(required=True)
    message = fields.String(required=True)


class UsageRefusedSchema(Schema):
    """Our 400/413/422 for a refused file: GitHub's error keys plus every problem found."""

    message = fields.String(required=True)
    problems = fields.List(fields.Nested(ProblemSchema), required=True)
    documentation_url = fields.String(required=True)
    status = fields.String(required=True)


class ServerUsageResultSchema(Schema):
    """Our 201 answer to an upload or a Connect push: what GHEC took in."""

    server_id = fields.String(required=True)
    host_name = fields.String(required=True)
    users_received = fields.Integer(required=True)
    event = fields.String(required=True)
    uploaded_at = fields.String(required=True)
    replaced_previous = fields.Boolean(required=True)
    warnings = fields.List(fields.String(), required=True, metadata={
        "description": "What the uploader should know although the file was taken (e.g. the server is "
                       "registered through GitHub Connect with another enterprise); [] when nothing."})


#: Longest `version` a Connect registration may carry (GHES versions are like "3.15.2").
MAX_VERSION_LENGTH = 64
VERSION_OR_EMPTY = rf"^(?:{VERSION_PATTERN[1:-1]})?$"


class ConnectRegistrationSchema(Schema):
    """Body of our Connect registration (`PUT …/connect/servers/{server_id}`): the same host
    name and version rules as an export's instance block (whole-string matches, bounded)."""

    host_name = fields.String(required=True, validate=[
        validate.Length(min=1, max=255), AnchoredRegexp(HOST_PATTERN, error="not a host name", skip_over=255)])
    version = fields.String(load_default="", validate=[
        validate.Length(max=MAX_VERSION_LENGTH),
        AnchoredRegexp(VERSION_OR_EMPTY, error="not a version such as 3.15.2", skip_over=MAX_VERSION_LENGTH)])


class ConnectServerSchema(Schema):
    """Our answer to a Connect registration: the instance as GHEC now lists it."""

    server_id = fields.String(required=True)
    host_name = fields.String(required=True)
    version = fields.String(required=True)
    event = fields.String(required=True)
    event_at = fields.String(required=True)


# ---------------------------------------------------------------------------------------------
# The compiled row encoder.

#: Row fields that depend on which server accounts merged into the row (the template's slots).
SERVER_SLOTS = ("enterprise_server_user_ids", "enterprise_server_user", "enterprise_server_emails",
                "total_user_accounts")


#: Joins a template's fragments when stored: JSON text never holds a raw control character.
TEMPLATE_SEPARATOR = "\x1f"
#: What a slot holds while a template is serialised (a NUL can only appear escaped in the output).
_SLOT = "\x00slot\x00"
_SLOT_JSON = '"\\u0000slot\\u0000"'
_KINDS = ((fields.List, list), (fields.Boolean, bool), (fields.Integer, int), (fields.String, str))


def _compact_dumps() -> Callable[[Any], str]:
    """A reusable compact, non-ASCII-preserving JSON encoder: the text
    `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` gives, for the values rows hold.

    WHY msgspec's reusable Encoder: `json.dumps` builds a fresh C encoder on every call, which
    is most of its cost for the small values a scenario load serialises a hundred thousand
    times. Rows hold strings, integers, booleans, None and lists/dicts of them (RowEncoder checks
    each field's type), which both write byte for byte alike (tests/ghec pin the row text).
    """
    encode = msgspec.json.Encoder().encode
    return lambda value: encode(value).decode("utf-8")


DUMPS = _compact_dumps()


def _kind(field: fields.Field) -> type:
    """The JSON value type a marshmallow field stands for (lists: of strings)."""
    for field_type, python_type in _KINDS:
        if isinstance(field, field_type):
            return python_type
    raise ValueError(f"no JSON encoding for {type(field).__name__}")


class RowEncoder:
    """`ConsumedLicenseSchema` compiled into templates with four server-derived slots.

    WHY: a GitHub.com account's own fields never change between uploads, and a GHES-only row
    differs from another only in its slots; so a row is five constant fragments around four
    small values, joined in about a microsecond, instead of a marshmallow dump per row.
    """

    def __init__(self, schema: Schema | None = None) -> None:
        """Read field names, order, types and nullability from the schema (the single source of truth)."""
        schema = schema or ConsumedLicenseSchema()
        self.fields: list[tuple[str, Any, bool]] = [(f.data_key or name, _kind(f), f.allow_none)
                                                    for name, f in schema.fields.items()]
        self.names = [name for name, _, _ in self.fields]
        if [n for n in self.names if n in SERVER_SLOTS] != list(SERVER_SLOTS):
            raise ValueError("the row schema must declare the server slots in SERVER_SLOTS order")

    def template(self, fixed: dict[str, Any]) -> tuple[str, ...]:
        """Five fragments: the row's JSON with the four server slots cut out.

        Values are checked against the schema's types and nullability, then serialised in
        one C-accelerated `json` call with placeholders where the slots go.
        """
        values: dict[str, Any] = {}
        for name, kind, nullable in self.fields:
            if name in SERVER_SLOTS:
                values[name] = _SLOT
                continue
            if name not in fixed:
                raise ValueError(f"row template lacks {name}")
            value: Any = fixed[name]
            if value is None:
                if not nullable:
                    raise ValueError(f"{name} is not nullable")
            elif type(value) is not kind or (kind is list and not all(type(i) is str for i in value)):
                raise ValueError(f"{name} must be a {'list of strings' if kind is list else kind.__name__}")
            elif kind is str and "\x00" in value:
                raise ValueError(f"{name} must not contain NUL")
            values[name] = value
        parts = tuple(DUMPS(values).split(_SLOT_JSON))
        if len(parts) != len(SERVER_SLOTS) + 1:
            raise ValueError("a row value collides with the template's slot marker")
        return parts

    @staticmethod
    def fill(parts: tuple[str, ...] | list[str], ids: list[str], emails: list[str], accounts: int) -> str:
        """The row's JSON: the template with the server-derived values put in (one f-string: one copy)."""
        p0, p1, p2, p3, p4 = parts
        return (f'{p0}[{",".join(map(encode_basestring, ids))}]{p1}{"true" if ids else "false"}'
                f'{p2}[{",".join(map(encode_basestring, emails))}]{p3}{accounts}{p4}')


def page_body(consumed: int, purchased: int, rows_json: bytes) -> bytes:
    """A consumed-licenses page (UTF-8) from pre-serialised rows, already comma-joined (the keys
    of ConsumedLicensesSchema); one copy of the rows."""
    return b'{"total_seats_consumed":%d,"total_seats_purchased":%d,"users":[%b]}' % (
        int(consumed), int(purchased), rows_json)
