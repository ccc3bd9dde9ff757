"""Our own routes for server usage (GitHub does not publish these): "Add server usage" for programs,
and the GitHub Connect registration and push a mock GHES makes.

A refused file is answered with EVERY problem found and changes nothing; a refused Connect
push is additionally recorded as that server's failed sync (and nothing else changes).
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from export_format.schemas import UUID_PATTERN
from github_http.errors import validation_failed
from github_http.request_guard import json_body

from .access import connect_enterprise, owned_enterprise, store
from .domain import FileTooLarge, NoFile, UsageRefused
from .refusals import github_error, problems_of
from .schemas import ConnectRegistrationSchema, ConnectServerSchema, ServerUsageResultSchema

bp = Blueprint("ghec_server_usage", __name__)
_RESULT = ServerUsageResultSchema()
_REGISTRATION = ConnectRegistrationSchema()
_SERVER = ConnectServerSchema()
_UUID = re.compile(UUID_PATTERN)
#: Longest failed-sync text kept for a refused push (shown in the public license-sync-status).
MAX_SYNC_ERROR_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Bytes copied at a time from the request into the spooled file.
SPOOL_CHUNK = 1 << 20


def storable_text(text: str, limit: int) -> str:
    """`text` as it can be stored and shown: lone surrogates escaped, at most `limit` characters.
    WHY: a refused push's problems quote the file (an unknown key of 1 MB, or "\\ud800"), and
    the failed-sync text is stored and served in the public license-sync-status."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text.encode("utf-8", "backslashreplace").decode("utf-8"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _spool(stream: IO[bytes], spool: IO[bytes], most: int | None = None) -> None:
    """Copy `stream` (at most `most` bytes) into `spool` a chunk at a time."""
    left = -1 if most is None else most
    while left:
        chunk = stream.read(SPOOL_CHUNK if left < 0 else min(SPOOL_CHUNK, left))
        if not chunk:
            break
        spool.write(chunk)
        left = left - len(chunk) if left > 0 else left


@contextmanager
def uploaded_file() -> Iterator[IO[bytes]]:
    """The export file of a request, spooled to a temporary file: multipart field `file`, or the
    raw body (JSON). WHY a file: a 1,000,000-user body is 104 MB, and held in memory it stayed
    there for the whole upload; the store reads it only while it validates (Store._validated)."""
    limit = store().settings["MAX_UPLOAD_BYTES"]
    with tempfile.TemporaryFile() as spool:
        try:
            if request.mimetype == "multipart/form-data":
                upload = request.files.get("file")
                if upload is None:
                    raise NoFile("no file: send the export as the multipart field \"file\", or as the request body")
                _spool(upload.stream, spool, limit + 1)  # as upload.read(limit + 1)
            else:
                _spool(request.stream, spool)  # the same bytes and the same 413 as get_data()
        except RequestEntityTooLarge:
            raise FileTooLarge(f"the request is over the {limit:,}-byte limit", limit) from None
        yield spool


@bp.post("/enterprises/<enterprise>/server-usage")
def add_server_usage(enterprise: str) -> tuple[Response, int]:
    """"Add server usage" for programs: an enterprise owner uploads an export (plain or encrypted)."""
    access = owned_enterprise(enterprise)
    force = request.args.get("force", "").lower() in ("1", "true", "yes")  # replace a newer file anyway
    try:
        with uploaded_file() as body:
            result = store().ingest(access.id, access.slug, body, source="upload", force=force)
    except UsageRefused as error:
        raise github_error(error, access.slug) from None
    response = jsonify(_RESULT.dump(result))
    if result["warnings"]:  # also in the body's `warnings`; the header reaches a client that reads only status
        response.headers["X-License-Usage-Warning"] = result["warnings"][0]
    return response, 201


@bp.put("/enterprises/<enterprise>/connect/servers/<server_id>")
def register_server(enterprise: str, server_id: str) -> tuple[Response, int]:
    """GitHub Connect registration of a GHES instance (`{host_name, version}`)."""
    access = connect_enterprise(enterprise)
    body = json_body()
    try:
        data = _REGISTRATION.load(body if isinstance(body, dict) else {"_": body})
    except ValidationError as error:
        raise validation_failed([{"resource": "Server", "field": field, "code": "invalid"}
                                 for field in error.messages]) from None
    if not _UUID.fullmatch(server_id):  # fullmatch: "$" alone lets a trailing newline through
        raise validation_failed([{"resource": "Server", "field": "server_id", "code": "invalid"}])
    server, created = store().register_server(access.id, server_id, data["host_name"], data["version"])
    return jsonify(_SERVER.dump(server)), 201 if created else 200


@bp.post("/enterprises/<enterprise>/connect/server-usage")
def connect_push(enterprise: str) -> tuple[Response, int]:
    """A GitHub Connect push ("Sync now" or the weekly sync); a refusal is recorded as a failed sync."""
    access = connect_enterprise(enterprise)
    try:
        with uploaded_file() as body:
            result = store().ingest(access.id, access.slug, body, source="connect")
    except UsageRefused as error:
        problems = problems_of(error, access.slug)
        summary = "; ".join(f"{p['path']}: {p['message']}" for p in problems[:3])
        more = len(problems) - 3
        text = f"{error.message} {summary}" + (f" (and {more} more)" if more > 0 else "")
        store().record_failed_sync(access.id, error.server_id, storable_text(text, MAX_SYNC_ERROR_CHARS))
        raise github_error(error, access.slug) from None
    return jsonify(_RESULT.dump(result)), 201
