"""The mock GHEC's part of the `/_mock/` control plane: scenario hooks, explain and the privacy ledger.

The shared control plane (github_http.control) does reset, snapshot, journal, faults and
clock; this supplies what only GHEC knows, plus `/_mock/explain` (why each row merged) and
`/_mock/ledger` (which field paths each payload from a GHES side contained).
"""
from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, Response, jsonify, request

from export_format.gcpause import gc_paused
from github_http.control import ControlHooks
from github_http.errors import GitHubError
from scenarios.file.use import checked_world, document_digest, preset_label
from scenarios.tokens import declared_listing, kind_tokens, token_for

from . import reads, token_reads
from .explain import explain
from .openapi import openapi_document
from .restore import DERIVED, redo_derived
from .scenario_dump import dump_world
from .snapshot_rules import RULES
from .store import Store

ROUTES_DOC = [
    ("GET", "/_mock/explain", "per consumed-license row: merged server accounts and the rule; unmatched "
                              "server accounts with why (?enterprise=SLUG, default the main one)"),
    ("GET", "/_mock/explain/summary", "counts per matching rule and per unmatched reason (?enterprise=SLUG)"),
    ("GET", "/_mock/ledger", "for every payload from a GHES side: time, source, server_id and the field "
                             "paths it contained (?enterprise=SLUG)"),
]


def describe(store: Store) -> dict[str, Any]:
    """Seed, preset, params and the enterprises with their slugs, people and tokens."""
    spec = reads.scenario_spec(store.db) or {}
    seed = spec.get("seed")
    out = []
    stated = (spec.get("file") or {}).get("enterprises") or []  # a scenario file's enterprises, by position
    for ent in reads.enterprises(store.db):
        logins = token_reads.token_logins(store.db, ent["scenario_slug"])
        known = cast(int, seed)  # an enterprise exists only after a load, which records the seed
        tokens = {"owner": token_for(known, f"ghec:{ent['scenario_slug']}:owner"),
                  "member": token_for(known, f"ghec:{ent['scenario_slug']}:member"),
                  "connect": token_for(known, f"connect:{ent['scenario_slug']}"),
                  **kind_tokens(known, f"ghec:{ent['scenario_slug']}:owner", "owner"),
                  **declared_listing(known, f"ghec:{ent['scenario_slug']}",
                                     (stated[ent["position"]:ent["position"] + 1] or [{}])[0].get("tokens", []))}
        if ent["position"] == 0 and spec.get("owner_token_set"):
            tokens["owner"] = "(set with --owner-token / MOCK_GHEC_OWNER_TOKEN)"
        out.append({"slug": ent["slug"], "id": ent["id"], "name": ent["name"], "main": ent["position"] == 0,
                    "uses_saml": bool(ent["uses_saml"]), "seats_purchased": ent["seats_purchased"],
                    "seats_consumed": ent["seats_consumed"], "owner_login": logins.get("owner"),
                    "member_login": logins.get("member"), "tokens": tokens})
    return {"seed": seed, "preset": spec.get("preset"), "params": spec.get("params", {}),
            "scenario_file": document_digest(spec.get("file")),
            "resolved_params": spec.get("resolved_params", {}), "enterprises": out}


def _enterprise(store: Store) -> tuple[int, str]:
    """The enterprise named by `?enterprise=` (default: the main one), or a 404."""
    wanted = request.args.get("enterprise")
    for ent in reads.enterprises(store.db):
        if wanted is None or ent["slug"].lower() == wanted.lower():
            return ent["id"], ent["slug"]
    raise GitHubError(404, "Not Found")


def make_hooks(store: Store) -> ControlHooks:
    """The hooks the shared control plane calls, bound to this app's store."""

    def reset() -> None:
        """Rebuild the domain state from the current scenario (uploads, servers and ledger go)."""
        store.load(reads.scenario_spec(store.db) or store.default_spec())

    def load_scenario(spec: dict) -> None:
        """Switch to {seed, preset, params}; the CLI's owner-token/enterprise overrides stay."""
        current = reads.scenario_spec(store.db) or store.default_spec()
        if spec.get("file") is not None:  # a scenario file: its own seed unless `seed` is given
            document, scenario = checked_world(spec["file"], spec.get("seed"))
            store.load({**current, "seed": scenario.seed, "preset": preset_label(document), "params": {},
                        "file": document}, scenario)
            return
        if not isinstance(spec.get("params") or {}, dict):
            raise ValueError("params must be an object of scenario overrides")
        store.load({**current, "seed": spec.get("seed", current.get("seed")), "file": None,
                    "preset": spec.get("preset", current.get("preset")), "params": spec.get("params") or {}})

    def extend(bp: Blueprint) -> None:
        """Add explain and ledger."""

        @bp.get("/explain")
        def explain_route() -> Response:
            """Which server accounts merged into each row and by which rule; unmatched ones and why."""
            with gc_paused():  # a large answer is many small dicts (see explain.explain)
                return jsonify(explain(store.db, *_enterprise(store)))

        @bp.get("/explain/summary")
        def explain_summary() -> Response:
            """Counts per rule (the numbers the demo narrates)."""
            report = explain(store.db, *_enterprise(store))
            return jsonify({"enterprise": report["enterprise"], **report["summary"]})

        @bp.get("/ledger")
        def ledger() -> Response:
            """Every payload received from a GHES side, with the field paths it contained."""
            return jsonify({"entries": reads.ledger(store.db, request.args.get("enterprise"))})

    return ControlHooks(reset=reset, load_scenario=load_scenario, describe_scenario=lambda: describe(store),
                        openapi=openapi_document, extend=extend, routes_doc=ROUTES_DOC, snapshot_rules=RULES,
                        derived=DERIVED, redo=lambda conn: redo_derived(store.db, conn),
                        dump_scenario=lambda: dump_world(store), template_key=store.template_key)
