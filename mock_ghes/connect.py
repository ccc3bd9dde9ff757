"""GitHub Connect routes (the mock's own; GitHub publishes no API for them): settings and Sync now.

`GET/PUT /api/v3/enterprise/connect` show and configure Connect (enabling license sync
registers the server with GHEC); `POST /api/v3/enterprise/connect/license-sync` is "Sync now".
The License page's form and button call the same two functions, so UI and API agree.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from github_http import GitHubError
from github_http.errors import validation_failed

from .access import ghes, json_body, load, site_admin
from .connect_store import ConnectConfig
from .schemas import ConnectSchema, ConnectUpdateSchema, SyncAttemptSchema


class ConnectRefused(ValueError):
    """A Connect change or sync that cannot be done as asked; `field` names the culprit."""

    def __init__(self, message: str, field: str = "license_sync") -> None:
        """Keep the message for the 422 or the page's flash, and the field for `errors`."""
        super().__init__(message)
        self.field = field


def connect_payload() -> dict[str, Any]:
    """The Connect state as shown by the API and the License page (the token is never shown)."""
    runtime = ghes().runtime
    state, instance = runtime.connect.state(), runtime.store.instance()
    attempts = runtime.connect.attempts(10)
    return ConnectSchema().dump({
        "ghec_url": state["ghec_url"], "enterprise": state["enterprise"],
        "token_configured": bool(state["token"]), "license_sync": state["license_sync"],
        "license_sync_enabled_at": state["enabled_at"], "next_sync_at": state["next_due_at"],
        "server_id": instance["server_id"], "host_name": instance["host_name"],
        "registered": state["registered_at"] is not None, "registered_at": state["registered_at"],
        "registration_error": state["registration_error"],
        "last_sync": attempts[0] if attempts else None, "attempts": attempts})


def update_connect(changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a (partial) configuration; enabling license sync registers with GHEC at once.

    A registration GHEC refuses or cannot be reached for is saved as `registration_error`
    and retried before the next push; the configuration itself is kept.
    """
    runtime, syncer = ghes().runtime, ghes().syncer
    old = runtime.connect.config()
    new = ConnectConfig(changes.get("ghec_url", old.ghec_url).strip(),
                        changes.get("enterprise", old.enterprise).strip(),
                        changes.get("token") or old.token,
                        bool(changes.get("license_sync", old.license_sync)))
    if new.license_sync and not new.complete:
        missing = [f for f, v in (("ghec_url", new.ghec_url), ("enterprise", new.enterprise),
                                  ("token", new.token)) if not v]
        raise ConnectRefused(f"License sync needs GitHub Connect configured: missing {', '.join(missing)}.",
                             missing[0])
    state = runtime.connect.configure(new, runtime.clock.now())
    syncer.invalidate()
    if new.license_sync and state["registered_at"] is None:
        syncer.register()
    return connect_payload()


def sync_now() -> dict[str, Any]:
    """"Sync now": push the current usage to GHEC and return the recorded attempt."""
    runtime = ghes().runtime
    if not runtime.connect.config().license_sync:
        raise ConnectRefused("License sync is not enabled: enable it in GitHub Connect first.")
    return SyncAttemptSchema().dump(ghes().syncer.sync("manual"))


def _refused(error: ConnectRefused) -> GitHubError:
    """A refused Connect change as GitHub's 422."""
    return validation_failed([{"resource": "GitHubConnect", "field": error.field, "code": "invalid"}],
                             message=str(error))


def make_connect_blueprint() -> Blueprint:
    """Build the Connect API blueprint (site admins only; hidden from everyone else)."""
    bp = Blueprint("ghes_connect", __name__, url_prefix="/api/v3/enterprise/connect")

    @bp.before_request
    def _admins_only() -> None:
        """Connect is an enterprise setting: other callers are told it does not exist."""
        site_admin(hide=True)

    @bp.get("")
    def get_connect() -> Response:
        """GitHub Connect settings, license sync state, next sync and last attempts."""
        return jsonify(connect_payload())

    @bp.put("")
    def put_connect() -> Response:
        """Configure Connect: `{ghec_url, enterprise, token, license_sync}` (omitted keys kept)."""
        changes = load(ConnectUpdateSchema(), json_body(), "GitHubConnect")
        try:
            return jsonify(update_connect(changes))
        except ConnectRefused as error:
            raise _refused(error) from error

    @bp.post("/license-sync")
    def post_sync() -> Response:
        """Sync now: 200 with the attempt record, whose `result` says whether GHEC took it."""
        try:
            return jsonify(sync_now())
        except ConnectRefused as error:
            raise _refused(error) from error

    return bp
