"""Schemathesis against each app's own OpenAPI document (`/_mock/openapi.json`): no request gets a 5xx.

Through the WSGI app (no network), with the right credentials supplied so generated requests
reach past authentication: the enterprise owner's token on GHEC, the site admin's token on
GHES, and the Manage API's Basic password on `/manage/`. Examples per operation are bounded
so each app's run stays well under 30 seconds. GHES's GitHub Connect calls go to a session
that refuses every connection (a generated `ghec_url` must never reach the network); a
refused Connect call is a recorded failure, never a 5xx. Only the 5xx check is asserted:
that is the property this sweep is for (shapes are checked by the apps' own suites).
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
from schemathesis.checks import not_a_server_error

import scenarios
from mock_ghec import create_app as create_ghec
from mock_ghes import create_app as create_ghes

EXAMPLES = 6
#: Schemathesis's WSGI client is not a loopback caller, so the control plane needs its key.
CONTROL = {"X-Mock-Control-Key": "schemathesis-run"}


class OfflineSession(requests.Session):
    """A requests.Session that never connects anywhere (GHES → GHEC calls during fuzzing)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        raise requests.ConnectionError("network is off in the schemathesis run")


def _ghec() -> Flask:
    """A small GHEC; its control plane needs the key (the WSGI client is not a loopback caller)."""
    return create_ghec({"TESTING": True, "SCENARIO": "small", "SEED": 5, "JOURNAL": False,
                        "CONTROL_KEY": CONTROL["X-Mock-Control-Key"]})


def _ghes() -> Flask:
    """A small GHES whose Connect calls cannot leave the process."""
    return create_ghes({"TESTING": True, "SCENARIO": "small", "SEED": 5, "JOURNAL": False,
                        "CONNECT_SESSION": OfflineSession(), "CONNECT_TIMEOUT": 0.5,
                        "CONTROL_KEY": CONTROL["X-Mock-Control-Key"]})


# Built at collection: one test per documented operation of the loaded document. Ephemeral state, removed at exit.
GHEC_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", _ghec(), headers=CONTROL)
GHES_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", _ghes(), headers=CONTROL)


def _operations(schema: BaseSchema) -> dict[str, APIOperation]:
    """Every documented operation by its label ("GET /user"); a malformed one fails collection."""
    return {operation.label: operation for operation in (result.ok() for result in schema.get_all_operations())}


#: WHY explicit parametrisation and not `schema.parametrize()`: under pytest 9 the items that
#: decorator makes all share the function's node ID, and `--dist loadgroup` schedules by ID, so
#: all but one or two per app never ran. Here each operation is a test of its own, with its label as ID.
GHEC_OPERATIONS = _operations(GHEC_SCHEMA)
GHES_OPERATIONS = _operations(GHES_SCHEMA)

BOUNDED = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


def _fuzz(operation: APIOperation, headers_for: Callable[[Case], dict[str, str]]) -> None:
    """`EXAMPLES` generated requests to `operation`, each answered without a 5xx."""
    @BOUNDED
    @given(case=operation.as_strategy())
    def check(case: Case) -> None:
        case.call_and_validate(headers={**CONTROL, **headers_for(case)}, checks=[not_a_server_error])
    check()


@pytest.mark.parametrize("label", list(GHEC_OPERATIONS))
def test_ghec_never_answers_5xx(label: str) -> None:
    scenario = scenarios.build(5, "small")
    owner = scenario.tokens[f"ghec:{scenario.enterprises[0].slug}:owner"]

    def headers(case: Case) -> dict[str, str]:
        if "enterprise" in (case.path_parameters or {}) and case.path_parameters["enterprise"] == "":
            case.path_parameters["enterprise"] = scenario.enterprises[0].slug
        return {"Authorization": f"token {owner}"}
    _fuzz(GHEC_OPERATIONS[label], headers)


@pytest.mark.parametrize("label", list(GHES_OPERATIONS))
def test_ghes_never_answers_5xx(label: str) -> None:
    def headers(case: Case) -> dict[str, str]:
        if case.path.startswith("/manage/"):
            password = scenarios.tokens.token_for(5, "ghes:1:manage")
            return {"Authorization": "Basic " + base64.b64encode(f"api_key:{password}".encode()).decode()}
        return {"Authorization": f"token {scenarios.tokens.token_for(5, 'ghes:1:admin')}"}
    _fuzz(GHES_OPERATIONS[label], headers)
