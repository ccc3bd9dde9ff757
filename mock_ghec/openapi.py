"""The mock GHEC's OpenAPI document (`/_mock/openapi.json`), generated from its marshmallow schemas.

GitHub's two public operations keep GitHub's operation ids and component names; our own
routes (server usage, Connect, pages, explain, ledger) are tagged `mock-contract` so nobody
mistakes them for GitHub's.
"""
from __future__ import annotations

import functools
from typing import Any

from github_http.control_openapi import control_paths
from github_http.openapi import build_openapi
from github_http.private_user import EmailSchema, PrivateUserSchema
from github_http.wire_routes import WIRE_SCHEMAS, wire_openapi_paths

from .orgs_openapi import ORGS_PATHS, ORGS_SCHEMAS
from .schemas import (
    ConnectRegistrationSchema,
    ConnectServerSchema,
    ConsumedLicenseSchema,
    ConsumedLicensesSchema,
    LicenseSyncStatusSchema,
    ServerUsageResultSchema,
    UsageRefusedSchema,
)

OURS = ["mock-contract"]
ENTERPRISE = {"name": "enterprise", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "The slug version of the enterprise name (or its id)."}
_ERR = {"description": "GitHub error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/basic-error"}}}}
_REFUSED = {"description": "Refused file: every problem listed; nothing changed",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/usage-refused"}}}}
_HTML: dict[str, Any] = {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
_FILE_BODY = {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "description": "The export file (docs/export-format.md)"}},
    "multipart/form-data": {"schema": {"type": "object",
                                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}


_CSV = {"description": "CSV (GitHub's license report columns)", "content": {"text/csv": {"schema": {"type": "string"}}}}
_REPORT_HEADERS = {"name": "headers", "in": "query", "required": False,
                   "schema": {"type": "string", "enum": ["current", "legacy"]},
                   "description": "current (default: LICENSE_REPORT_HEADERS) or legacy snake_case headers"}


def _json(ref: str, description: str = "OK") -> dict[str, Any]:
    """A JSON response referencing a component schema."""
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    """GitHub error responses for the given statuses."""
    return {str(code): _ERR for code in codes}


#: What any page may answer besides its own 200: the sign-in redirect, a refused form (CSRF,
#: cross-origin), an enterprise the visitor may not see.
PAGE_ERRORS: dict[str, dict[str, Any]] = {
    "302": {"description": "Redirect (to /login when not signed in, or after a form post)"},
    "400": {**_HTML, "description": "Form refused (CSRF check failed)"},
    "403": {**_HTML, "description": "Not allowed (or a form from another site)"},
    "404": {**_HTML, "description": "Not found"}}


def _page(summary: str, method: str = "get", **extra: Any) -> dict[str, Any]:
    """A server-rendered page operation (ours)."""
    return {method: {"summary": summary, "tags": ["mock-pages"], "responses": {"200": _HTML, **PAGE_ERRORS},
                     **extra}}


@functools.lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """Assemble the document once per process (the schemas do not change at run time)."""
    per_page = {"name": "per_page", "in": "query", "schema": {"type": "integer", "default": 30},
                "description": "The number of results per page (max 100)."}
    page = {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}}
    rownum = {"name": "rownum", "in": "path", "required": True, "schema": {"type": "integer"}}
    server_id = {"name": "server_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    force = {"name": "force", "in": "query", "schema": {"type": "boolean", "default": False},
             "description": "Take a file older than the one it replaces (else 409)."}
    paths: list[tuple[str, dict[str, Any]]] = [
        ("/enterprises/{enterprise}/consumed-licenses", {"get": {
            "operationId": "enterprise-admin/get-consumed-licenses", "tags": ["enterprise-admin"],
            "summary": "List enterprise consumed licenses", "parameters": [ENTERPRISE, per_page, page],
            "responses": {"200": {**_json("get-consumed-licenses", "Consumed Licenses Response"),
                                  "headers": {"Link": {"schema": {"type": "string"}}}}, **_errors(401, 403, 404)}}}),
        ("/enterprises/{enterprise}/license-sync-status", {"get": {
            "operationId": "enterprise-admin/get-license-sync-status", "tags": ["enterprise-admin"],
            "summary": "Get a license sync status", "parameters": [ENTERPRISE],
            "responses": {"200": _json("get-license-sync-status", "License Sync Status Response"),
                          **_errors(401, 403, 404)}}}),
        ("/user", {"get": {"operationId": "users/get-authenticated", "tags": ["users"],
                           "summary": "Get the authenticated user",
                           "responses": {"200": _json("private-user"), **_errors(401, 403)}}}),
        ("/user/emails", {"get": {"operationId": "users/list-emails-for-authenticated-user", "tags": ["users"],
                                  "summary": "List email addresses for the authenticated user",
                                  "responses": {"200": _json("email-list"), **_errors(401, 403, 404)}}}),
        *wire_openapi_paths("", ["meta"]),
        ("/enterprises/{enterprise}/server-usage", {"post": {
            "operationId": "mock/add-server-usage", "tags": OURS, "parameters": [ENTERPRISE, force],
            "summary": "Add server usage (upload an export file; enterprise owner)", "requestBody": _FILE_BODY,
            "responses": {"201": _json("server-usage-result", "Taken in"), "400": _REFUSED, "409": _REFUSED,
                          "413": _REFUSED, "422": _REFUSED, **_errors(401, 403, 404)}}}),
        ("/enterprises/{enterprise}/connect/servers/{server_id}", {"put": {
            "operationId": "mock/connect-register-server", "tags": OURS, "parameters": [ENTERPRISE, server_id],
            "summary": "GitHub Connect: register a GHES instance (Connect token)",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/connect-registration"}}}},
            "responses": {"200": _json("connect-server", "Updated"), "201": _json("connect-server", "Registered"),
                          **_errors(400, 401, 404, 422)}}}),
        ("/enterprises/{enterprise}/connect/server-usage", {"post": {
            "operationId": "mock/connect-push-usage", "tags": OURS, "parameters": [ENTERPRISE],
            "summary": "GitHub Connect: push license usage (Connect token)", "requestBody": _FILE_BODY,
            "responses": {"201": _json("server-usage-result", "Synced"), "400": _REFUSED, "409": _REFUSED,
                          "413": _REFUSED, "422": _REFUSED, **_errors(401, 404)}}}),
        ("/", _page("Home: the signed-in person's enterprises (or the sign-in page)")),
        ("/login", {**_page("Sign in with a token"), **_page("Sign in (form post)", "post")}),
        ("/logout", _page("Sign out (form post)", "post")),
        ("/enterprises/{enterprise}/settings/license", _page(
            "License page: consumed/purchased, instances, Add server usage, consumed licenses (?q=, ?page=)",
            parameters=[ENTERPRISE])),
        ("/enterprises/{enterprise}/settings/license/server-usage", _page(
            "Add server usage (the page's upload form, multipart field file, CSRF)", "post", parameters=[ENTERPRISE])),
        ("/enterprises/{enterprise}/settings/license/consumed-licenses.csv", {"get": {
            "summary": "The License page's CSV report: GitHub's license report (?headers=legacy)",
            "tags": ["mock-pages"], "parameters": [ENTERPRISE, _REPORT_HEADERS],
            "responses": {"200": _CSV, "422": _ERR, **PAGE_ERRORS}}}),
        ("/enterprises/{enterprise}/license-report.csv", {"get": {
            "operationId": "mock/license-report", "tags": OURS, "parameters": [ENTERPRISE, _REPORT_HEADERS],
            "summary": "GitHub's license report (the License page's CSV report) for an owner's token",
            "responses": {"200": _CSV, **_errors(401, 403, 404, 422)}}}),
        ("/enterprises/{enterprise}/settings/license/users/{rownum}", _page(
            "One consumed license: which server accounts merged into it and why", parameters=[ENTERPRISE, rownum])),
        ("/_mock/explain", {"get": {"summary": "Why each row merged (control plane)", "tags": ["mock-control"],
                                    "responses": {"200": {"description": "Explain report"}}}}),
        ("/_mock/explain/summary", {"get": {"summary": "Counts per matching rule", "tags": ["mock-control"],
                                            "responses": {"200": {"description": "Counts"}}}}),
        ("/_mock/ledger", {"get": {"summary": "Field paths of every payload from GHES", "tags": ["mock-control"],
                                   "responses": {"200": {"description": "Ledger entries"}}}}),
        *ORGS_PATHS,
        *control_paths(),
    ]
    doc = build_openapi(
        "Mock GitHub Enterprise Cloud (license usage)", "1.0.0",
        "GitHub's consumed-licenses and license-sync-status operations (shapes from GitHub's OpenAPI "
        "description), plus this project's own contract for server usage and GitHub Connect (tagged mock-*).",
        schemas={"consumed-license": ConsumedLicenseSchema, "get-consumed-licenses": ConsumedLicensesSchema,
                 "get-license-sync-status": LicenseSyncStatusSchema, "private-user": PrivateUserSchema,
                 "email": EmailSchema, **WIRE_SCHEMAS,
                 "usage-refused": UsageRefusedSchema, "server-usage-result": ServerUsageResultSchema,
                 "connect-registration": ConnectRegistrationSchema, "connect-server": ConnectServerSchema,
                 **ORGS_SCHEMAS},
        paths=paths, security={"token": {"type": "http", "scheme": "bearer"}})
    doc["components"]["schemas"]["email-list"] = {"type": "array", "items": {"$ref": "#/components/schemas/email"}}
    return doc
