"""The OpenAPI document of every mock GHES route, generated from the marshmallow schemas.

Served at `/_mock/openapi.json`. Public routes are GitHub's (tag `github`), the rest are the
mock's own (tag `mock`); the schemas are the ones the routes serialise with, so the
document cannot disagree with the wire.
"""
from __future__ import annotations

from typing import Any

from marshmallow import Schema

from github_http.control_openapi import control_paths
from github_http.openapi import build_openapi
from github_http.private_user import EmailSchema as GitHubEmailSchema
from github_http.private_user import PrivateUserSchema
from github_http.wire_routes import WIRE_SCHEMAS, wire_openapi_paths

from . import schemas as s
from .api import API_PREFIX

SCHEMAS: dict[str, type[Schema] | Schema] = {
    "license-info": s.LicenseInfoSchema, "enterprise-user-overview": s.UserStatsSchema,
    "simple-user": s.SimpleUserSchema, "user": s.UserSchema, "create-user-request": s.CreateUserRequestSchema,
    "rename-user-request": s.RenameRequestSchema, "rename-user-response": s.RenameResponseSchema,
    "suspend-user-request": s.SuspendRequestSchema, "ghes-license-info": s.ManageLicenseInfoSchema,
    "ghes-license-check": s.ManageLicenseCheckSchema, "mock-license": s.MockLicenseSchema,
    "sync-attempt": s.SyncAttemptSchema, "connect": s.ConnectSchema, "connect-update": s.ConnectUpdateSchema,
    "mock-email": s.EmailSchema, "mock-user": s.MockUserSchema, "private-user": PrivateUserSchema,
    "email": GitHubEmailSchema, **WIRE_SCHEMAS,
}
SECURITY = {"token": {"type": "http", "scheme": "bearer", "description": "`token T` or `Bearer T`"},
            "manage": {"type": "http", "scheme": "basic", "description": "user api_key, the Manage token"},
            "report_basic": {"type": "http", "scheme": "basic", "description": "any user name, a site admin's token"}}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/basic-error"}}}
_USERNAME = [{"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}]


def _ref(name: str) -> dict[str, Any]:
    """A JSON body of a named schema."""
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _op(summary: str, ok: tuple[str, str | None], *, tag: str = "github", auth: str | None = "token",
        body: str | None = None, params: list | None = None, errors: tuple[int, ...] = (401, 403, 404)) -> dict:
    """One operation: its success response, GitHub-shaped errors and security."""
    status, schema = ok
    responses: dict[str, Any] = {status: {"description": summary}}
    if schema == "html":
        responses[status]["content"] = {"text/html": {"schema": {"type": "string"}}}
    elif schema == "csv":
        responses[status]["content"] = {"text/csv": {"schema": {"type": "string"}}}
    elif schema == "file":
        responses[status]["content"] = {"application/json": {"schema": {
            "type": "object", "description": "The license-usage export (export_format, version 1)"}}}
    elif schema:
        responses[status]["content"] = _ref(schema)
    for code in errors:
        responses[str(code)] = {"description": {400: "Bad request", 401: "Unauthorized", 403: "Forbidden",
                                                404: "Not found", 422: "Validation failed"}[code],
                                "content": _ERROR}
    if tag == "page":  # any page may redirect to sign-in, refuse a form (CSRF, another site) or hide a page
        html = {"text/html": {"schema": {"type": "string"}}}
        responses.setdefault("302", {"description": "Redirect (to /login when not signed in, or after a form)"})
        for page_status, what in (("400", "Form refused (CSRF check failed)"), ("403", "Not allowed"),
                                  ("404", "Not found")):
            responses.setdefault(page_status, {"description": what, "content": html})
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if auth:
        op["security"] = [{auth: []}]
    if body:
        op["requestBody"] = {"required": True, "content": _ref(body)}
    if params:
        op["parameters"] = params
    return op


def _optional_body(op: dict[str, Any]) -> dict[str, Any]:
    """An operation whose JSON body may be left out (GitHub's `{reason}` on (un)suspending)."""
    op["requestBody"]["required"] = False
    return op


def _report_op() -> dict[str, Any]:
    """GitHub's documented report download: 202 while it is built, then the CSV (docs/ghes.md)."""
    op = _op("Download a site-admin report (all_users, active_users, dormant_users, suspended_users, "
             "all_organizations, all_repositories)", ("200", "csv"), params=[
                 {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": [
                     "all_users", "active_users", "dormant_users", "suspended_users", "all_organizations",
                     "all_repositories"]}}])
    op["responses"]["202"] = {"description": "The report is being generated: request it again", "content": {
        "application/json": {"schema": {"type": "object", "required": ["message"],
                                        "properties": {"message": {"type": "string"}}}}}}
    op["security"] = [{"token": []}, {"report_basic": []}]
    return op


def _paths() -> list[tuple[str, dict[str, Any]]]:
    """Every route of the app with its operations."""
    encrypted = [{"name": "encrypted", "in": "query", "schema": {"type": "boolean", "default": True}}]
    admin_errors = (400, 401, 403, 404, 422)
    return [
        ("/api/v3/enterprise/settings/license", {"get": _op("Get license information", ("200", "license-info"))}),
        ("/api/v3/enterprise/stats/users", {"get": _op("Get users statistics", ("200", "enterprise-user-overview"))}),
        ("/api/v3/admin/users", {"post": _op("Create a user", ("201", "simple-user"), body="create-user-request",
                                             errors=admin_errors)}),
        ("/api/v3/admin/users/{username}", {
            "patch": _op("Update the username for a user", ("202", "rename-user-response"),
                         body="rename-user-request", params=_USERNAME, errors=admin_errors),
            "delete": _op("Delete a user", ("204", None), params=_USERNAME)}),
        ("/api/v3/users/{username}/suspended", {
            "put": _optional_body(_op("Suspend a user", ("204", None), params=_USERNAME, errors=admin_errors,
                                      body="suspend-user-request")),
            "delete": _optional_body(_op("Unsuspend a user", ("204", None), params=_USERNAME, errors=admin_errors,
                                         body="suspend-user-request"))}),
        ("/api/v3/users/{username}", {"get": _op("Get a user", ("200", "user"), params=_USERNAME)}),
        ("/api/v3/user", {"get": _op("Get the authenticated user", ("200", "private-user"), errors=(401, 403))}),
        ("/api/v3/user/emails", {"get": _op("List email addresses for the authenticated user", ("200", "email-list"),
                                            errors=(401, 403, 404))}),
        *wire_openapi_paths(API_PREFIX, ["github"]),
        ("/api/v3/user/{user_id}", {"get": _op("Get a user by id", ("200", "user"), params=[
            {"name": "user_id", "in": "path", "required": True, "schema": {"type": "integer"}}])}),
        ("/manage/v1/config/license", {
            "get": _op("Get the enterprise license information", ("200", "ghes-license-info"), auth="manage",
                       errors=(401,)),
            "put": _op("Upload an enterprise license (the mock's JSON license in the `license` part)",
                       ("202", None), auth="manage", errors=(400, 401, 422))}),
        ("/manage/v1/config/license/check", {"get": _op("Check a license", ("200", "ghes-license-check"),
                                                        auth="manage", errors=(401,))}),
        ("/api/v3/enterprise/license-usage/export", {"get": _op(
            "Export license usage (attachment; encrypted unless encrypted=false)", ("200", "file"),
            tag="mock", params=encrypted)}),
        ("/api/v3/enterprise/connect", {
            "get": _op("GitHub Connect settings and license sync state", ("200", "connect"), tag="mock"),
            "put": _op("Configure GitHub Connect (enabling license sync registers with GHEC)", ("200", "connect"),
                       tag="mock", body="connect-update", errors=admin_errors)}),
        ("/api/v3/enterprise/connect/license-sync", {"post": _op(
            "Sync now: push the usage to GHEC; the attempt record says how it went", ("200", "sync-attempt"),
            tag="mock", errors=(401, 404, 422))}),
        ("/_mock/users", {"get": _op("Every user with every attribute", ("200", None), tag="control", auth=None,
                                     errors=())}),
        ("/_mock/users/{login}/sign-in", {"post": _op("Record a sign-in", ("200", "mock-user"), tag="control",
                                                      auth=None, errors=(404,), params=[
            {"name": "login", "in": "path", "required": True, "schema": {"type": "string"}}])}),
        ("/", {"get": _op("Home: redirects to the License page", ("302", None), tag="page", auth=None, errors=())}),
        ("/login", {"get": _op("Sign-in page", ("200", "html"), tag="page", auth=None, errors=()),
                    "post": _op("Sign in with a token (form)", ("302", None), tag="page", auth=None, errors=())}),
        ("/logout", {"post": _op("Sign out (form)", ("302", None), tag="page", auth=None, errors=())}),
        ("/enterprise/settings/license", {"get": _op("License page", ("200", "html"), tag="page", auth=None,
                                                     errors=())}),
        ("/enterprise/settings/license/export", {"get": _op("Export license usage (download)", ("200", "file"),
                                                            tag="page", auth=None, errors=(), params=encrypted)}),
        ("/enterprise/settings/license/connect", {"post": _op("Save GitHub Connect (form)", ("302", None),
                                                              tag="page", auth=None, errors=())}),
        ("/enterprise/settings/license/sync", {"post": _op("Sync now (form)", ("302", None), tag="page",
                                                           auth=None, errors=())}),
        ("/enterprise/users", {"get": _op("Users list (?q= search)", ("200", "html"), tag="page", auth=None,
                                          errors=())}),
        ("/stafftools/reports", {"get": _op("Site admin Reports page", ("200", "html"), tag="page", auth=None,
                                            errors=())}),
        ("/stafftools/reports/{name}.csv", {"get": _report_op()}),
        *control_paths("control"),
    ]


def ghes_openapi() -> dict[str, Any]:
    """Build the document (cheap enough to build per request; nothing is cached across scenarios)."""
    doc = build_openapi("Mock GitHub Enterprise Server", "1", "GitHub's GHES license and user-admin routes "
                        "(tag github) and the mock's own routes (tags mock, control, page).",
                        SCHEMAS, _paths(), SECURITY)
    doc["components"]["schemas"]["mock-user-list"] = {
        "type": "array", "items": {"$ref": "#/components/schemas/mock-user"}}
    doc["paths"]["/_mock/users"]["get"]["responses"]["200"]["content"] = _ref("mock-user-list")
    doc["components"]["schemas"]["email-list"] = {"type": "array", "items": {"$ref": "#/components/schemas/email"}}
    return doc
