"""Scenario files: the format's published schema, loading YAML and JSON alike, and every problem at once."""
from __future__ import annotations

import json
from pathlib import Path

import fastjsonschema
import pytest
import yaml

import scenarios
from scenarios.file import ScenarioFileError, load_document, load_path, load_text
from scenarios.file.json_schema import SCHEMA_ID, SCHEMA_PATH, scenario_schema_files
from scenarios.file.schemas import FORMAT_VERSION
from scenarios.truth import digest

ROOT = Path(__file__).resolve().parents[2]
ALICE = ROOT / "fixtures" / "scenarios" / "alice.yaml"


def test_published_schema_is_what_the_marshmallow_schemas_derive() -> None:
    for path, text in scenario_schema_files().items():
        assert path.read_text(encoding="utf-8") == text, \
            f"{path.relative_to(ROOT)} is stale; regenerate with .venv/bin/python tools/gen_schema.py"


def test_published_schema_has_an_id_and_the_version() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"] == SCHEMA_ID and SCHEMA_PATH.name == "1-0-1.json"
    assert schema["properties"]["version"]["enum"] == ["1.0.0", FORMAT_VERSION]  # 1.0.0 files still load
    assert all(d["additionalProperties"] is False for d in schema["$defs"].values())


def test_published_schema_accepts_the_alice_file_and_refuses_an_unknown_key() -> None:
    validate = fastjsonschema.compile(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    document = yaml.safe_load(ALICE.read_text())
    validate(document)
    document["enterprises"][0]["accounts"][0]["colour"] = "blue"
    with pytest.raises(fastjsonschema.JsonSchemaException):
        validate(document)


def test_yaml_and_json_state_the_same_world() -> None:
    from_yaml = load_path(ALICE)
    from_json = load_text(json.dumps(yaml.safe_load(ALICE.read_text())), "alice.json")
    assert digest(from_yaml) == digest(from_json)
    assert isinstance(from_yaml, scenarios.Scenario) and from_yaml.preset == "file"


def test_the_alice_file_states_exactly_her_case() -> None:
    world = load_path(ALICE)
    (alice_ghes,) = [u for u in world.ghes[0].users if u.login == "alice"]
    (alice_gh,) = [m for m in world.enterprises[0].members if m.login == "alice-gh"]
    assert alice_ghes.primary_email == "alice@corp.example" and alice_ghes.person_id == alice_gh.person_id
    assert alice_gh.unverified_emails == ["alice@corp.example"] and alice_gh.verified_emails == ["alice@home.example"]
    assert alice_gh.identity is not None and alice_gh.identity.name_id == "alice@corp.example"
    identity = alice_gh.identity
    assert (identity.name_claim, identity.emailaddress_claim, identity.emails) == ("", "", [])
    assert world.enterprises[0].owner_login == "corp-admin" and world.ghes[0].admin_login == "ghes-admin"


BAD = """\
version: "1.0.0"
colour: blue
people:
  - {id: bob, name: Bob}
enterprises:
  - slug: corp
    organizations: [{name: eng, repositories: [{name: app}]}]
    accounts:
      - {login: boss, enterprise_owner: true, emails: [{address: a@x.example}], orgs: {eng: admin}}
      - {login: bob, person: bobby, emails: [{address: A@x.example}], collaborator_on: [eng/api], orgs: {ops: member}}
ghes:
  - host_name: h
    accounts:
      - login: root
        site_admin: true
        emails: [{address: r@x.example, primary: true}, {address: s@x.example, primary: true}]
"""


def test_every_problem_is_reported_at_once_as_path_and_message() -> None:
    with pytest.raises(ScenarioFileError) as caught:
        load_text(BAD)
    assert [str(p) for p in caught.value.problems] == [
        "$.colour: unknown key",
        "$.enterprises[0].accounts[0].orgs.eng: must be one of: owner, member, billing_manager",
        "$.enterprises[0].accounts[1].collaborator_on: unknown repository 'eng/api': not in any "
        "organizations[].repositories",
        "$.enterprises[0].accounts[1].emails[0].address: A@x.example is already an email of boss (an address "
        "belongs to one GitHub.com account)",
        "$.enterprises[0].accounts[1].orgs: unknown organization 'ops'; this enterprise's: eng",
        "$.enterprises[0].accounts[1].person: unknown person 'bobby': not in people[]",
        "$.ghes[0].accounts[0].emails: 2 primary emails (emails[0] and emails[1]); an account has exactly one",
    ]


@pytest.mark.parametrize("text, expected", [
    ("version: 2.0.0\n", "$.version: must be one of: 1.0.0, 1.0.1"),
    ("{not json", "$: not valid YAML or JSON"),
    ("[1, 2]", "$: a scenario file is a mapping"),
    ('version: "1.0.0"\nenterprises: [{slug: e, accounts: [{login: a}]}]\n',
     "$.enterprises[0].accounts: no enterprise owner"),
    ('version: "1.0.0"\nenterprises: [{slug: e, accounts: [{login: o, enterprise_owner: true, suspended: true}]}]\n',
     "$.enterprises[0].accounts[0].suspended: only managed users"),
    ('version: "1.0.0"\nghes: [{accounts: [{login: a, site_admin: true, emails: [{address: a@b.example}]}]}]\n',
     "$.ghes[0].host_name: required (no generated instance at this position)"),
    ('version: "1.0.0"\nghes: [{host_name: h, accounts: [{login: a, emails: [{address: a@b.example}]}]}]\n',
     "$.ghes[0].accounts: no site admin"),
], ids=["wrong-version", "not-yaml", "not-a-mapping", "no-owner", "suspended-without-emu", "no-host", "no-admin"])
def test_one_mistake_one_clear_problem(text: str, expected: str) -> None:
    with pytest.raises(ScenarioFileError) as caught:
        load_text(text)
    assert any(str(p).startswith(expected) for p in caught.value.problems), caught.value.problems


def test_generate_fills_generated_people_around_the_declared_ones() -> None:
    document = yaml.safe_load(ALICE.read_text())
    del document["enterprises"][0]["slug"], document["ghes"][0]["host_name"]
    document["generate"] = {"preset": "small", "people": 40}
    world = load_document(document)
    generated = scenarios.build(1, "small", people=40)
    assert len(world.people) == 41 and world.people[-1].name == "Alice Liddell"
    assert world.people[-1].id == 41
    assert world.enterprises[0].slug == generated.enterprises[0].slug
    assert len(world.enterprises[0].members) == len(generated.enterprises[0].members) + 2
    assert world.ghes[0].users[-1].login == "alice" and world.ghes[0].users[-1].id == len(world.ghes[0].users)


def test_the_seed_of_the_file_derives_its_tokens() -> None:
    a, b = load_text(ALICE.read_text()), load_document({**yaml.safe_load(ALICE.read_text()), "seed": 9})
    assert a.tokens["ghec:corp:owner"] != b.tokens["ghec:corp:owner"]
    assert b.tokens["ghes:1:admin"] == scenarios.tokens.token_for(9, "ghes:1:admin")


@pytest.mark.parametrize("name", ["small", "demo", "edge-cases"])
def test_each_preset_is_a_packaged_scenario_file_that_builds_the_same_world(name: str) -> None:
    from scenarios.presets import preset_file

    packaged = preset_file(name)
    assert packaged.is_file()
    assert digest(load_text(packaged.read_text(encoding="utf-8"), f"{name}.yaml")) == digest(scenarios.build(1, name))


def test_the_preset_table_is_read_from_the_packaged_files() -> None:
    from scenarios.presets import PRESET_ORDER, preset_file

    assert tuple(scenarios.PRESETS) == PRESET_ORDER
    large = yaml.safe_load(preset_file("large").read_text(encoding="utf-8"))["generate"]
    assert scenarios.PRESETS["large"].people == large["people"] == 100_000


@pytest.mark.parametrize("name", ["small", "demo", "edge-cases"])
def test_the_quick_walk_loads_what_marshmallow_loads(name: str) -> None:
    from scenarios.file.dump import dump_document
    from scenarios.file.fast import fast_load
    from scenarios.file.schemas import ScenarioFileSchema

    document = dump_document(scenarios.build(1, name))
    assert fast_load(ScenarioFileSchema(), document) == ScenarioFileSchema().load(document)


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(colour="blue"),
    lambda d: d["ghes"][0]["accounts"][0].update(site_admin="yes"),
    lambda d: d["ghes"][0]["accounts"][0].update(id="7"),
    lambda d: d["ghes"][0]["accounts"][0].update(created_at="2026-01-01T00:00:00"),
    lambda d: d["enterprises"][0]["accounts"][0]["emails"][0].update(address="not-an-email"),
    lambda d: d["enterprises"][0]["accounts"][0].update(orgs={"corp-eng": "admin"}),
], ids=["unknown-key", "boolean-as-string", "id-as-string", "naive-time", "bad-email", "bad-role"])
def test_the_quick_walk_gives_up_where_marshmallow_has_something_to_say(mutate) -> None:
    from scenarios.file.dump import dump_document
    from scenarios.file.fast import fast_load
    from scenarios.file.schemas import ScenarioFileSchema

    document = dump_document(load_path(ALICE))
    mutate(document)
    assert fast_load(ScenarioFileSchema(), document) is None
