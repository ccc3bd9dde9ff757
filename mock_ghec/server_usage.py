"""Our own routes for server usage (GitHub does not publish these): "Add server usage" for programs,
and the GitHub Connect registration and push a mock GHES makes.

A refused file is answered with EVERY problem found and changes nothing; a refused Connect
push is additionally recorded as that server's failed sync (and nothing else changes).
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from export_format.schemas import HOST_PATTERN, UUID_PATTERN
from github_http.errors import GitHubError, problems_parsing_json, validation_failed

from .access import connect_enterprise, owned_enterprise, store
from .refusals import UsageRefused
from .schemas import ConnectRegistrationSchema, ConnectServerSchema, ServerUsageResultSchema

bp = Blueprint("ghec_server_usage", __name__)
DOCS = ("https://docs.github.com/enterprise-cloud@latest/billing/managing-your-license-for-github-enterprise/"
        "syncing-license-usage-between-github-enterprise-server-and-github-enterprise-cloud")
_RESULT = ServerUsageResultSchema()
_REGISTRATION = ConnectRegistrationSchema()
_SERVER = ConnectServerSchema()
_UUID = re.compile(UUID_PATTERN)
_HOST = re.compile(HOST_PATTERN)


def refused(error: UsageRefused) -> GitHubError:
    """A refusal in GitHub's error shape with our `problems` list."""
    return GitHubError(error.status, error.message, extra={"problems": error.problems}, documentation_url=DOCS)


def uploaded_bytes() -> bytes:
    """The export file of a request: multipart field `file`, or the raw body (JSON)."""
    limit = store().settings["MAX_UPLOAD_BYTES"]
    try:
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None:
                raise UsageRefused(422, [{"path": "$", "message": "no file: send the export as the multipart "
                                          "field \"file\", or as the request body"}])
            return upload.read(limit + 1)
        return request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise UsageRefused(413, [{"path": "$", "message": f"the request is over the {limit:,}-byte limit"}],
                           message="The license usage file is too large.") from None


@bp.post("/enterprises/<enterprise>/server-usage")
def add_server_usage(enterprise: str) -> tuple[Response, int]:
    """"Add server usage" for programs: an enterprise owner uploads an export (plain or encrypted)."""
    access = owned_enterprise(enterprise)
    force = request.args.get("force", "").lower() in ("1", "true", "yes")  # replace a newer file anyway
    try:
        result = store().ingest(access.id, access.slug, uploaded_bytes(), source="upload", force=force)
    except UsageRefused as error:
        raise refused(error) from None
    response = jsonify(_RESULT.dump(result))
    if result["warnings"]:  # also in the body's `warnings`; the header reaches a client that reads only status
        response.headers["X-License-Usage-Warning"] = result["warnings"][0]
    return response, 201


@bp.put("/enterprises/<enterprise>/connect/servers/<server_id>")
def register_server(enterprise: str, server_id: str) -> tuple[Response, int]:
    """GitHub Connect registration of a GHES instance (`{host_name, version}`)."""
    access = connect_enterprise(enterprise)
    body = request.get_json(silent=True)
    if body is None:
        raise problems_parsing_json()
    try:
        data = _REGISTRATION.load(body if isinstance(body, dict) else {"_": body})
    except ValidationError as error:
        raise validation_failed([{"resource": "Server", "field": field, "code": "invalid"}
                                 for field in error.messages]) from None
    errors = []
    if not _UUID.search(server_id):
        errors.append({"resource": "Server", "field": "server_id", "code": "invalid"})
    if not _HOST.search(data["host_name"]):
        errors.append({"resource": "Server", "field": "host_name", "code": "invalid"})
    if errors:
        raise validation_failed(errors)
    server, created = store().register_server(access.id, server_id, data["host_name"], data["version"])
    return jsonify(_SERVER.dump(server)), 201 if created else 200


@bp.post("/enterprises/<enterprise>/connect/server-usage")
def connect_push(enterprise: str) -> tuple[Response, int]:
    """A GitHub Connect push ("Sync now" or the weekly sync); a refusal is recorded as a failed sync."""
    access = connect_enterprise(enterprise)
    try:
        raw = uploaded_bytes()
        result = store().ingest(access.id, access.slug, raw, source="connect")
    except UsageRefused as error:
        summary = "; ".join(f"{p['path']}: {p['message']}" for p in error.problems[:3])
        more = len(error.problems) - 3
        store().record_failed_sync(access.id, error.server_id,
                                   f"{error.message} {summary}" + (f" (and {more} more)" if more > 0 else ""))
        raise refused(error) from None
    return jsonify(_RESULT.dump(result)), 201
