"""One hostile-input corpus against every JSON-taking operation of both apps, from their own OpenAPI.

The operations are read from each app's `/_mock/openapi.json`: every operation with a
`requestBody` (API, Connect, SCIM, control plane) is run, so a new JSON route is covered
the day it is documented. For each, a valid body (BODIES, else one made from the operation's
schema) is spoilt one way at a time: nested 100,000 deep, not an object, NaN, non-UTF-8, and
in every string field a lone surrogate, a NUL, CR/LF, a 2 MB string or a value of the wrong
type. Every case must be a 4xx with GitHub's error JSON (SCIM's error on SCIM routes) and leave
the app's `/_mock/snapshot` byte-identical. An operation that cannot be run this way is
listed in EXCLUDED with the reason; `test_every_json_operation_has_a_corpus_run` fails on
any other (and on a stale entry). One app per kind for the whole module: a refused request
writes nothing, so nothing needs resetting between cases (a case that did write resets it).
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from hardening_helpers import LOOPBACK, SERVER_ID, auth, ghec_app, ghec_tokens, ghes_admin, ghes_app, is_github_error
from rel_helpers import export, synthetic_users

import scenarios

TOKENS = ghec_tokens()
SCENARIO = scenarios.build(5, "small")  # hardening_helpers.SEED's small world
_ENT = SCENARIO.enterprises[0]
_ORG = _ENT.organizations[0]
APPS: dict[str, Flask] = {"ghes": ghes_app(), "ghec": ghec_app()}  # built at collection: the documents are theirs


def _document(app: Flask) -> dict[str, Any]:
    return app.test_client().get("/_mock/openapi.json", environ_base=LOOPBACK).get_json()


def _state(app: Flask) -> dict[str, Any]:
    return app.test_client().get("/_mock/snapshot", environ_base=LOOPBACK).get_json()


def _first(app: Flask, table: str, column: str, where: tuple[str, Any] | None = None) -> Any:
    """A value of the app's state (its public snapshot): an existing SCIM user, subscription, ..."""
    data = _state(app)["tables"][table]
    columns = data["columns"]
    rows = [r for r in data["rows"] if where is None or r[columns.index(where[0])] == where[1]]
    return rows[0][columns.index(column)]


_GHES_USER = _first(APPS["ghes"], "ghes_users", "login", ("site_admin", 0))
#: What fills each path parameter the documents use (a name missing here fails the coverage test).
PARAMS = {
    "ghes": {"username": _GHES_USER},
    "ghec": {"enterprise": TOKENS["slug"], "server_id": SERVER_ID, "org": _ORG, "username": _ENT.members[1].login,
             "scim_user_id": _first(APPS["ghec"], "ghec_scim_users", "id"),
             "visual_studio_subscription_id": _first(APPS["ghec"], "ghec_vs_subscriptions", "id")},
}
_SCIM_USER = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "corpus",
              "name": {"givenName": "Cor", "familyName": "Pus"}, "externalId": "C-1",
              "emails": [{"value": "corpus.scim@corp.example", "primary": True, "type": "work"}]}
_EXPORT = json.loads(export(SERVER_ID, "corpus.example", synthetic_users(1, "corp.example")))
_SNAPSHOT = {"format": "license-mock-snapshot/1", "tables": {}}
#: A valid body per (app, METHOD, documented path): what each field's spoiling starts from.
BODIES: dict[tuple[str, str, str], Any] = {
    ("ghes", "POST", "/api/v3/admin/users"): {"login": "corpus-user", "email": "corpus@x.example"},
    ("ghes", "PATCH", "/api/v3/admin/users/{username}"): {"login": "corpus-renamed"},
    ("ghes", "PUT", "/api/v3/users/{username}/suspended"): {"reason": "corpus"},
    ("ghes", "DELETE", "/api/v3/users/{username}/suspended"): {"reason": "corpus"},
    ("ghes", "PUT", "/api/v3/enterprise/connect"): {"ghec_url": "http://127.0.0.1:9", "enterprise": "corpus",
                                                    "token": "corpus-token"},
    ("ghec", "PUT", "/enterprises/{enterprise}/connect/servers/{server_id}"): {"host_name": "corpus.example",
                                                                              "version": "3.15.2"},
    ("ghec", "POST", "/enterprises/{enterprise}/server-usage"): _EXPORT,
    ("ghec", "POST", "/enterprises/{enterprise}/connect/server-usage"): _EXPORT,
    ("ghec", "PUT", "/orgs/{org}/memberships/{username}"): {"role": "member"},
    ("ghec", "POST", "/orgs/{org}/invitations"): {"email": "corpus@corp.example", "role": "direct_member"},
    ("ghec", "PUT", "/orgs/{org}/outside_collaborators/{username}"): {"async": True},
    ("ghec", "POST", "/scim/v2/organizations/{org}/Users"): _SCIM_USER,
    ("ghec", "PUT", "/scim/v2/organizations/{org}/Users/{scim_user_id}"): _SCIM_USER,
    ("ghec", "PATCH", "/scim/v2/organizations/{org}/Users/{scim_user_id}"): {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Corpus"}]},
    ("ghec", "PUT", "/enterprises/{enterprise}/visual-studio-subscriptions/{visual_studio_subscription_id}"): {
        "user_identifier": _ENT.members[1].login},
}
for _app in ("ghes", "ghec"):
    BODIES.update({(_app, "PUT", "/_mock/scenario"): {"preset": "small", "params": {"locales": ["en_US"]}},
                   (_app, "PUT", "/_mock/rate-limit"): {"token": "corpus-token", "remaining": 5},
                   (_app, "POST", "/_mock/faults"): {"path": "/corpus", "body": "corpus", "headers": {"X-Corpus": "1"}},
                   (_app, "PUT", "/_mock/clock"): {"now": "2026-01-01T00:00:00Z"},
                   (_app, "POST", "/_mock/clock/advance"): {"seconds": 1},
                   (_app, "PUT", "/_mock/snapshot"): _SNAPSHOT})
#: Operations with a JSON requestBody that the corpus deliberately does not run, each with why.
EXCLUDED: dict[tuple[str, str, str], str] = {}
#: Fields whose "wrong type" is a valid value: a fault's body is any JSON; advance takes only numbers.
ANY_TYPE = {("body",), ("seconds",)}
_PUBLIC_KEY = {"crlf": "a PEM public key is lines of text",
               "surrogate": "open: the format's public_key is opaque printable text (PRINTABLE_PATTERN admits a "
                            "lone surrogate) and GHEC keeps none of it; refusing it changes the published schema"}
#: Spoilt fields that are still a valid file, so the route rightly takes them: (field, spoiler) -> why.
VALID_SPOILS: dict[tuple[tuple, str], str] = {
    (("instance", "public_key"), name): why for name, why in _PUBLIC_KEY.items()}


def json_operations(app_name: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) of every documented operation that takes a JSON body."""
    found = []
    for path, item in _document(APPS[app_name])["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {}) if isinstance(op, dict) else {}
            if "application/json" in content:
                found.append((method.upper(), path, op))
    return found


def _example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A body made from an operation's schema (for an operation BODIES does not know yet)."""
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if depth > 4:
        return None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _example(v, components, depth + 1) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {}), components, depth + 1)]
    return {"integer": 1, "number": 1, "boolean": True}.get(str(kind), "corpus")


def _concrete(app_name: str, path: str) -> str | None:
    """The documented path with every parameter filled (None: a parameter PARAMS does not know)."""
    filled = path
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        if name not in PARAMS[app_name]:
            return None
        filled = filled.replace("{" + name + "}", str(PARAMS[app_name][name]))
    return filled


SPOILERS = {
    "surrogate": lambda v: "\ud800", "nul": lambda v: "a\u0000b", "crlf": lambda v: "a\r\nSet-Cookie: x=y",
    "huge": lambda v: "x" * 2_000_000, "wrong-type": lambda v: [1, {"$": 2}],
}
RAW = {"deep": "[" * 100_000 + "]" * 100_000, "not-an-object": "[1, 2]", "bare-string": '"x"',
       "nan": '{"a": NaN}', "bad-utf8": b'{"a": "\xff"}'}


def _strings(body: Any, path: tuple = ()) -> list[tuple]:
    """The paths of every string (and number) field in a body, nested ones included."""
    found = []
    items = body.items() if isinstance(body, dict) else enumerate(body) if isinstance(body, list) else ()
    for key, value in items:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            found.append((*path, key))
        else:
            found += _strings(value, (*path, key))
    return found


def _spoilt(body: Any, where: tuple, spoil: Any) -> Any:
    """A copy of `body` with the field at `where` replaced by `spoil(old)`."""
    copy = json.loads(json.dumps(body))
    target = copy
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = spoil(target[where[-1]])
    return copy


def _label(method: str, path: str) -> str:
    """A short readable ID part for an operation."""
    return f"{method}-{path.replace('/{enterprise}', '/ent').replace('/api/v3', '')}".replace("{", "").replace("}", "")


def _cases() -> list[Any]:
    """Every (operation, hostile body) pair, with an ID naming both."""
    cases = []
    for app_name in APPS:
        components = _document(APPS[app_name]).get("components", {}).get("schemas", {})
        for method, path, op in json_operations(app_name):
            concrete = _concrete(app_name, path)
            if (app_name, method, path) in EXCLUDED or concrete is None:
                continue
            body = BODIES.get((app_name, method, path))
            if body is None:
                body = _example(op["requestBody"]["content"]["application/json"].get("schema", {}), components)
            route = f"{app_name}-{_label(method, path)}"
            cases += [pytest.param(app_name, method, concrete, data, id=f"{route}-{name}")
                      for name, data in RAW.items()]
            for where in _strings(body):
                for name, spoil in SPOILERS.items():
                    if (name == "wrong-type" and where in ANY_TYPE) or (where, name) in VALID_SPOILS:
                        continue
                    data = json.dumps(_spoilt(body, where, spoil))
                    cases.append(pytest.param(app_name, method, concrete, data,
                                              id=f"{route}-{'.'.join(map(str, where))}-{name}"))
    return cases


CASES = _cases()


@pytest.fixture(scope="module", autouse=True)
def _close_apps() -> Any:
    yield
    for app in APPS.values():
        app.extensions["mock"].db.close()


def _headers(app_name: str, path: str) -> dict[str, str]:
    """The credentials an operation needs: the site admin on GHES; Connect's token on Connect routes."""
    if app_name == "ghes":
        return ghes_admin()
    return auth(TOKENS["connect" if "/connect/" in path else "owner"])


@pytest.mark.parametrize(("app_name", "method", "path", "data"), CASES)
def test_hostile_body_is_a_4xx_and_changes_nothing(app_name: str, method: str, path: str, data: str | bytes) -> None:
    client = APPS[app_name].test_client()
    before = client.get("/_mock/snapshot", environ_base=LOOPBACK).get_data()
    response = client.open(path, method=method, data=data, content_type="application/json",
                           headers=_headers(app_name, path), environ_base=LOOPBACK)
    after = client.get("/_mock/snapshot", environ_base=LOOPBACK).get_data()
    if after != before:  # keep the next cases honest; this one fails below
        client.post("/_mock/reset", environ_base=LOOPBACK)
    assert 400 <= response.status_code < 500, response.get_data()[:300]
    scim_error = path.startswith("/scim/") and (response.get_json(silent=True) or {}).get("schemas") == [
        "urn:ietf:params:scim:api:messages:2.0:Error"]  # a SCIM route answers SCIM's error, as GitHub describes
    assert is_github_error(response) or scim_error, response.get_data()[:300]
    assert after == before


@pytest.mark.parametrize("app_name", ["ghes", "ghec"])
def test_every_json_operation_has_a_corpus_run(app_name: str) -> None:
    documented = {(app_name, method, path) for method, path, _ in json_operations(app_name)}
    prefix = {"ghes": "ghes-", "ghec": "ghec-"}[app_name]
    run = {case.id.rsplit("-", 1)[0] for case in CASES if case.id.startswith(prefix) and case.id.endswith("-deep")}
    missing = [key for key in sorted(documented) if key not in EXCLUDED
               and f"{app_name}-{_label(key[1], key[2])}" not in run]
    assert missing == [], "fill their path parameters in PARAMS (and a valid body in BODIES), or EXCLUDE them with why"
    stale = [key for key in [*BODIES, *EXCLUDED] if key[0] == app_name and key not in documented]
    assert stale == [], "these are no longer documented operations with a JSON body"
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_every_case_has_a_unique_id() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


def test_a_new_operation_gets_a_body_made_from_its_schema() -> None:
    """What a route not yet in BODIES is run with: every documented field, so each is spoilt."""
    components = _document(APPS["ghes"])["components"]["schemas"]
    body = _example({"$ref": "#/components/schemas/create-user-request"}, components)
    assert isinstance(body, dict) and {"login", "email"} <= set(body) and _strings(body)
