"""The shared `/_mock/` control plane in OpenAPI terms, for both apps' documents.

The same routes on both apps (control.py), so their description is written once here; each
app's document adds these paths. Bounds are the ones the routes enforce (docs/control-plane.md).
"""
from __future__ import annotations

from typing import Any

from .control_inputs import MAX_JOURNAL_LIMIT

_JSON = {"application/json": {"schema": {"$ref": "#/components/schemas/basic-error"}}}
_ERRORS = {code: {"description": what, "content": _JSON} for code, what in (
    ("400", "Problems parsing JSON"), ("403", "Not loopback, no control key, or a browser from another site"),
    ("404", "Not found"), ("413", "Body over the limit"), ("422", "Invalid value"))}
_OBJECT = {"type": "object"}


def _op(summary: str, status: str, *, schema: dict | None = None, body: dict | None = None,
        params: list | None = None) -> dict[str, Any]:
    """One control-plane operation: its success answer and the shared errors."""
    ok: dict[str, Any] = {"description": summary}
    if schema is not None:
        ok["content"] = {"application/json": {"schema": schema}}
    op: dict[str, Any] = {"summary": summary, "tags": ["mock-control"], "responses": {status: ok, **_ERRORS}}
    if body is not None:
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    return op


def _query(name: str, schema: dict) -> dict[str, Any]:
    """A query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema}


def control_paths(tag: str = "mock-control") -> list[tuple[str, dict[str, Any]]]:
    """(path, operations) of every shared `/_mock/` route, tagged `tag` (each app's own control tag)."""
    paths = _paths()
    for _, operations in paths:
        for op in operations.values():
            op["tags"] = [tag]
    return paths


def _paths() -> list[tuple[str, dict[str, Any]]]:
    """The operations, before tagging."""
    clock = {"type": "object", "properties": {"now": {"type": "string"}, "frozen": {"type": "boolean"}}}
    scenario = {"type": "object", "properties": {"seed": {"type": "integer"}, "preset": {"type": "string"},
                                                 "params": _OBJECT}}
    fault = {"type": "object", "properties": {
        "method": {"type": "string"}, "path": {"type": "string"}, "action": {"type": "string"},
        "status": {"type": "integer"}, "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "times": {"type": "integer"}, "after": {"type": "integer"}}}
    journal = [_query("method", {"type": "string"}), _query("path", {"type": "string"}),
               _query("status", {"type": "integer", "minimum": 100, "maximum": 599}),
               _query("since", {"type": "string"}), _query("until", {"type": "string"}),
               _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_JOURNAL_LIMIT}),
               _query("bodies", {"type": "string"})]
    return [
        ("/_mock/", {"get": _op("The control routes, as JSON", "200", schema={"type": "array"})}),
        ("/_mock/reset", {"post": _op("Rebuild the state from the current scenario", "204")}),
        ("/_mock/scenario", {"get": _op("The current scenario", "200", schema=_OBJECT),
                             "put": _op("Load another scenario (docs/scenarios.md bounds)", "200", schema=_OBJECT,
                                        body=scenario)}),
        ("/_mock/snapshot", {"get": _op("The whole state", "200", schema=_OBJECT),
                             "put": _op("Restore a snapshot (every value validated, all or nothing)", "204",
                                        body=_OBJECT)}),
        ("/_mock/journal", {"get": _op("Recorded requests", "200", schema={"type": "array"}, params=journal),
                            "delete": _op("Clear the journal", "204")}),
        ("/_mock/faults", {"get": _op("Active fault rules", "200", schema={"type": "array"}),
                           "post": _op("Add a fault rule", "201", schema=_OBJECT, body=fault),
                           "delete": _op("Remove every fault rule", "204")}),
        ("/_mock/faults/{fault_id}", {"delete": _op("Remove one fault rule", "204", params=[
            {"name": "fault_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}])}),
        ("/_mock/clock", {"get": _op("The app's time", "200", schema=clock),
                          "put": _op("Set the time (up to the year 9000)", "200", schema=clock,
                                     body={"type": "object", "properties": {"now": {"type": "string"},
                                                                            "freeze": {"type": "boolean"}}})}),
        ("/_mock/clock/advance", {"post": _op("Move the time forward (at most 100 years)", "200", schema=clock,
                                              body={"type": "object", "properties": {
                                                  "seconds": {"type": "number"}, "hours": {"type": "number"},
                                                  "days": {"type": "number"}}})}),
        ("/_mock/rate-limit", {
            "put": _op("Set one caller's primary rate-limit budget", "200", schema=_OBJECT, body={
                "type": "object", "properties": {"token": {"type": "string", "maxLength": 512},
                                                 "ip": {"type": "string", "maxLength": 512},
                                                 "remaining": {"type": "integer", "minimum": 0},
                                                 "limit": {"type": "integer", "minimum": 1},
                                                 "reset_in": {"type": "integer"}}}),
            "delete": _op("Every rate-limit budget full again", "204")}),
        ("/_mock/openapi.json", {"get": _op("This document", "200", schema=_OBJECT)}),
    ]
