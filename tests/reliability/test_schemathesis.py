"""Schemathesis over EVERY operation of both apps' own OpenAPI documents (`/_mock/openapi.json`):
no 5xx, and no response the document does not describe (status code, content type, body).

Through the WSGI app (no network), with the credentials each operation needs so generated
requests reach past authentication: the enterprise owner's token on GHEC (the Connect token on
the Connect routes), the site admin's token on GHES, the Manage API's Basic password on
`/manage/`, the control key on `/_mock/`. Examples per operation are bounded so both apps stay
well under a minute. GHES's Connect calls go to a session that refuses every connection (a
generated `ghec_url` must never reach the network); a refused Connect call is a recorded
failure, never a 5xx. A fault rule a case adds is removed at once.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import APIOperation, BaseSchema, Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

import scenarios
from mock_ghec import create_app as create_ghec
from mock_ghes import create_app as create_ghes

EXAMPLES = 5
SEED = 7
#: Schemathesis's WSGI client is not a loopback caller, so the control plane needs its key.
CONTROL = {"X-Mock-Control-Key": "schemathesis-run"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class OfflineSession(requests.Session):
    """A requests.Session that never connects anywhere (GHES → GHEC calls during fuzzing)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        raise requests.ConnectionError("network is off in the schemathesis run")


def _ghec() -> Flask:
    """A small GHEC; its control plane needs the key (the WSGI client is not a loopback caller)."""
    return create_ghec({"TESTING": True, "SCENARIO": "small", "SEED": SEED, "JOURNAL": False,
                        "CONTROL_KEY": CONTROL["X-Mock-Control-Key"], "RATE_LIMIT": False})


def _ghes() -> Flask:
    """A small GHES whose Connect calls cannot leave the process."""
    return create_ghes({"TESTING": True, "SCENARIO": "small", "SEED": SEED, "JOURNAL": False,
                        "CONNECT_SESSION": OfflineSession(), "CONNECT_TIMEOUT": 0.5,
                        "CONTROL_KEY": CONTROL["X-Mock-Control-Key"]})


# Built at collection: one test per documented operation of the loaded document. Ephemeral state, removed at exit.
GHEC_APP, GHES_APP = _ghec(), _ghes()
GHEC_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", GHEC_APP, headers=CONTROL)
GHES_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", GHES_APP, headers=CONTROL)
_SCENARIO = scenarios.build(SEED, "small")
_SLUG = _SCENARIO.enterprises[0].slug


def _operations(schema: BaseSchema) -> dict[str, APIOperation]:
    """Every documented operation by its label ("GET /user"); a malformed one fails collection."""
    return {operation.label: operation for operation in (result.ok() for result in schema.get_all_operations())}


#: WHY explicit parametrisation and not `schema.parametrize()`: under pytest 9 the items that
#: decorator makes all share the function's node ID, and `--dist loadgroup` schedules by ID, so
#: all but one or two per app never ran. Here each operation is a test of its own, with its label as ID.
GHEC_OPERATIONS = _operations(GHEC_SCHEMA)
GHES_OPERATIONS = _operations(GHES_SCHEMA)

BOUNDED = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _fuzz(operation: APIOperation, app: Flask, headers_for: Callable[[Case], dict[str, str]]) -> None:
    """`EXAMPLES` generated requests to `operation`, each answered as the document says."""
    @BOUNDED
    @given(case=operation.as_strategy())
    def check(case: Case) -> None:
        try:
            case.call_and_validate(headers={**CONTROL, **headers_for(case)}, checks=CHECKS)
        finally:
            if case.path.startswith("/_mock/faults"):  # a rule that makes every route a 500 is its job
                app.test_client().delete("/_mock/faults", headers=CONTROL)
            if case.path.startswith("/_mock/rate-limit"):  # a spent budget would answer later cases 403
                app.test_client().delete("/_mock/rate-limit", headers=CONTROL)
    check()


def _ghec_headers(case: Case) -> dict[str, str]:
    """The owner's token, or the Connect token on the Connect routes."""
    if "enterprise" in (case.path_parameters or {}) and case.path_parameters["enterprise"] in ("", "0"):
        case.path_parameters["enterprise"] = _SLUG
    key = f"connect:{_SLUG}" if "/connect/" in case.path else f"ghec:{_SLUG}:owner"
    return {"Authorization": f"token {_SCENARIO.tokens[key]}"}


def _ghes_headers(case: Case) -> dict[str, str]:
    """The Manage API's Basic password on /manage/, else the site admin's token."""
    if case.path.startswith("/manage/"):
        password = scenarios.tokens.token_for(SEED, "ghes:1:manage")
        return {"Authorization": "Basic " + base64.b64encode(f"api_key:{password}".encode()).decode()}
    return {"Authorization": f"token {scenarios.tokens.token_for(SEED, 'ghes:1:admin')}"}


@pytest.mark.parametrize("label", list(GHEC_OPERATIONS))
def test_ghec_operation_conforms(label: str) -> None:
    _fuzz(GHEC_OPERATIONS[label], GHEC_APP, _ghec_headers)


@pytest.mark.parametrize("label", list(GHES_OPERATIONS))
def test_ghes_operation_conforms(label: str) -> None:
    _fuzz(GHES_OPERATIONS[label], GHES_APP, _ghes_headers)
