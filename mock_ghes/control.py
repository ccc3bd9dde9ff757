"""The GHES side of the shared `/_mock/` control plane: reset, scenarios, OpenAPI, ground truth.

`/_mock/users` lists every account with every attribute (login, name, all emails, canary,
kind, suspension, person_id): the verifier compares GHEC's result with it, and the privacy
proof looks for its canaries in what reached GHEC. None of it is on the public API.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from github_http import ControlHooks, GitHubError, isoformat
from github_http.snapshot import Derived
from scenarios.file.use import checked_world, document_digest, preset_label
from scenarios.tokens import declared_listing, kind_tokens

from .access import ghes
from .domain import UnknownUser
from .openapi import ghes_openapi
from .report_store import REPORTS_TABLE
from .runtime import Runtime
from .scenario_dump import dump_world
from .schemas import MockUserSchema
from .snapshot_rules import RULES

ROUTES_DOC = [
    ("GET", "/_mock/users", "every GHES user with every attribute (the verifier's ground truth)"),
    ("POST", "/_mock/users/<login>/sign-in", "record a sign-in for a user (a never-signed-in account starts to count)"),
]


def describe(runtime: Runtime) -> dict[str, Any]:
    """The scenario this server was built from, what it amounts to now, and its tokens (the shape
    of GHEC's per enterprise: each role's own, `admin:<kind>` for the site admin's other kinds, then
    `token:<key>` for those the scenario file declares)."""
    spec, instance = runtime.spec(), runtime.store.instance()
    k, document = spec["instance"], runtime.document() or {}
    stated = (document.get("ghes") or [])[k - 1:k]
    tokens = {**runtime.tokens(), **kind_tokens(spec["seed"], f"ghes:{k}:admin", "admin"),
              **declared_listing(spec["seed"], f"ghes:{k}", stated[0].get("tokens", []) if stated else [])}
    if runtime.settings["ADMIN_TOKEN"]:
        tokens["admin"] = "(set with --admin-token / MOCK_GHES_ADMIN_TOKEN)"
    return {**spec, "scenario_file": document_digest(runtime.document()), "tokens": tokens,
            "server_id": instance["server_id"], "host_name": instance["host_name"],
            "version": instance["version"], "admin_login": instance["admin_login"],
            "member_login": instance["member_login"], "seats": instance["seats"],
            "seats_used": runtime.store.seats_used(), "users": runtime.store.user_stats(),
            "license_rules": runtime.rules.describe()}


def load_scenario(runtime: Runtime, spec: dict[str, Any]) -> None:
    """Switch to `{seed, preset, params, instance}` (missing keys keep the current value), or to a
    scenario file: `{file: document}` (its seed unless `seed` is given; `instance` as above)."""
    current = runtime.spec()
    if spec.get("file") is not None:
        document, scenario = checked_world(spec["file"], spec.get("seed"))
        instance = spec.get("instance", current["instance"])
        if isinstance(instance, bool) or not isinstance(instance, int):
            raise ValueError("instance must be an integer")
        runtime.seed(scenario.seed, preset_label(document), {}, instance, document, scenario)
        return
    seed = spec.get("seed", current["seed"])
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError("seed must be an integer")
    preset = spec.get("preset", current["preset"])
    if "preset" in spec and "params" not in spec:
        params: Any = {}  # a new preset starts from its own parameters
    else:
        params = spec.get("params", current["params"])
    if not isinstance(params, dict):
        raise ValueError("params must be an object of scenario overrides")
    instance = spec.get("instance", current["instance"])
    if isinstance(instance, bool) or not isinstance(instance, int):
        raise ValueError("instance must be an integer")
    runtime.seed(seed, str(preset), params, instance)


def make_hooks(runtime: Runtime) -> ControlHooks:
    """The hooks github_http's control plane calls for what only GHES knows."""

    def reset() -> None:
        """Rebuild the current scenario's initial state."""
        runtime.reseed()

    def extend(bp: Blueprint) -> None:
        """GHES-only control routes."""

        @bp.get("/users")
        def users() -> Response:
            """Every account with every attribute."""
            return jsonify(MockUserSchema(many=True).dump(
                [{**u, "has_token": u["token_digest"] is not None} for u in ghes().runtime.store.all_users()]))

        @bp.post("/users/<login>/sign-in")
        def sign_in(login: str) -> Response:
            """Record a sign-in now (app clock), as if the user had authenticated."""
            store = ghes().runtime.store
            try:
                store.mark_signed_in(login, isoformat(ghes().runtime.clock.now()))
                user = store.user(login)
            except UnknownUser as error:
                raise GitHubError(404, "Not Found") from error
            return jsonify(MockUserSchema().dump({**user, "has_token": user["token_digest"] is not None}))

    return ControlHooks(reset=reset, load_scenario=lambda spec: load_scenario(runtime, spec),
                        describe_scenario=lambda: describe(runtime), openapi=ghes_openapi,
                        extend=extend, routes_doc=ROUTES_DOC, dump_scenario=lambda: dump_world(runtime),
                        derived=Derived(tables=(REPORTS_TABLE,)), snapshot_rules=RULES,
                        template_key=runtime.template_key, after_restore=runtime.retime)
