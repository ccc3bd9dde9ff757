"""The control plane hooks, settings, state persistence, OpenAPI, the row encoder and the CLI."""
from __future__ import annotations

import json

import pytest
from ghec_helpers import all_rows, export_bytes, export_for, reference, upload, user
from openapi_core import OpenAPI

from mock_ghec import create_app
from mock_ghec.cli import banner, build_parser, config_from
from mock_ghec.openapi import openapi_document
from mock_ghec.schemas import ConsumedLicenseSchema, ConsumedLicensesSchema


def test_describe_scenario(client, scenario, main, other):
    """Seed, preset, params and both enterprises with slugs, logins and tokens."""
    info = client.get("/_mock/scenario").get_json()
    assert info["seed"] == 1 and info["preset"] == "demo" and info["params"] == {}
    assert [e["slug"] for e in info["enterprises"]] == [main.slug, other.slug]
    first = info["enterprises"][0]
    assert first["main"] and first["uses_saml"] and first["owner_login"] == main.owner_login
    assert first["tokens"]["owner"] == scenario.tokens[f"ghec:{main.slug}:owner"]
    assert first["tokens"]["connect"] == scenario.tokens[f"connect:{main.slug}"]
    routes = {r["path"] for r in client.get("/_mock/").get_json()}
    assert {"/_mock/explain", "/_mock/explain/summary", "/_mock/ledger"} <= routes


def test_reset_forgets_uploads(client, scenario, main, owner):
    """Reset rebuilds the scenario: no servers, GitHub.com rows only, empty ledger."""
    upload(client, main.slug, owner, export_for(scenario.ghes[0]))
    assert client.post("/_mock/reset").status_code == 204
    status = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner)
    assert status.get_json() == {"server_instances": []}
    assert len(all_rows(client, main.slug, owner)) == len(main.members)
    assert client.get("/_mock/ledger").get_json()["entries"] == []


def test_load_scenario_and_refuse_a_bad_one(client):
    """Another seed rebuilds the state; a bad spec is a 422 that changes nothing."""
    before = client.get("/_mock/snapshot").data
    bad = client.put("/_mock/scenario", json={"seed": 1, "preset": "demo", "params": {"bogus": 1}})
    assert bad.status_code == 422 and client.get("/_mock/snapshot").data == before
    assert client.put("/_mock/scenario", json={"seed": 1, "preset": "nope"}).status_code == 422
    info = client.put("/_mock/scenario", json={"seed": 7, "preset": "small", "params": {}}).get_json()
    assert info["seed"] == 7 and info["preset"] == "small"
    import scenarios
    world = scenarios.build(7, "small")
    headers = {"Authorization": f"token {world.tokens[f'ghec:{world.enterprises[0].slug}:owner']}"}
    body = client.get(f"/enterprises/{world.enterprises[0].slug}/consumed-licenses", headers=headers).get_json()
    assert body["total_seats_consumed"] == len(world.enterprises[0].members)


def test_owner_token_and_enterprise_overrides(make_app, scenario, main):
    """OWNER_TOKEN fixes the main owner's token; ENTERPRISE renames the main enterprise."""
    app = make_app(OWNER_TOKEN="ghp_fixed", ENTERPRISE="acme")
    client = app.test_client()
    ok = client.get("/enterprises/acme/consumed-licenses", headers={"Authorization": "token ghp_fixed"})
    assert ok.status_code == 200 and ok.get_json()["total_seats_consumed"] == len(main.members)
    seeded = {"Authorization": f"token {scenario.tokens[f'ghec:{main.slug}:owner']}"}
    assert client.get("/enterprises/acme/consumed-licenses", headers=seeded).status_code == 401
    member = {"Authorization": f"token {scenario.tokens[f'ghec:{main.slug}:member']}"}
    assert client.get("/enterprises/acme/consumed-licenses", headers=member).status_code == 403
    fixed = {"Authorization": "token ghp_fixed"}
    assert client.get(f"/enterprises/{main.slug}/consumed-licenses", headers=fixed).status_code == 404
    text = banner(app, "http://127.0.0.1:8082", "ghp_fixed")
    assert "ghp_fixed" in text and "/enterprises/acme/settings/license" in text


def test_enterprise_override_cannot_take_another_slug(make_app, other):
    """Renaming the main enterprise to the second one's slug is refused at start, clearly."""
    with pytest.raises(ValueError, match="already another enterprise"):
        make_app(ENTERPRISE=other.slug)


def test_environment_settings(monkeypatch, make_app):
    """MOCK_GHEC_* variables are read (typed by the defaults); unknown config keys are refused."""
    monkeypatch.setenv("MOCK_GHEC_SEED", "7")
    monkeypatch.setenv("MOCK_GHEC_SCENARIO", "small")
    app = make_app()
    assert app.test_client().get("/_mock/scenario").get_json()["seed"] == 7
    with pytest.raises(ValueError):
        create_app({"NO_SUCH_SETTING": 1})
    monkeypatch.setenv("MOCK_GHEC_JOURNAL", "maybe")
    with pytest.raises(ValueError):
        create_app()


def test_state_path_is_served_as_is(tmp_path, make_app, scenario, main, owner):
    """A second app on the same state file serves the uploads, whatever its seed says."""
    path = str(tmp_path / "ghec.sqlite3")
    first = make_app(STATE_PATH=path).test_client()
    upload(first, main.slug, owner, export_for(scenario.ghes[0]))
    rows = all_rows(first, main.slug, owner)
    second = make_app(STATE_PATH=path, SEED=99).test_client()
    assert all_rows(second, main.slug, owner) == rows
    assert second.get("/_mock/scenario").get_json()["seed"] == 1


def test_state_of_another_version_is_refused(tmp_path, make_app):
    """A state file whose tables are of another layout version fails at start, saying what to do."""
    path = str(tmp_path / "old.sqlite3")
    make_app(STATE_PATH=path).extensions["mock"].db.set_kv("ghec_schema_version", "0")
    with pytest.raises(ValueError, match="another version of mock-ghec"):
        make_app(STATE_PATH=path)


def test_snapshot_restore_round_trip(client, scenario, main, owner):
    """Restoring a snapshot brings the rows back (the cached GitHub.com side follows it)."""
    saved = client.get("/_mock/snapshot").get_json()
    upload(client, main.slug, owner, export_for(scenario.ghes[0]))
    assert client.put("/_mock/snapshot", json=saved).status_code == 204
    assert len(all_rows(client, main.slug, owner)) == len(main.members)
    status = client.get(f"/enterprises/{main.slug}/license-sync-status", headers=owner)
    assert status.get_json() == {"server_instances": []}


def test_openapi_covers_every_route_and_github_shapes(client, app):
    """Every route of the app is in the document; GitHub's two schemas equal the reference's types."""
    doc = client.get("/_mock/openapi.json").get_json()
    documented = {path for path in doc["paths"]}
    shared_control = {"/_mock/", "/_mock/reset", "/_mock/scenario", "/_mock/snapshot", "/_mock/journal",
                      "/_mock/faults", "/_mock/faults/{fault_id}", "/_mock/clock", "/_mock/clock/advance",
                      "/_mock/openapi.json", "/_mock/rate-limit", "/static/github/{filename}", "/_mock/scenario/file"}
    for rule in app.url_map.iter_rules():
        path = rule.rule.replace("<int:", "<").replace("<path:", "<").replace("<", "{").replace(">", "}")
        if path in shared_control:
            continue
        assert path in documented, path
    OpenAPI.from_dict(doc)  # a valid OpenAPI document
    ours = doc["components"]["schemas"]
    theirs = reference()["components"]["schemas"]
    their_rows = theirs["get-consumed-licenses"]["properties"]["users"]["items"]["properties"]
    our_rows = ours["consumed-license"]["properties"]
    for name, prop in their_rows.items():
        assert our_rows[name]["type"] == prop["type"], name
        assert bool(our_rows[name].get("nullable")) == bool(prop.get("nullable")), name
        if prop["type"] == "array":
            assert our_rows[name]["items"]["type"] == prop["items"]["type"]
    assert "required" not in ours["consumed-license"] and "required" not in ours["get-consumed-licenses"]
    for name in ("total_seats_consumed", "total_seats_purchased"):
        assert ours["get-consumed-licenses"]["properties"][name]["type"] == "integer"
    sync = ours["get-license-sync-status"]["properties"]["server_instances"]["items"]
    if "$ref" in sync:
        sync = ours[sync["$ref"].rsplit("/", 1)[-1]]
    assert set(sync["properties"]) == {"server_id", "hostname", "last_sync"}
    assert openapi_document() is openapi_document()


def test_row_encoder_agrees_with_marshmallow(client, scenario, main, owner):
    """The compiled templates give exactly marshmallow's dump of the same rows, in field order."""
    for instance in scenario.ghes:
        upload(client, main.slug, owner, export_for(instance))
    upload(client, main.slug, owner, export_bytes("11111111-1111-4111-8111-111111111111", "x.example",
                                                  [user(1, main.members[0].verified_emails[0]),
                                                   user(2, "dup@n.example"), user(3, "DUP@n.example")]))
    schema = ConsumedLicenseSchema()
    response = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page=100&page=2", headers=owner)
    rows = all_rows(client, main.slug, owner)
    assert rows
    for row in rows:
        loaded = schema.load(row)
        assert schema.dump(loaded) == row
        assert list(row) == list(schema.fields)
    page = json.loads(response.data)
    assert ConsumedLicensesSchema().dump(ConsumedLicensesSchema().load(page)) == page


def test_cli_parser_maps_flags_to_settings():
    """Flags become settings; unset flags leave the environment alone."""
    args = build_parser().parse_args(["serve", "--seed", "3", "--scenario", "small", "--owner-token", "T",
                                      "--enterprise", "acme", "--control-key", "K", "--no-journal"])
    assert config_from(args) == {"SEED": 3, "SCENARIO": "small", "OWNER_TOKEN": "T", "ENTERPRISE": "acme",
                                 "CONTROL_KEY": "K", "JOURNAL": False}
    assert config_from(build_parser().parse_args(["serve"])) == {}


def test_banner_lists_the_four_tokens(app, scenario, main, other):
    """Owner, plain member, the second enterprise's owner, and the Connect token."""
    text = banner(app, "http://127.0.0.1:8082", None)
    for key in (f"ghec:{main.slug}:owner", f"ghec:{main.slug}:member", f"ghec:{other.slug}:owner",
                f"connect:{main.slug}"):
        assert scenario.tokens[key] in text
    assert "http://127.0.0.1:8082/_mock/" in text


def test_control_key(make_app):
    """With a control key, /_mock/ needs it."""
    client = make_app(CONTROL_KEY="sekrit").test_client()
    assert client.get("/_mock/ledger").status_code == 403
    assert client.get("/_mock/ledger", headers={"X-Mock-Control-Key": "sekrit"}).status_code == 200
