"""The `/_mock/` control plane both apps share: reset, scenario, snapshot, journal, faults, clock, OpenAPI.

Each app supplies `ControlHooks` for what only it knows (how to build its state from a
scenario, its OpenAPI document, extra routes such as GHEC's explain and ledger); everything
else is the same code on both apps. Answers only on loopback unless a control key is set.
"""
from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, jsonify, request

from scenarios.file.parse import ScenarioFileError

from .auth import secrets_equal
from .clock import parse_time
from .control_hooks import RESET_HEADER, SCENARIO_HEADER, ControlHooks, reset_app
from .control_inputs import (
    MAX_ADVANCE_SECONDS,
    MAX_JOURNAL_LIMIT,
    bounded_arg,
    check_reachable,
    json_arg,
    scenario_body,
)
from .errors import GitHubError
from .faults import FaultError
from .host_guard import browser_refusal
from .rate_limit import set_budget
from .request_guard import MAX_JSON_BYTES, json_body
from .snapshot import dump_state, restore_state

if TYPE_CHECKING:  # WHY only for the checker: appkit.py imports this module
    from .appkit import MockKit

__all__ = ["MAX_JOURNAL_LIMIT", "RESET_HEADER", "SCENARIO_HEADER", "SHARED_ROUTES", "ControlHooks",
           "make_control_blueprint"]

SHARED_ROUTES = [
    ("GET", "/_mock/", "this table, as JSON"),
    ("POST", "/_mock/reset", "rebuild state from the current scenario; clears journal, faults, clock, rate limits"),
    ("GET", "/_mock/scenario", "the current scenario (seed, preset, params) and its ground truth summary"),
    ("PUT", "/_mock/scenario", "load another scenario: {seed, preset, params}, or a scenario file (YAML or JSON)"),
    ("GET", "/_mock/scenario/file", "the current world as a scenario file (JSON)"),
    ("GET", "/_mock/snapshot", "the whole state as JSON"),
    ("PUT", "/_mock/snapshot", "restore a snapshot taken before"),
    ("GET", "/_mock/journal", "recorded requests: ?method=&path=&status=&since=&until=&limit=&bodies=1"),
    ("DELETE", "/_mock/journal", "clear the journal"),
    ("GET", "/_mock/faults", "active fault rules"),
    ("POST", "/_mock/faults", "add a fault rule (see docs/control-plane.md)"),
    ("DELETE", "/_mock/faults", "remove every fault rule"),
    ("DELETE", "/_mock/faults/<id>", "remove one fault rule"),
    ("GET", "/_mock/clock", "the app's time"),
    ("PUT", "/_mock/clock", "set the time: {now, freeze}; runs what became due"),
    ("POST", "/_mock/clock/advance", "move forward: {seconds|hours|days}; runs what became due"),
    ("GET", "/_mock/openapi.json", "the OpenAPI document of this app's own routes"),
    ("PUT", "/_mock/rate-limit", "set a budget: {token|ip, remaining, limit?, reset_in?}"),
    ("DELETE", "/_mock/rate-limit", "every rate-limit budget full again"),
]


def _guard() -> None:
    """Loopback callers only, unless a control key is configured; then the key is required."""
    key = current_app.config.get("CONTROL_KEY")
    refusal = browser_refusal(request, current_app.config.get("ALLOWED_HOSTS") or frozenset(),
                              check_host=not key, control_plane=True)
    if refusal:  # a browser page driving the control plane (cross-origin, or DNS rebinding)
        raise GitHubError(403, refusal)
    if key:
        if not secrets_equal(request.headers.get("X-Mock-Control-Key", ""), key):
            raise GitHubError(403, "The control plane requires X-Mock-Control-Key.")
        return
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
        # A dual-stack listener reports IPv4 loopback as ::ffff:127.0.0.1, which Python 3.11 does not call loopback.
        loopback = (getattr(address, "ipv4_mapped", None) or address).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise GitHubError(403, "The control plane answers only on loopback unless --control-key is set.")


def make_control_blueprint(hooks: ControlHooks) -> Blueprint:
    """Build the `/_mock/` blueprint around an app's hooks."""
    bp = Blueprint("mock_control", __name__, url_prefix="/_mock")
    bp.before_request(_guard)

    def kit() -> MockKit:
        """The app's shared mock machinery (db, clock, journal, faults)."""
        return current_app.extensions["mock"]

    @bp.get("/")
    def index() -> Response:
        """List every control route, so the control plane documents itself."""
        routes = SHARED_ROUTES + hooks.routes_doc
        return jsonify([{"method": m, "path": p, "description": d} for m, p, d in routes])

    @bp.post("/reset")
    def reset() -> tuple[str, int, dict[str, str]]:
        """Back to the scenario's initial state, with no journal, faults, moved clock or spent rate
        limits; the `X-Mock-Reset` header says how (`unchanged`, `copied`, `rebuilt`: see reset_state),
        and `X-Mock-Scenario` which scenario that is (its seed, preset and params as compact JSON), so
        a client need not ask `GET /_mock/scenario` after every reset."""
        headers = reset_app(kit(), hooks)
        return "", 204, headers

    @bp.get("/scenario")
    def get_scenario() -> Response:
        """The scenario the state was built from."""
        return jsonify(hooks.describe_scenario())

    @bp.put("/scenario")
    def put_scenario() -> Response:
        """Switch to another seed, preset or parameters, or to a scenario file (its YAML or JSON text
        as the body); a bad one is a 422 (a file's with every problem) and changes nothing."""
        spec = scenario_body()
        if not isinstance(spec, dict):
            raise GitHubError(422, "The scenario is a JSON object: {seed, preset, params}, or a scenario file.")
        try:
            hooks.load_scenario(spec)
        except ScenarioFileError as error:
            raise GitHubError(422, "Invalid scenario file.", extra={"problems": error.as_json()}) from error
        except (ValueError, TypeError) as error:
            raise GitHubError(422, f"Invalid scenario: {error}") from error
        return jsonify(hooks.describe_scenario())

    @bp.get("/scenario/file")
    def scenario_file() -> Response:
        """The current world as a scenario file (JSON; `mock-* scenario dump` writes it as YAML too)."""
        if hooks.dump_scenario is None:
            raise GitHubError(404, "Not Found")
        return jsonify(hooks.dump_scenario())

    @bp.get("/snapshot")
    def snapshot() -> Response:
        """The whole state (every table but the journal) as JSON."""
        return jsonify(dump_state(kit().db, hooks.derived))

    @bp.put("/snapshot")
    def restore() -> tuple[str, int]:
        """Replace the whole state with a snapshot, in one transaction."""
        try:
            body = json_body(required=False, allow_control=True,  # PEM keys hold line breaks
                             max_bytes=current_app.config.get("MAX_CONTENT_LENGTH") or MAX_JSON_BYTES)
            restore_state(kit().db, body, hooks.derived, hooks.redo, hooks.snapshot_rules)
        except (ValueError, KeyError, TypeError) as error:
            raise GitHubError(422, f"Invalid snapshot: {error}") from error
        return "", 204

    @bp.get("/journal")
    def journal() -> Response:
        """Recorded requests matching the filters."""
        args = request.args
        status = bounded_arg("status", None, 100, 599)
        return jsonify(kit().journal.query(
            method=args.get("method"), path=args.get("path"), status=status,
            since=args.get("since"), until=args.get("until"),
            limit=bounded_arg("limit", 100, 1, MAX_JOURNAL_LIMIT) or 100,  # never 0: the low bound is 1
            bodies=args.get("bodies", "0").lower() in ("1", "true", "yes")))

    @bp.delete("/journal")
    def clear_journal() -> tuple[str, int]:
        """Forget recorded requests (and nothing else)."""
        kit().journal.clear()
        return "", 204

    @bp.get("/faults")
    def list_faults() -> Response:
        """Active fault rules with their counters."""
        return jsonify(kit().faults.list())

    @bp.post("/faults")
    def add_fault() -> tuple[Response, int]:
        """Add a rule; a malformed one is a 422 naming every problem."""
        try:
            return jsonify(kit().faults.add(json_arg())), 201
        except FaultError as error:
            raise GitHubError(422, f"Invalid fault rule: {error}") from error

    @bp.delete("/faults")
    def clear_faults() -> tuple[str, int]:
        """Remove every rule."""
        kit().faults.clear()
        return "", 204

    @bp.delete("/faults/<int:fault_id>")
    def remove_fault(fault_id: int) -> tuple[str, int]:
        """Remove one rule."""
        if not kit().faults.remove(fault_id):
            raise GitHubError(404, "Not Found")
        return "", 204

    @bp.get("/clock")
    def get_clock() -> Response:
        """The app's time."""
        return jsonify(kit().clock.describe())

    @bp.put("/clock")
    def set_clock() -> Response:
        """Set the time, running whatever became due before answering."""
        body = json_arg()
        try:
            moment = parse_time(str(body["now"]))
        except (KeyError, ValueError, TypeError) as error:
            raise GitHubError(422, "Body must be {\"now\": \"<RFC 3339 time>\", \"freeze\": false}") from error
        check_reachable(moment)
        kit().clock.set(moment, freeze=bool(body.get("freeze", False)))
        return jsonify(kit().clock.describe())

    @bp.post("/clock/advance")
    def advance_clock() -> Response:
        """Move time forward, running whatever became due before answering."""
        body = json_arg()
        try:
            seconds = float(body.get("seconds", 0)) + 3600 * float(body.get("hours", 0)) \
                + 86400 * float(body.get("days", 0))
        except (TypeError, ValueError, AttributeError) as error:
            raise GitHubError(422, "Invalid advance: seconds, hours and days are numbers") from error
        if not 0 <= seconds <= MAX_ADVANCE_SECONDS:  # also NaN and infinities
            raise GitHubError(422, f"Invalid advance: between 0 and {MAX_ADVANCE_SECONDS:,} seconds (100 years)")
        check_reachable(kit().clock.now() + timedelta(seconds=seconds))
        kit().clock.advance(seconds)
        return jsonify(kit().clock.describe())

    @bp.put("/rate-limit")
    def set_rate_limit() -> Response:
        """Set the primary budget of one token (or unauthenticated IP), so a client's throttling
        code can be tested in one call."""
        try:
            return jsonify(set_budget(kit(), json_arg()))
        except (TypeError, ValueError, KeyError) as error:
            raise GitHubError(422, f"Invalid rate limit: {error}") from error

    @bp.delete("/rate-limit")
    def clear_rate_limits() -> tuple[str, int]:
        """Every budget full again."""
        kit().rate_limits.clear()
        return "", 204

    @bp.get("/openapi.json")
    def openapi() -> Response:
        """This app's own OpenAPI document, generated from its marshmallow schemas."""
        return jsonify(hooks.openapi())

    if hooks.extend:
        hooks.extend(bp)
    return bp
