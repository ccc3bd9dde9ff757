"""The `/_mock/` control plane both apps share: reset, scenario, snapshot, journal, faults, clock, OpenAPI.

Each app supplies `ControlHooks` for what only it knows (how to build its state from a
scenario, its OpenAPI document, extra routes such as GHEC's explain and ledger); everything
else is the same code on both apps. Answers only on loopback unless a control key is set.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from .auth import secrets_equal
from .clock import parse_time
from .errors import GitHubError, problems_parsing_json
from .faults import FaultError
from .snapshot import dump_state, restore_state


@dataclass
class ControlHooks:
    """What an app plugs into the shared control plane."""

    reset: Callable[[], None]  # rebuild the domain state from the current scenario
    load_scenario: Callable[[dict], None]  # {"seed", "preset", "params"}: switch scenario, then reset
    describe_scenario: Callable[[], dict]
    openapi: Callable[[], dict]
    extend: Callable[[Blueprint], None] | None = None  # add app-only /_mock/ routes
    # Tables computed from the others: not in snapshots; on restore `redo(conn)` recomputes them
    # inside the restore's transaction (Database.after_commit for what must follow its commit).
    derived_tables: tuple[str, ...] = ()
    redo: Callable[[Any], None] | None = None
    # What identifies the seeded state of the current scenario (templates.py keeps one per key), and
    # what must be redone after a kept state was copied back (what seeding took from the clock).
    template_key: Callable[[], str] | None = None
    after_restore: Callable[[], None] | None = None
    routes_doc: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, what)


SHARED_ROUTES = [
    ("GET", "/_mock/", "this table, as JSON"),
    ("POST", "/_mock/reset", "rebuild state from the current scenario; clears journal, faults, clock"),
    ("GET", "/_mock/scenario", "the current scenario (seed, preset, params) and its ground truth summary"),
    ("PUT", "/_mock/scenario", "load another scenario: {seed, preset, params}"),
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
]


def _json_body() -> Any:
    """The request's JSON, or GitHub's 400."""
    data = request.get_json(silent=True)
    if data is None and request.get_data():
        raise problems_parsing_json()
    return data if data is not None else {}


def _guard() -> None:
    """Loopback callers only, unless a control key is configured; then the key is required."""
    key = current_app.config.get("CONTROL_KEY")
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


RESET_HEADER = "X-Mock-Reset"
SCENARIO_HEADER = "X-Mock-Scenario"


def reset_state(kit: Any, hooks: ControlHooks) -> str:
    """Put the scenario's initial state back (faults and clock included), the cheapest way that is exact:

    - `unchanged`: nothing was written since the last reset (a private database only);
    - `copied`: the state kept right after seeding was copied back (templates.py), then
      `after_restore` redid what seeding took from the clock;
    - `rebuilt`: the scenario was built again, in one transaction (a crash or a refused rebuild
      leaves everything as it was); the result is kept for the next reset.
    """
    templates, key_of = kit.templates, hooks.template_key
    key = key_of() if key_of is not None and templates is not None else None
    if key is not None and templates.is_clean(key):
        return "unchanged"
    if key is not None and templates.restore(key):
        if hooks.after_restore is not None:
            hooks.after_restore()
        templates.mark_clean(key)
        return "copied"
    with kit.db.transaction():
        kit.faults.clear()
        kit.clock.reset()
        hooks.reset()
    if key is not None and key_of is not None:
        templates.keep(key_of())
    return "rebuilt"


def make_control_blueprint(hooks: ControlHooks) -> Blueprint:
    """Build the `/_mock/` blueprint around an app's hooks."""
    bp = Blueprint("mock_control", __name__, url_prefix="/_mock")
    bp.before_request(_guard)

    def kit() -> Any:
        """The app's shared mock machinery (db, clock, journal, faults)."""
        return current_app.extensions["mock"]

    @bp.get("/")
    def index() -> Response:
        """List every control route, so the control plane documents itself."""
        routes = SHARED_ROUTES + hooks.routes_doc
        return jsonify([{"method": m, "path": p, "description": d} for m, p, d in routes])

    @bp.post("/reset")
    def reset() -> tuple[str, int, dict[str, str]]:
        """Back to the scenario's initial state, with no journal, faults or moved clock; the
        `X-Mock-Reset` header says how (`unchanged`, `copied`, `rebuilt`: see reset_state), and
        `X-Mock-Scenario` which scenario that is (its seed, preset and params as compact JSON), so a
        client need not ask `GET /_mock/scenario` after every reset."""
        kit().journal.clear()
        headers = {RESET_HEADER: reset_state(kit(), hooks)}
        if hooks.template_key is not None:
            headers[SCENARIO_HEADER] = hooks.template_key()
        return "", 204, headers

    @bp.get("/scenario")
    def get_scenario() -> Response:
        """The scenario the state was built from."""
        return jsonify(hooks.describe_scenario())

    @bp.put("/scenario")
    def put_scenario() -> Response:
        """Switch to another seed, preset or parameters; a bad one is a 422 and changes nothing."""
        spec = _json_body()
        if not isinstance(spec, dict):
            raise GitHubError(422, "The scenario is a JSON object: {seed, preset, params}.")
        try:
            hooks.load_scenario(spec)
        except (ValueError, TypeError) as error:
            raise GitHubError(422, f"Invalid scenario: {error}") from error
        return jsonify(hooks.describe_scenario())

    @bp.get("/snapshot")
    def snapshot() -> Response:
        """The whole state (every table but the journal) as JSON."""
        return jsonify(dump_state(kit().db, hooks.derived_tables))

    @bp.put("/snapshot")
    def restore() -> tuple[str, int]:
        """Replace the whole state with a snapshot, in one transaction."""
        try:
            restore_state(kit().db, _json_body(), hooks.derived_tables, hooks.redo)
        except (ValueError, KeyError, TypeError) as error:
            raise GitHubError(422, f"Invalid snapshot: {error}") from error
        return "", 204

    @bp.get("/journal")
    def journal() -> Response:
        """Recorded requests matching the filters."""
        args = request.args
        status = args.get("status", type=int)
        return jsonify(kit().journal.query(
            method=args.get("method"), path=args.get("path"), status=status,
            since=args.get("since"), until=args.get("until"),
            limit=min(args.get("limit", 100, type=int), 10_000),
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
            return jsonify(kit().faults.add(_json_body())), 201
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
        body = _json_body()
        try:
            moment = parse_time(str(body["now"]))
        except (KeyError, ValueError, TypeError) as error:
            raise GitHubError(422, "Body must be {\"now\": \"<RFC 3339 time>\", \"freeze\": false}") from error
        kit().clock.set(moment, freeze=bool(body.get("freeze", False)))
        return jsonify(kit().clock.describe())

    @bp.post("/clock/advance")
    def advance_clock() -> Response:
        """Move time forward, running whatever became due before answering."""
        body = _json_body()
        try:
            seconds = float(body.get("seconds", 0)) + 3600 * float(body.get("hours", 0)) \
                + 86400 * float(body.get("days", 0))
            kit().clock.advance(seconds)
        except (TypeError, ValueError) as error:
            raise GitHubError(422, f"Invalid advance: {error}") from error
        return jsonify(kit().clock.describe())

    @bp.get("/openapi.json")
    def openapi() -> Response:
        """This app's own OpenAPI document, generated from its marshmallow schemas."""
        return jsonify(hooks.openapi())

    if hooks.extend:
        hooks.extend(bp)
    return bp
