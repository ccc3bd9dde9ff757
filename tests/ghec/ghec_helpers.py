"""Helpers for the mock GHEC tests: export files from scenario instances, and response validation.

`export_for` builds files with export_format.build_export (plain, or encrypted to the test
key), so the tests feed GHEC exactly what a GHES would send.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import export_format
from export_format.keys import load_public_key

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "github-openapi" / "ghec-license-endpoints.json"
GENERATED_AT = "2026-01-02T03:04:05Z"


def instance_block(server_id: str, host_name: str, version: str = "3.15.2") -> dict[str, Any]:
    """A valid instance block for `server_id` at `host_name`."""
    return {"server_id": server_id, "host_name": host_name, "version": version, "http_only": True,
            "license": "sha256:" + "ab" * 32,
            "public_key": "-----BEGIN PUBLIC KEY-----\nMOCK\n-----END PUBLIC KEY-----",
            "features": [{"name": "license_usage_sync", "enabled_at": "2025-06-01T00:00:00Z"}]}


def consuming_users(instance: Any) -> list[dict[str, Any]]:
    """The users a GHES would export: active accounts (no suspended, ghost or scim-admin)."""
    return [{"id": u.id, "emails": [{"address": e.address, "primary": e.primary} for e in u.emails]}
            for u in instance.users if u.kind in ("user", "bot") and not u.suspended]


def export_bytes(server_id: str, host_name: str, users: list[dict[str, Any]], *,
                 encrypted: bool = False) -> bytes:
    """An export file (plain or encrypted to the shipped test key)."""
    return export_format.build_export(instance_block(server_id, host_name), users=users,
                                      encrypt_to=load_public_key() if encrypted else None,
                                      generated_at=GENERATED_AT)


def export_for(instance: Any, *, encrypted: bool = False, users: list[dict[str, Any]] | None = None) -> bytes:
    """The export a scenario GHES instance would produce."""
    return export_bytes(instance.server_id, instance.host_name,
                        consuming_users(instance) if users is None else users, encrypted=encrypted)


def user(uid: int, primary: str, *secondaries: str) -> dict[str, Any]:
    """One user record with a primary and optional secondary emails."""
    return {"id": uid, "emails": [{"address": primary, "primary": True}]
            + [{"address": a, "primary": False} for a in secondaries]}


@lru_cache(maxsize=1)
def reference() -> dict[str, Any]:
    """GitHub's OpenAPI extract for the two GHEC license operations."""
    return json.loads(REFERENCE.read_text())


def upload(client: Any, slug: str, headers: dict[str, str], raw: bytes, *, multipart: bool = False) -> Any:
    """POST an export to the program upload route (raw JSON body, or multipart field `file`)."""
    if multipart:
        import io
        return client.post(f"/enterprises/{slug}/server-usage", headers=headers,
                           data={"file": (io.BytesIO(raw), "license-usage.json")})
    return client.post(f"/enterprises/{slug}/server-usage", data=raw,
                       headers={**headers, "Content-Type": "application/json"})


def all_rows(client: Any, slug: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every consumed-license row through the public API (pages of 100)."""
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get(f"/enterprises/{slug}/consumed-licenses?per_page=100&page={page}", headers=headers).get_json()
        rows += body["users"]
        if len(rows) >= body["total_seats_consumed"] or not body["users"]:
            return rows
        page += 1


def snapshot(client: Any) -> bytes:
    """The whole state as the control plane dumps it (bytes, for byte-for-byte comparison)."""
    response = client.get("/_mock/snapshot")
    assert response.status_code == 200
    return response.data
