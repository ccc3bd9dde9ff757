"""The consumer's own code: a tiny reader and writer of license-usage exports (plain form).

It stands for someone else's tool; it does not use export_format, only json.
"""
from __future__ import annotations

import json


class NotAnExport(ValueError):
    """The file is not an export this tool can read."""


def primary_emails(raw: bytes) -> dict[int, str]:
    """user id -> primary email of a plain export; NotAnExport for anything else."""
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=lambda name: (_ for _ in ()).throw(NotAnExport(name)))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise NotAnExport(str(error)) from None
    if not isinstance(doc, dict) or doc.get("format") != "ghes-license-usage" or doc.get("format_version") != 1:
        raise NotAnExport("not a ghes-license-usage export, version 1")
    users = doc.get("users")
    if isinstance(users, str):
        return {}  # encrypted: this tool only counts that it is there
    if not isinstance(users, list):
        raise NotAnExport("users must be an array")
    out: dict[int, str] = {}
    for user in users:
        if not isinstance(user, dict) or set(user) != {"id", "emails"} or type(user["id"]) is not int:
            raise NotAnExport("bad user record")
        primaries = [e.get("address") for e in user["emails"] if isinstance(e, dict) and e.get("primary") is True]
        if len(primaries) != 1 or user["id"] in out:
            raise NotAnExport("bad user record")
        out[user["id"]] = primaries[0]
    return out


def write_export(server_id: str, users: dict[int, str]) -> bytes:
    """The consumer's own writer: a plain export of users with one email each."""
    return json.dumps({
        "format": "ghes-license-usage", "format_version": 1, "generated_at": "2026-12-01T09:00:00Z",
        "instance": {"server_id": server_id, "host_name": "ghes.consumer.example", "version": "3.15.2",
                     "http_only": False, "license": "sha256:" + "0" * 64, "public_key": "KEY", "features": []},
        "users": [{"id": uid, "emails": [{"address": email, "primary": True}]} for uid, email in users.items()],
    }).encode("utf-8")
