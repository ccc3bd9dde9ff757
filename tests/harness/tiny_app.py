"""A tiny Flask app on `github_http.install`, so the control plane is tested without either mock.

It has just enough domain to observe the shared machinery: a `widgets` table (state that
reset, snapshot and scenarios change), a paginated API list, a page outside the API, a route
that raises, and a clock listener that records every time the clock moved (to prove due work
runs before the control call returns).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, request

from github_http import Clock, ControlHooks, Database, GitHubError, current_kit, install
from github_http.api_headers import HeaderPolicy
from github_http.pagination import link_header, requested_page
from github_http.settings import load_settings

DEFAULTS: dict[str, Any] = {"SEED": 1, "WIDGETS": 3, "JOURNAL_MAX_ENTRIES": 1000,
                            "CONTROL_KEY": "", "JOURNAL": True}
SCHEMA = """
CREATE TABLE IF NOT EXISTS widgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ticks (id INTEGER PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, widget_id INTEGER NOT NULL REFERENCES widgets(id));
"""


def _rebuild(db: Database, seed: int, count: int) -> None:
    """The tiny app's 'scenario': `count` widgets (its `people`) named after the seed, and no ticks or tags."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM tags")
        conn.execute("DELETE FROM widgets")
        conn.execute("DELETE FROM ticks")
        conn.executemany("INSERT INTO widgets(id, name) VALUES (?, ?)",
                         [(i, f"widget-{seed}-{i}") for i in range(1, count + 1)])


def create_tiny_app(config: dict[str, Any] | None = None) -> Flask:
    """Build a fresh tiny app with its own ephemeral database (one per call, so tests never share)."""
    settings = load_settings(DEFAULTS, "TINY_", config)
    db = Database()
    db.executescript(SCHEMA)
    clock = Clock(db)
    spec = {"seed": settings["SEED"], "preset": "tiny", "params": {"people": settings["WIDGETS"]}}

    def load(new: dict) -> None:
        """Switch scenario: a seed and `params.people` widgets (named like the real presets' knob)."""
        seed = new.get("seed", 1)
        count = (new.get("params") or {}).get("people", 3)
        if not isinstance(seed, int) or not isinstance(count, int) or count < 0:
            raise ValueError("seed and params.people are whole numbers")
        spec.update(seed=seed, params={"people": count})
        _rebuild(db, seed, count)

    hooks = ControlHooks(
        reset=lambda: _rebuild(db, spec["seed"], spec["params"]["people"]),
        load_scenario=load,
        describe_scenario=lambda: dict(spec),
        openapi=lambda: {"openapi": "3.0.3", "info": {"title": "tiny", "version": "1"}, "paths": {}},
        extend=_extend,
        routes_doc=[("GET", "/_mock/ticks", "times the clock listener ran")],
    )
    app = Flask("tiny")
    app.config["TESTING"] = True
    install(app, settings=settings, db=db, clock=clock, hooks=hooks,
            headers=HeaderPolicy(enterprise_version="3.15.0", rate_limit=5000),
            is_api=lambda path: path.startswith("/api/"))
    clock.on_change(lambda moment: db.execute("INSERT INTO ticks(at) VALUES (?)", (moment.isoformat(),)))
    app.register_blueprint(_api())
    _rebuild(db, spec["seed"], spec["params"]["people"])
    return app


def _extend(bp: Blueprint) -> None:
    """An app-only control route, as GHEC adds its ledger and explain."""

    @bp.get("/ticks")
    def ticks() -> Any:
        """Every time the clock listener ran."""
        return jsonify([r["at"] for r in current_kit().db.query("SELECT at FROM ticks ORDER BY id")])


def _api() -> Blueprint:
    """The tiny app's routes: a paginated list, create, an error and a page."""
    bp = Blueprint("tiny_api", __name__)

    @bp.get("/api/widgets")
    def list_widgets() -> Any:
        """Widgets one page at a time, with GitHub's Link header."""
        page = requested_page(default_size=2, max_size=5)
        db = current_kit().db
        total = db.one("SELECT COUNT(*) FROM widgets")[0]
        rows = db.query("SELECT id, name FROM widgets ORDER BY id LIMIT ? OFFSET ?", (page.size, page.offset))
        response = jsonify([dict(r) for r in rows])
        link = link_header(page, total)
        if link:
            response.headers["Link"] = link
        return response

    @bp.post("/api/widgets")
    def create_widget() -> Any:
        """Add a widget from `{name}`; anything else is GitHub's 422."""
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("name"), str):
            raise GitHubError(422, "Validation Failed",
                              errors=[{"resource": "Widget", "field": "name", "code": "missing_field"}])
        cur = current_kit().db.execute("INSERT INTO widgets(name) VALUES (?)", (body["name"],))
        return jsonify({"id": cur.lastrowid, "name": body["name"]}), 201

    @bp.get("/api/boom")
    def boom() -> Any:
        """A bug, to see the 500 in GitHub's shape."""
        raise RuntimeError("deliberate")

    @bp.get("/page")
    def page() -> str:
        """A non-API page: HTML, no GitHub headers."""
        return "<p>tiny page</p>"

    return bp
