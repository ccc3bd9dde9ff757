"""The Manage GHES API's license routes (`/manage/v1/config/license[/check]`), HTTP Basic auth.

Shapes are GitHub's `ghes-license-info` and `ghes-license-check`. A real `.ghl` license is
GitHub's secret format, so the mock's upload takes its own small JSON license instead
(documented in docs/ghes.md) and applies it at once.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from github_http import GitHubError, parse_time
from github_http.errors import validation_failed

from .access import ghes, manage_auth
from .license_file import LICENSE_HELP, InvalidLicense, apply_license, parse_license
from .schemas import ManageLicenseCheckSchema, ManageLicenseInfoSchema


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
    try:
        return parse_license(raw)
    except InvalidLicense as error:
        if not error.fields:
            raise GitHubError(error.status, f"The license part must be {LICENSE_HELP}",
                              errors=error.errors) from error
        raise validation_failed([{"resource": "License", "field": f, "code": "invalid"}
                                 for f in error.fields]) from error


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
        apply_license(ghes().runtime.store, _uploaded_license())
        return "", 202

    @bp.get("/config/license/check")
    def check_license() -> Response:
        """GitHub's "Check a license": valid until it expires on the app clock."""
        runtime = ghes().runtime
        expired = parse_time(runtime.store.instance()["expire_at"]) <= runtime.clock.now()
        return jsonify(ManageLicenseCheckSchema().dump({"status": "expired" if expired else "valid"}))

    return bp
