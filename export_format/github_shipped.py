"""A reader for the export as GitHub ships it, as far as public observation allows.

GitHub does not publish its export's layout (DOMAIN.md §2). One unofficial observation of a
GHES 3.15 `ghe-license usage` file shows a top-level `instance` object with `server_id`,
`host_name`, `version`, `public_key` and `features[]`, and `users` as a base64 blob encrypted
for GitHub. Such a file is NOT this project's format: nothing here can decrypt its users, and
the keys beyond those five are unknown. So this module only

- recognises the shape (`looks_like_github_export`): an `instance` object, a string `users`,
  and none of this project's own top-level keys (`format`, `format_version`, `encryption`);
- checks what the observation supports (`check_github_export`): the five instance keys and
  their evident types, a UUID server id, an X.Y.Z version, and that `users` is base64;
- and says, every time, that the user list is encrypted for GitHub and cannot be checked.

Keys it does not know are reported as notes, never as errors: the real format may have them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .problems import Problem

__all__ = ["USERS_NOT_CHECKABLE", "GithubExportCheck", "check_github_export", "looks_like_github_export"]

OUR_KEYS = ("format", "format_version", "encryption")
INSTANCE_KEYS = ("server_id", "host_name", "version", "public_key", "features")
USERS_NOT_CHECKABLE = ("the user list is encrypted for GitHub (GitHub's own export format, whose "
                       "encryption is not public): it cannot be decrypted or checked here")
NOT_OUR_FORMAT = ("this looks like a license-usage export as GitHub ships it (ghe-license usage), "
                  "not this project's format \"ghes-license-usage\": " + USERS_NOT_CHECKABLE
                  + "; `license-sync validate` checks the parts it can (docs/export-format.md §11)")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:[-+.][0-9A-Za-z.+-]+)?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def looks_like_github_export(doc: Any) -> bool:
    """True for a parsed top level with GitHub's observed shape and none of our own keys."""
    return (isinstance(doc, dict) and isinstance(doc.get("instance"), dict)
            and isinstance(doc.get("users"), str) and not any(key in doc for key in OUR_KEYS))


@dataclass
class GithubExportCheck:
    """What could be checked of a GitHub-shipped export: problems, notes, the instance block."""

    ok: bool
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    instance: dict[str, Any] = field(default_factory=dict)


def _string(instance: dict[str, Any], key: str, problems: list[Problem],
            pattern: re.Pattern[str] | None = None, what: str = "") -> None:
    """One observed instance key: present, a non-empty string, and of the evident form."""
    path = f"$.instance.{key}"
    if key not in instance:
        problems.append(Problem(path, "missing: GitHub's export has it"))
    elif not isinstance(instance[key], str) or not instance[key]:
        problems.append(Problem(path, "must be a non-empty string"))
    elif pattern is not None and not pattern.fullmatch(instance[key]):
        problems.append(Problem(path, f"must be {what}"))


def check_github_export(doc: dict[str, Any]) -> GithubExportCheck:
    """Check the observable part of a GitHub-shipped export (see looks_like_github_export)."""
    instance: dict[str, Any] = doc["instance"]
    problems: list[Problem] = []
    _string(instance, "server_id", problems, _UUID, "a UUID (GitHub's Server ID)")
    _string(instance, "host_name", problems)
    _string(instance, "version", problems, _VERSION, "a GHES version like 3.15.2")
    _string(instance, "public_key", problems)
    features = instance.get("features")
    if "features" not in instance:
        problems.append(Problem("$.instance.features", "missing: GitHub's export has it"))
    elif not isinstance(features, list):
        problems.append(Problem("$.instance.features", "must be an array"))
    users = doc["users"]
    if not users or not _BASE64.fullmatch(users) or len(users) % 4:
        problems.append(Problem("$.users", "must be the base64 blob of the encrypted user list"))
    notes = [USERS_NOT_CHECKABLE + "; only the instance block and the blob's encoding were checked"]
    unknown = (sorted(set(doc) - {"instance", "users"})
               + sorted(f"instance.{k}" for k in set(instance) - set(INSTANCE_KEYS)))
    if unknown:
        notes.append("keys not in the public observation, not checked: " + ", ".join(unknown))
    return GithubExportCheck(not problems, problems, notes, instance)
