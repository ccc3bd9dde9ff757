"""The license-usage export: the file the License page, the API, the CLI and Connect all send.

One function builds it so the four can never differ. The instance block and the users are
read in one snapshot; the users array is built by SQLite (`json_group_array`) and handed to
`export_format.build_export` as bytes, so 100,000 users export without a Python loop.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import export_format
from github_http import isoformat

from .runtime import Runtime

LICENSE_SYNC_FEATURE = "license_usage_sync"


@dataclass(frozen=True, slots=True)
class UsageFile:
    """An export ready to send: its bytes, a download name and how many users it holds."""

    content: bytes
    filename: str
    users: int
    encrypted: bool


def instance_block(instance: dict[str, Any], connect: dict[str, Any], http_only: bool) -> dict[str, Any]:
    """The export's `instance` object, consistent with the license, settings and Connect state."""
    features = []
    if connect["license_sync"] and connect["enabled_at"]:
        features.append({"name": LICENSE_SYNC_FEATURE, "enabled_at": connect["enabled_at"]})
    return {"server_id": instance["server_id"], "host_name": instance["host_name"],
            "version": instance["version"], "http_only": http_only, "license": instance["license_hash"],
            "public_key": instance["public_key"], "features": features}


def file_name(host_name: str, now: datetime) -> str:
    """`license-usage-<host>-<YYYY-MM-DD>.json`, dated by the app clock; a port's colon becomes a dash."""
    return f"license-usage-{host_name.replace(':', '-')}-{now.strftime('%Y-%m-%d')}.json"


def build_usage(runtime: Runtime, *, encrypted: bool = True, now: datetime | None = None) -> UsageFile:
    """Build the export of every license-consuming user, encrypted to GHEC's key unless asked not to."""
    now = now or runtime.clock.now()
    key = runtime.ghec_public_key() if encrypted else None
    with runtime.store.reading() as conn:
        instance = runtime.store.instance()
        connect = runtime.connect.state()
        count, users_json = runtime.store.consuming_users_json(conn)
    block = instance_block(instance, connect, bool(runtime.settings["HTTP_ONLY"]))
    content = export_format.build_export(block, users_json=users_json, encrypt_to=key,
                                         generated_at=isoformat(now))
    return UsageFile(content, file_name(instance["host_name"], now), count, encrypted)
