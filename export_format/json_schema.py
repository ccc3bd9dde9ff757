"""The published JSON Schema of the export format, DERIVED from the marshmallow schemas.

WHY derived and never hand-written: marshmallow (schemas.py) is the single source of truth;
a hand-kept copy would drift. apispec's OpenAPIConverter turns each marshmallow schema into
an OpenAPI 3.1 Schema Object (which is JSON Schema 2020-12); this module only post-processes
that output (refs to $defs, descriptions, the top-level oneOf). tests/contract/
test_schema_drift.py fails when the checked-in copy of the current version (versions.py:
SCHEMA_VERSION) differs from what this code generates; regenerate with
`.venv/bin/python tools/gen_schema.py`. Each published version keeps its own file forever.

Only keywords whose meaning is the same in draft-07 and 2020-12 are emitted (type,
properties, required, additionalProperties, items-as-a-schema, min/maxItems, min/maxLength,
pattern, enum, minimum/maximum, oneOf, $ref), so fastjsonschema (which implements up to
2019-09) validates exactly what the published 2020-12 document says.
"""
from __future__ import annotations

import copy
import functools
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import RAISE, Schema

from . import schemas
from .versions import EXPORT_SCHEMA_NAME, PUBLISHED_DIR, SCHEMA_VERSION, USERS_SCHEMA_NAME, schema_id, schema_path

SCHEMA_DIR = PUBLISHED_DIR  # linked from fixtures/schema/ in a checkout
EXPORT_SCHEMA_PATH = schema_path(EXPORT_SCHEMA_NAME, SCHEMA_VERSION)
USERS_SCHEMA_PATH = schema_path(USERS_SCHEMA_NAME, SCHEMA_VERSION)
DIALECT = "https://json-schema.org/draft/2020-12/schema"
DISCLAIMER = ("This project's own license-usage export format, modelled on the fields GitHub "
              "documents for its export (Features, Host name, HTTP only, License, Public key, "
              "Server ID, Version). It is NOT GitHub's format: GitHub's keys and encryption "
              "are not public.")

_NAMED: dict[str, type[Schema]] = {
    "Email": schemas.EmailSchema,
    "UserRecord": schemas.UserRecordSchema,
    "Feature": schemas.FeatureSchema,
    "Instance": schemas.InstanceSchema,
    "Encryption": schemas.EncryptionSchema,
    "PlainExport": schemas.PlainExportSchema,
    "EncryptedExport": schemas.EncryptedExportSchema,
}
_REF_PREFIX = "#/components/schemas/"


def _name_of(schema: Any) -> str:
    """Name each nested schema after its class, so apispec emits a $ref instead of inlining."""
    cls = schema if isinstance(schema, type) else type(schema)
    for name, known in _NAMED.items():
        if known is cls:
            return name
    raise LookupError(f"{cls.__name__} is nested in an export schema but not registered in "
                      "json_schema._NAMED")


def _rewrite_refs(node: Any) -> Any:
    """Point OpenAPI component refs at $defs, so the document stands alone as JSON Schema."""
    if isinstance(node, dict):
        return {key: (f"#/$defs/{value[len(_REF_PREFIX):]}" if key == "$ref"
                      else _rewrite_refs(value)) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _describe(cls: type[Schema]) -> str:
    """First paragraph of the class docstring: the schema's description, kept in one place."""
    doc = inspect.getdoc(cls) or ""
    return " ".join(doc.split("\n\n")[0].split())


@functools.lru_cache(maxsize=1)
def _defs() -> dict[str, Any]:
    """Run apispec once per process over every export schema and post-process its output.

    WHY set additionalProperties ourselves: apispec only emits it when a schema's Meta has no
    description; our rule (unknown keys are errors) must hold regardless.
    """
    spec = APISpec("license-usage-export", "1", "3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_name_of)])
    for name in ("PlainExport", "EncryptedExport"):
        spec.components.schema(name, schema=_NAMED[name])
    generated = _rewrite_refs(spec.to_dict()["components"]["schemas"])
    defs: dict[str, Any] = {}
    for name in sorted(generated):
        cls = _NAMED[name]
        body = {"description": _describe(cls), **generated[name]}
        body["additionalProperties"] = cls().unknown != RAISE
        defs[name] = body
    return defs


def export_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a whole export file: oneOf plain / encrypted.

    Returns a fresh deep copy each call, so callers may mutate it freely.
    """
    return {
        "$schema": DIALECT,
        "$id": schema_id(EXPORT_SCHEMA_NAME, SCHEMA_VERSION),
        "title": f"{schemas.FORMAT_ID} export, format version {schemas.FORMAT_VERSION} "
                 f"(schema {SCHEMA_VERSION})",
        "description": DISCLAIMER + " The encrypted form is the default; the semantic rules "
                       "(exactly one primary email, addresses unique per user ignoring case, "
                       "user ids unique per file, ids written as JSON integers) are enforced "
                       "by the reader on top of this schema.",
        "oneOf": [{"$ref": "#/$defs/PlainExport"}, {"$ref": "#/$defs/EncryptedExport"}],
        "$defs": copy.deepcopy(_defs()),
    }


def users_json_schema() -> dict[str, Any]:
    """The JSON Schema of the plain users array (also the plaintext of the encrypted form)."""
    defs = _defs()
    return {
        "$schema": DIALECT,
        "$id": schema_id(USERS_SCHEMA_NAME, SCHEMA_VERSION),
        "title": f"{schemas.FORMAT_ID} users array, format version {schemas.FORMAT_VERSION} "
                 f"(schema {SCHEMA_VERSION})",
        "description": DISCLAIMER + " This is the `users` array of the plain form, and the "
                       "plaintext (UTF-8 JSON) of the encrypted form's `users`.",
        "type": "array",
        "items": {"$ref": "#/$defs/UserRecord"},
        "$defs": {name: copy.deepcopy(defs[name]) for name in ("Email", "UserRecord")},
    }


def _rooted_at(name: str) -> dict[str, Any]:
    """The export schema re-rooted at one $def, so one form can be compiled on its own."""
    full = export_json_schema()
    return {"$schema": DIALECT, **full["$defs"][name], "$defs": full["$defs"]}


@functools.lru_cache(maxsize=32)  # a bound above the export schema's $defs (a handful) plus "users"
def compiled_validator(name: str) -> Callable[[Any], Any]:
    """fastjsonschema validator for one $def ("PlainExport", "UserRecord", ...) or "users".

    WHY cached: compiling generates and exec()s Python code (tens of ms); the validator's hot
    path must pay that once per process, lazily, and only for the forms it actually sees.
    """
    import fastjsonschema  # imported lazily: only the validator's fast path needs it

    definition = users_json_schema() if name == "users" else _rooted_at(name)
    return fastjsonschema.compile(definition)


def render(schema: dict[str, Any]) -> str:
    """The canonical text of a published schema file (2-space indent, trailing newline).

    WHY one function: tools/gen_schema.py writes with it and the drift test compares with
    it, so formatting can never be the cause of a drift failure.
    """
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_files() -> dict[Path, str]:
    """Every published schema file and the text the code generates for it."""
    return {EXPORT_SCHEMA_PATH: render(export_json_schema()),
            USERS_SCHEMA_PATH: render(users_json_schema())}
