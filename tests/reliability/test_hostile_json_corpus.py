"""One hostile-input corpus against every JSON-taking route of both apps.

For each route, a valid body is spoilt one way at a time: nested 100,000 deep, not an
object, and in every string field a lone surrogate, a NUL, CR/LF, a 2 MB string or a value
of the wrong type. Every case must be a 4xx with GitHub's error JSON and leave the app's
`/_mock/snapshot` byte-identical. A new JSON route belongs in ROUTES (docs/security.md).
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from hardening_helpers import (
    LOOPBACK,
    SEED,
    SERVER_ID,
    auth,
    ghec_app,
    ghec_tokens,
    ghes_admin,
    ghes_app,
    is_github_error,
    snapshot,
)

import scenarios

TOKENS = ghec_tokens()
SCENARIO = scenarios.build(SEED, "small")
CLOCK = {"now": "2026-01-01T00:00:00Z"}
#: (app, method, path, a valid body): every route that reads a JSON body.
ROUTES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("ghes", "POST", "/api/v3/admin/users", {"login": "corpus-user", "email": "corpus@x.example"}),
    ("ghes", "PATCH", "/api/v3/admin/users/ghost", {"login": "corpus-renamed"}),
    ("ghes", "PUT", "/api/v3/users/ghost/suspended", {"reason": "corpus"}),
    ("ghes", "DELETE", "/api/v3/users/ghost/suspended", {"reason": "corpus"}),
    ("ghes", "PUT", "/api/v3/enterprise/connect", {"ghec_url": "http://127.0.0.1:9", "enterprise": "corpus",
                                                   "token": "corpus-token"}),
    ("ghec", "PUT", f"/enterprises/{TOKENS['slug']}/connect/servers/{SERVER_ID}",
     {"host_name": "corpus.example", "version": "3.15.2"}),
]
#: GHEC's organization, SCIM and rate-limit routes (an organization owner's token: OWNER_PATHS).
_ORG = SCENARIO.enterprises[0].organizations[0]
ROUTES += [
    ("ghec", "PUT", f"/orgs/{_ORG}/memberships/{SCENARIO.enterprises[0].members[1].login}", {"role": "member"}),
    ("ghec", "POST", f"/orgs/{_ORG}/invitations", {"email": "corpus@corp.example", "role": "direct_member"}),
    ("ghec", "POST", f"/scim/v2/organizations/{_ORG}/Users",
     {"userName": "corpus", "name": {"givenName": "Cor", "familyName": "Pus"},
      "emails": [{"value": "corpus.scim@corp.example", "primary": True}], "externalId": "C-1"}),
]
OWNER_PATHS = ("/orgs/", "/scim/")
for _app in ("ghes", "ghec"):
    ROUTES += [(_app, "PUT", "/_mock/scenario", {"preset": "small", "params": {"locales": ["en_US"]}}),
               (_app, "PUT", "/_mock/rate-limit", {"token": "corpus-token", "remaining": 5}),
               (_app, "POST", "/_mock/faults", {"path": "/corpus", "body": "corpus", "headers": {"X-Corpus": "1"}}),
               (_app, "PUT", "/_mock/clock", CLOCK),
               (_app, "POST", "/_mock/clock/advance", {"seconds": 1}),
               (_app, "PUT", "/_mock/snapshot", {"format": "license-mock-snapshot/1", "tables": {}})]

SPOILERS = {
    "surrogate": lambda v: "\ud800", "nul": lambda v: "a\u0000b", "crlf": lambda v: "a\r\nSet-Cookie: x=y",
    "huge": lambda v: "x" * 2_000_000, "wrong-type": lambda v: [1, {"$": 2}],
}


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


def _cases() -> list[Any]:
    """Every (route, hostile body) pair, with an ID naming both."""
    cases = []
    for app, method, path, body in ROUTES:
        route = f"{app}-{method}-{path.split('/connect/')[0].replace('/enterprises/' + TOKENS['slug'], '/ent')}"
        route += "-connect" if "/connect/servers/" in path else ""
        route = route.replace(f"/{_ORG}", "/org")
        raw = {"deep": "[" * 100_000 + "]" * 100_000, "not-an-object": "[1, 2]", "bare-string": '"x"',
               "nan": '{"a": NaN}', "bad-utf8": b'{"a": "\xff"}'}
        cases += [pytest.param(app, method, path, data, id=f"{route}-{name}") for name, data in raw.items()]
        for where in _strings(body):
            for name, spoil in SPOILERS.items():
                if name == "wrong-type" and (path == "/_mock/clock/advance" or where == ("body",)):
                    continue  # advance: numbers are its fields ("huge" puts text there); a fault's body is any JSON
                data = json.dumps(_spoilt(body, where, spoil))
                cases.append(pytest.param(app, method, path, data, id=f"{route}-{'.'.join(map(str, where))}-{name}"))
    return cases


@pytest.fixture(scope="module")
def apps() -> Any:
    built = {"ghes": ghes_app(), "ghec": ghec_app()}
    yield built
    for app in built.values():
        app.extensions["mock"].db.close()


@pytest.mark.parametrize(("app_name", "method", "path", "data"), _cases())
def test_hostile_body_is_a_4xx_and_changes_nothing(apps: dict, app_name: str, method: str, path: str,
                                                    data: str | bytes) -> None:
    client = apps[app_name].test_client()
    headers = ghes_admin() if app_name == "ghes" else auth(TOKENS["owner" if path.startswith(OWNER_PATHS)
                                                                     else "connect"])
    before = snapshot(client)
    response = client.open(path, method=method, data=data, content_type="application/json", headers=headers,
                           environ_base=LOOPBACK)
    assert 400 <= response.status_code < 500, response.get_data()[:300]
    scim_error = path.startswith("/scim/") and (response.get_json(silent=True) or {}).get("schemas") == [
        "urn:ietf:params:scim:api:messages:2.0:Error"]  # a SCIM route answers SCIM's error, as GitHub describes
    assert is_github_error(response) or scim_error, response.get_data()[:300]
    assert snapshot(client) == before


def test_every_case_has_a_unique_id() -> None:
    ids = [case.id for case in _cases()]
    assert len(ids) == len(set(ids))
