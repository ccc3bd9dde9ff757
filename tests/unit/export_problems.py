"""The good export document and the helpers the export format's problem tests share: edit one
field of it (`doc`), validate, and read the (path, message) pairs back (`check`, `paths`)."""
from __future__ import annotations

import copy
import json
from typing import Any

import export_format as ef

GOOD: dict[str, Any] = {
    "format": "ghes-license-usage", "format_version": 1, "generated_at": "2026-11-28T10:00:00Z",
    "instance": {"server_id": "0b5c9a4e-1f0e-4c36-9d7c-3a1f2e4b5c6d",
                 "host_name": "ghes-1.acme.example", "version": "3.15.2", "http_only": False,
                 "license": "sha256:" + "0" * 64, "public_key": "KEY",
                 "features": [{"name": "license_usage_sync",
                               "enabled_at": "2026-01-01T00:00:00Z"}]},
    "users": [{"id": 1, "emails": [{"address": "ada@acme.example", "primary": True}]},
              {"id": 2, "emails": [{"address": "bob@acme.example", "primary": True},
                                   {"address": "bob@home.example", "primary": False}]}],
}


def doc(**edits: Any) -> dict[str, Any]:
    """A deep copy of GOOD; edits are 'a.b.0.c' paths set to a value (None-ish: see DROP)."""
    data = copy.deepcopy(GOOD)
    for dotted, value in edits.items():
        *parents, last = dotted.split("__")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: Any = int(last) if last.isdigit() else last
        if value is DROP:
            del node[key]
        else:
            node[key] = value
    return data


DROP = object()


def check(data: Any) -> list[tuple[str, str]]:
    """(path, message) pairs for a JSON-serialisable document."""
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    result = ef.validate_bytes(raw)
    assert result.ok == (not result.problems)
    return [(p.path, p.message) for p in result.problems]


def paths(data: Any) -> list[str]:
    """Just the paths, in report order."""
    return [path for path, _ in check(data)]
