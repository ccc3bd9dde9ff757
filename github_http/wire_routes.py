"""`GET /rate_limit` and `GET /meta`, the same on both mocks (GHES under `/api/v3`).

`/rate_limit` reports the caller's budget as api_wire.py counts it and does not count itself;
with rate limits off (GHES's default) it is GHES's 404 "Rate limiting is not enabled.".
`/meta` answers GitHub's api-overview; GHES adds its `installed_version`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema, fields

from .api_wire import CALLER_KEY, RATE_KEY
from .appkit import current_kit
from .auth import presented_token
from .errors import GitHubError, bad_credentials
from .rate_limit import headers_of, overview


class _RateSchema(Schema):
    """GitHub's `rate-limit`."""

    limit, remaining, reset, used = fields.Integer(), fields.Integer(), fields.Integer(), fields.Integer()


class RateLimitOverviewSchema(Schema):
    """GitHub's `rate-limit-overview`."""

    resources = fields.Dict(keys=fields.String(), values=fields.Nested(_RateSchema))
    rate = fields.Nested(_RateSchema)


class ApiOverviewSchema(Schema):
    """GitHub's `api-overview`, the parts a mock can truthfully say."""

    verifiable_password_authentication = fields.Boolean(required=True)
    installed_version = fields.String()  # GHES only
    domains = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


_OVERVIEW, _META = RateLimitOverviewSchema(), ApiOverviewSchema()


def _known_or_none() -> None:
    """Routes open to anyone still refuse a token nobody has, as GitHub does (401 "Bad credentials")."""
    if presented_token() is not None and request.environ.get(CALLER_KEY) is None:
        raise bad_credentials()


def make_wire_blueprint(prefix: str, meta: Callable[[], dict[str, Any]], disabled_docs: str) -> Blueprint:
    """The blueprint at `prefix` ("" on GHEC, "/api/v3" on GHES); `meta()` is the app's api-overview,
    `disabled_docs` the documentation link of the rate-limits-off 404."""
    bp = Blueprint("github_wire", __name__, url_prefix=prefix or None)

    @bp.get("/rate_limit")
    def rate_limit() -> Response:
        """GitHub's "Get rate limit status for the authenticated user"."""
        _known_or_none()
        kit = current_kit()
        if not kit.rate_policy.enabled or kit.rate_limits is None:
            raise GitHubError(404, "Rate limiting is not enabled.", documentation_url=disabled_docs)
        key, budget = request.environ[RATE_KEY]
        window = kit.rate_limits.peek(key, budget, kit.clock.epoch())
        response = jsonify(_OVERVIEW.dump(overview(window)))
        response.headers.extend(headers_of(window))
        return response

    @bp.get("/meta")
    def api_meta() -> Response:
        """GitHub's "Get GitHub meta information" (no authentication needed; a bad token is still a 401)."""
        _known_or_none()
        return jsonify(_META.dump(meta()))

    return bp


#: The components the wire routes answer with, for an app's OpenAPI document.
WIRE_SCHEMAS: dict[str, type[Schema]] = {"rate-limit-overview": RateLimitOverviewSchema,
                                         "api-overview": ApiOverviewSchema}


def wire_openapi_paths(prefix: str, tags: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The OpenAPI operations of `/rate_limit`, `/meta` and `/_mock/rate-limit` at `prefix`."""

    def ok(ref: str) -> dict[str, Any]:
        """A JSON 200 of a component."""
        return {"description": "Response", "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{ref}"}}}}

    error = {"description": "GitHub error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/basic-error"}}}}
    return [
        (f"{prefix}/rate_limit", {"get": {"operationId": "rate-limit/get", "tags": tags,
                                          "summary": "Get rate limit status for the authenticated user",
                                          "responses": {"200": ok("rate-limit-overview"), "304": {
                                              "description": "Not modified"}, "404": error}}}),
        (f"{prefix}/meta", {"get": {"operationId": "meta/get", "tags": tags, "summary": "Get GitHub meta information",
                                    "responses": {"200": ok("api-overview"), "304": {"description": "Not modified"}}}}),
    ]
