"""The published JSON Schema of scenario files, DERIVED from the marshmallow schemas (schemas.py).

WHY derived: marshmallow is the format's single source of truth. apispec's marshmallow plugin
turns each schema into an OpenAPI 3.1 Schema Object (JSON Schema 2020-12); this module only
names the nested schemas, points refs at $defs and adds `$id`, the version and the rules a
schema cannot say. tests/unit/test_scenario_file_schema.py fails when the checked-in copy at
fixtures/schema/scenario-file/1-0-0.json is stale; regenerate with tools/gen_schema.py.
"""
from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import RAISE, Schema

from . import schemas

SCHEMA_PATH = (Path(__file__).resolve().parents[2] / "fixtures" / "schema" / "scenario-file"
               / f"{schemas.FORMAT_VERSION.replace('.', '-')}.json")
SCHEMA_ID = ("https://ghes-ghec-license-mocks.example/schema/scenario-file/"
             f"{schemas.FORMAT_VERSION.replace('.', '-')}.json")
_PREFIX = "#/components/schemas/"
_RULES = ("Beyond this schema the loader checks: logins unique per GHES instance and across GitHub.com; an "
          "address on one account per GHES instance and one GitHub.com account; at most one primary per GHES "
          "account; every person, organization and org/repo named is declared; suspended only with "
          "managed_users; an invitation names a login or an email; each enterprise has an enterprise owner "
          "and each GHES instance a site admin.")


def _named() -> dict[str, type[Schema]]:
    """Every schema class of the format by its $defs name (its class name without "Schema")."""
    return {name[:-len("Schema")]: cls for name, cls in vars(schemas).items()
            if isinstance(cls, type) and issubclass(cls, Schema) and cls is not Schema}


def _name_of(schema: Any) -> str:
    """The $defs name of a nested schema (class or instance)."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__[:-len("Schema")]


def _refs(node: Any) -> Any:
    """OpenAPI component refs as $defs refs, so the document stands alone."""
    if isinstance(node, dict):
        return {k: f"#/$defs/{v[len(_PREFIX):]}" if k == "$ref" else _refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_refs(item) for item in node]
    return node


def scenario_file_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a scenario file, version FORMAT_VERSION."""
    spec = APISpec("scenario-file", schemas.FORMAT_VERSION, "3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_name_of)])
    spec.components.schema("ScenarioFile", schema=schemas.ScenarioFileSchema)
    generated = _refs(spec.to_dict()["components"]["schemas"])
    named = _named()
    defs = {}
    for name in sorted(generated):
        doc = " ".join((inspect.getdoc(named[name]) or "").split("\n\n")[0].split())
        defs[name] = {"description": doc, **generated[name],
                      "additionalProperties": named[name]().unknown != RAISE}
    root = defs.pop("ScenarioFile")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": f"scenario file, version {schemas.FORMAT_VERSION}",
            **root, "description": f"{root['description']} {_RULES}", "$defs": defs}


def schema_text() -> str:
    """The canonical text of the published file (2-space indent, trailing newline)."""
    return json.dumps(scenario_file_json_schema(), indent=2, ensure_ascii=False) + "\n"


def scenario_schema_files() -> dict[Path, str]:
    """The published scenario-file schema and the text the code derives for it."""
    return {SCHEMA_PATH: schema_text()}
