"""The Manage GHES API's license routes (`/manage/v1/config/license[/check]`), HTTP Basic auth.

Shapes are GitHub's `ghes-license-info` and `ghes-license-check`. A real `.ghl` license is
GitHub's secret format, so the mock's upload takes its own small JSON license instead
(documented in docs/ghes.md) and applies it at once.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError

from github_http import GitHubError, isoformat, parse_time
from github_http.errors import validation_failed
from github_http.request_guard import parse_json

from .access import ghes, manage_auth
from .schemas import ManageLicenseCheckSchema, ManageLicenseInfoSchema, MockLicenseSchema
from .seeding import license_hash


def manage_license(instance: dict[str, Any]) -> dict[str, Any]:
    """The instance's license in the Manage API's camelCase shape."""
    unlimited = instance["seats"] == "unlimited"
    return ManageLicenseInfoSchema().dump({
        "advancedSecurityEnabled": False, "advancedSecuritySeats": 0, "clusterSupport": False,
        "company": instance["company"], "croquetSupport": True, "customTerms": False,
        "evaluation": instance["license_kind"] == "evaluation", "expireAt": instance["expire_at"],
        "insightsEnabled": False, "learningLabSeats": 0, "perpetual": False,
        "referenceNumber": instance["reference_number"], "seats": 0 if unlimited else instance["seats"],
        "sshAllowed": True, "supportKey": "", "unlimitedSeating": unlimited})


def _uploaded_license() -> dict[str, Any]:
    """The `license` part of the multipart upload, parsed as the mock's JSON license."""
    part = request.files.get("license")
    raw = part.read() if part is not None else request.form.get("license", "").encode("utf-8")
    try:  # the shared reader: bounded, at most 32 levels deep, no lone surrogates or control characters
        data = parse_json(raw)
    except GitHubError as error:
        raise GitHubError(error.status, "The license part must be the mock's JSON license: {\"seats\": 100 or "
                                        "\"unlimited\", \"kind\": \"standard\", \"expire_at\": \"<RFC 3339>\"}",
                          errors=error.errors) from error
    try:
        loaded = MockLicenseSchema().load(data if isinstance(data, dict) else {})
    except ValidationError as error:
        raise validation_failed([{"resource": "License", "field": f, "code": "invalid"}
                                 for f in sorted(error.normalized_messages())]) from error
    seats = loaded["seats"]
    if not (seats == "unlimited" or (isinstance(seats, int) and not isinstance(seats, bool) and seats >= 0)):
        raise validation_failed([{"resource": "License", "field": "seats", "code": "invalid"}])
    try:
        loaded["expire_at"] = isoformat(parse_time(loaded["expire_at"]))
    except ValueError as error:
        raise validation_failed([{"resource": "License", "field": "expire_at", "code": "invalid"}]) from error
    return loaded


def make_manage_blueprint() -> Blueprint:
    """Build the `/manage/v1` blueprint; every route needs the Manage API's Basic credentials."""
    bp = Blueprint("ghes_manage", __name__, url_prefix="/manage/v1")
    bp.before_request(manage_auth)

    @bp.get("/config/license")
    def get_license() -> Response:
        """GitHub's "Get the enterprise license information"."""
        return jsonify(manage_license(ghes().runtime.store.instance()))

    @bp.put("/config/license")
    def upload_license() -> tuple[str, int]:
        """GitHub's "Upload an enterprise license" (the mock's JSON license, applied at once): 202."""
        new = _uploaded_license()
        store = ghes().runtime.store
        instance = store.instance()
        digest = license_hash({"server_id": instance["server_id"], "company": instance["company"],
                               "seats": new["seats"], "kind": new["kind"], "expire_at": new["expire_at"]})
        store.update_license(None if new["seats"] == "unlimited" else new["seats"], new["kind"],
                             new["expire_at"], digest, digest[7:13])
        return "", 202

    @bp.get("/config/license/check")
    def check_license() -> Response:
        """GitHub's "Check a license": valid until it expires on the app clock."""
        runtime = ghes().runtime
        expired = parse_time(runtime.store.instance()["expire_at"]) <= runtime.clock.now()
        return jsonify(ManageLicenseCheckSchema().dump({"status": "expired" if expired else "valid"}))

    return bp
