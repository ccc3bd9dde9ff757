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
from typing import Any

import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
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


# Built at collection: schemathesis makes one test per documented operation from the loaded
# document (its fixture-based loader does not work with this pytest). Ephemeral state, removed at exit.
GHEC_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", _ghec(), headers=CONTROL)
GHES_SCHEMA = schemathesis.openapi.from_wsgi("/_mock/openapi.json", _ghes(), headers=CONTROL)


BOUNDED = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


@GHEC_SCHEMA.parametrize()
@BOUNDED
def test_ghec_never_answers_5xx(case: Any) -> None:
    scenario = scenarios.build(5, "small")
    owner = scenario.tokens[f"ghec:{scenario.enterprises[0].slug}:owner"]
    if "enterprise" in (case.path_parameters or {}) and case.path_parameters["enterprise"] == "":
        case.path_parameters["enterprise"] = scenario.enterprises[0].slug
    case.call_and_validate(headers={**CONTROL, "Authorization": f"token {owner}"}, checks=[not_a_server_error])


@GHES_SCHEMA.parametrize()
@BOUNDED
def test_ghes_never_answers_5xx(case: Any) -> None:
    if case.path.startswith("/manage/"):
        password = scenarios.tokens.token_for(5, "ghes:1:manage")
        headers = {"Authorization": "Basic " + base64.b64encode(f"api_key:{password}".encode()).decode()}
    else:
        headers = {"Authorization": f"token {scenarios.tokens.token_for(5, 'ghes:1:admin')}"}
    case.call_and_validate(headers={**CONTROL, **headers}, checks=[not_a_server_error])
