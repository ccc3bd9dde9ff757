"""Schemathesis over EVERY operation of both apps' own OpenAPI documents (`/_mock/openapi.json`):
no 5xx, and no response that the document does not describe (status code, content type, body).

Complements test_schemathesis.py (5xx only): here each generated response is also checked
against the document, so a route and its documentation cannot drift apart. Through the WSGI
app, with the credentials each operation needs (owner token on GHEC, site-admin token or the
Manage API's Basic password on GHES, the control key on `/_mock/`), a bounded number of
examples per operation so both apps together stay well under a minute. GHES's Connect
calls go to a session that refuses every connection. Every case has its own test ID:
schemathesis names each operation `METHOD /path`, and hypothesis runs its examples inside it.
"""
from __future__ import annotations

import base64
from typing import Any

import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
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
CONTROL = {"X-Mock-Control-Key": "every-operation"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class OfflineSession(requests.Session):
    """A requests.Session that never connects anywhere (GHES → GHEC calls during fuzzing)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        raise requests.ConnectionError("network is off in the schemathesis run")


def _ghec() -> Flask:
    return create_ghec({"TESTING": True, "SCENARIO": "small", "SEED": SEED, "JOURNAL": False,
                        "CONTROL_KEY": CONTROL["X-Mock-Control-Key"]})


def _ghes() -> Flask:
    return create_ghes({"TESTING": True, "SCENARIO": "small", "SEED": SEED, "JOURNAL": False,
                        "CONNECT_SESSION": OfflineSession(), "CONNECT_TIMEOUT": 0.5,
                        "CONTROL_KEY": CONTROL["X-Mock-Control-Key"]})


GHEC_APP, GHES_APP = _ghec(), _ghes()
GHEC_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", GHEC_APP, headers=CONTROL)
GHES_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", GHES_APP, headers=CONTROL)
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
_SCENARIO = scenarios.build(SEED, "small")
_SLUG = _SCENARIO.enterprises[0].slug


def _ghec_headers(case: Any) -> dict[str, str]:
    """The owner's token, or the Connect token on the Connect routes."""
    if "enterprise" in (case.path_parameters or {}) and case.path_parameters["enterprise"] in ("", "0"):
        case.path_parameters["enterprise"] = _SLUG
    key = f"connect:{_SLUG}" if "/connect/" in case.path else f"ghec:{_SLUG}:owner"
    return {**CONTROL, "Authorization": f"token {_SCENARIO.tokens[key]}"}


def _call(case: Any, app: Flask, headers: dict[str, str]) -> None:
    """Call and validate; a fault rule a case added is removed at once (a generated rule that
    makes every route answer 500 would otherwise fail every later case: that is its job)."""
    try:
        case.call_and_validate(headers=headers, checks=CHECKS)
    finally:
        if case.path.startswith("/_mock/faults"):
            app.test_client().delete("/_mock/faults", headers=CONTROL)


@GHEC_SCHEMA.parametrize()
@BOUNDED
def test_ghec_operation_conforms(case: Any) -> None:
    _call(case, GHEC_APP, _ghec_headers(case))


@GHES_SCHEMA.parametrize()
@BOUNDED
def test_ghes_operation_conforms(case: Any) -> None:
    if case.path.startswith("/manage/"):
        password = scenarios.tokens.token_for(SEED, "ghes:1:manage")
        headers = {"Authorization": "Basic " + base64.b64encode(f"api_key:{password}".encode()).decode()}
    else:
        headers = {"Authorization": f"token {scenarios.tokens.token_for(SEED, 'ghes:1:admin')}"}
    _call(case, GHES_APP, {**CONTROL, **headers})
