"""Hypothesis strategies DERIVED from the published JSON Schema of the export, and near-misses.

WHY objects and arrays are composed here while every leaf comes from hypothesis-jsonschema:
hypothesis-jsonschema 0.23.1 (the newest release) calls a Hypothesis internal that Hypothesis
6.1xx removed when it builds objects (`'many' object has no attribute 'more'`); its string,
integer, boolean and enum strategies still work. So the walk below follows the schema's
properties/required/items/min/maxItems exactly and hands each leaf schema to `from_schema`.

The schema cannot say everything the format requires (exactly one primary email, addresses
unique per user ignoring case, unique ids and feature names, real dates), so generated
documents are repaired for those rules afterwards: what is left is what the schema allows.
"""
from __future__ import annotations

import copy
import functools
import re
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from export_format.json_schema import export_json_schema

MAX_GENERATED_ITEMS = 3  # arrays longer than this prove nothing more and cost time
_ANNOTATIONS = ("description", "title", "$schema", "$id")


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `#/$defs/Name` reference."""
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _leaf(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A scalar schema to hypothesis-jsonschema; `$` becomes `\\Z` for generation only.

    WHY: Python's `$` also matches before a final newline, so from_regex may produce
    "a@b.example\\n", which JSON Schema's own search semantics allow but this format refuses
    (docs/export-format.md §6); the agreement tested here is on what the format means.
    """
    leaf = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
    if isinstance(leaf.get("pattern"), str) and leaf["pattern"].endswith("$"):
        leaf["pattern"] = leaf["pattern"][:-1] + r"\Z"
    if leaf.get("type") == "string" and leaf.get("maxLength", 0) > 300:
        leaf["maxLength"] = 300  # a 16 KiB public key or a 512 MiB blob limit: generating less is enough
    return from_schema(leaf)


def from_export_schema(node: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A strategy for one (sub)schema of the export: objects and arrays walked, leaves generated."""
    node = _resolve(node, root)
    if node.get("type") == "object":
        props = node["properties"]
        required = {k: from_export_schema(props[k], root) for k in node.get("required", [])}
        optional = {k: from_export_schema(v, root) for k, v in props.items() if k not in required}
        return st.fixed_dictionaries(required, optional=optional)
    if node.get("type") == "array":
        low = node.get("minItems", 0)
        high = min(node.get("maxItems", MAX_GENERATED_ITEMS), max(low, MAX_GENERATED_ITEMS))
        return st.lists(from_export_schema(node["items"], root), min_size=low, max_size=high)
    return _leaf(node)


_DATE = re.compile(r"^([0-9]{4})(-[0-9]{2}-)([0-9]{2})")


def _real_date(value: str) -> str:
    """Year 0000 becomes 0001 and days past the 28th the 28th, so every timestamp names a real date."""
    return _DATE.sub(lambda m: max(m.group(1), "0001") + m.group(2) + min(m.group(3), "28"), value)


def _repair(doc: dict[str, Any]) -> dict[str, Any]:
    """Apply the rules the schema cannot express: one primary, unique addresses, ids and features."""
    doc["generated_at"] = _real_date(doc["generated_at"])
    features, names = [], set()
    for feature in doc["instance"]["features"]:
        if feature["name"] not in names:
            names.add(feature["name"])
            features.append({**feature, "enabled_at": _real_date(feature["enabled_at"])})
    doc["instance"]["features"] = features
    users, ids = [], set()
    for user in doc["users"]:
        if user["id"] in ids:
            continue
        ids.add(user["id"])
        emails, seen = [], set()
        for email in user["emails"]:
            if email["address"].lower() not in seen:
                seen.add(email["address"].lower())
                emails.append(email)
        primary = next((i for i, e in enumerate(emails) if e["primary"]), 0)
        user["emails"] = [{**e, "primary": i == primary} for i, e in enumerate(emails)]
        users.append(user)
    doc["users"] = users
    return doc


@functools.cache
def valid_plain_exports() -> st.SearchStrategy[dict[str, Any]]:
    """Plain-form exports the published schema and the format's rules both allow.

    Cached: building the leaf strategies (regexes compiled into generators) is the expensive
    part, and near_misses draws from this once per example."""
    root = export_json_schema()
    return from_export_schema(root["$defs"]["PlainExport"], root).map(_repair)


# --- near-misses: one mutation each, with the path where the problem is ---------------------

def _objects(doc: dict[str, Any]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every object of a plain export with its path parts (top, instance, features, users, emails)."""
    found: list[tuple[tuple[Any, ...], dict[str, Any]]] = [((), doc), (("instance",), doc["instance"])]
    found += [(("instance", "features", i), f) for i, f in enumerate(doc["instance"]["features"])]
    for i, user in enumerate(doc["users"]):
        found.append((("users", i), user))
        found += [(("users", i, "emails", j), e) for j, e in enumerate(user["emails"])]
    return found


def _primary_email(parts: tuple[Any, ...], key: str, obj: dict[str, Any]) -> bool:
    """An email's primary flag (or the primary email itself): touching it also breaks the one-primary rule."""
    return len(parts) == 4 and parts[2] == "emails" and obj.get("primary") is True


_WRONG = {str: 12345, bool: "true", int: "12", list: {}, dict: []}
# Values the schema refuses, by key: (value, what breaks)
_OUT_OF_BOUNDS = {"id": 0, "address": "no-at-sign", "server_id": "NOT-A-UUID", "license": "md5:1",
                  "format_version": 99, "format": "other-format", "emails": [], "version": "three",
                  "host_name": "-bad-", "name": "Not_Snake", "http_only": None}


@st.composite
def near_misses(draw: Any) -> tuple[dict[str, Any], tuple[Any, ...], str]:
    """(document, path parts of the problem, kind): a valid export with exactly one thing broken.

    Kinds: `missing` (a required key dropped), `unknown` (a key the format does not define),
    `type` (a value of the wrong JSON type), `bound` (the right type, outside the schema).
    A mutation that would also break a cross-field rule (the primary email) is not drawn, so
    every validator has exactly one thing to find.
    """
    doc = copy.deepcopy(draw(valid_plain_exports()))
    parts, obj = draw(st.sampled_from(_objects(doc)))
    kind = draw(st.sampled_from(["missing", "unknown", "type", "bound"]))
    keys = sorted(k for k in obj if not _primary_email(parts, k, obj))
    if kind == "unknown" or not keys:
        obj["login"] = "octocat"
        return doc, (*parts, "login"), "unknown"
    if kind == "bound":
        bounded = [k for k in keys if k in _OUT_OF_BOUNDS]
        if bounded:
            key = draw(st.sampled_from(bounded))
            obj[key] = _OUT_OF_BOUNDS[key]
            return doc, (*parts, key), "bound"
        kind = "type"
    key = draw(st.sampled_from(keys))
    if kind == "missing":
        del obj[key]
        return doc, (*parts, key), "missing"
    obj[key] = _WRONG[type(obj[key])]
    return doc, (*parts, key), "type"
