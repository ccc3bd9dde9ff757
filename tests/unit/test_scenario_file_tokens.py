"""Tokens a scenario file declares (`tokens:`, format 1.0.1): loaded, derived from the seed, dumped
back, and every mistake reported at once; a 1.0.0 file still loads but cannot declare them."""
from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.file import ScenarioFileError, load_document, load_path, load_text
from scenarios.file.builder import World
from scenarios.file.dump import dump_document
from scenarios.model import DeclaredToken
from scenarios.tokens import token_for
from scenarios.truth import digest

TOKENS = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios" / "tokens.yaml"


def test_declared_tokens_are_issued_with_their_kinds_prefix() -> None:
    world = load_path(TOKENS)
    corp, ghes = world.enterprises[0], world.ghes[0]
    assert corp.tokens == [DeclaredToken("license-reader", "classic", "corp-admin", ("read:enterprise",)),
                           DeclaredToken("provisioning-app", "installation", "corp-admin", None),
                           DeclaredToken("alice", "classic", "alice-gh", None)]
    assert [t.key for t in ghes.tokens] == ["exporter", "pat"]
    assert world.tokens["ghec:corp:token:provisioning-app:installation"].startswith("ghs_")
    assert world.tokens["ghes:1:token:pat:fine_grained"].startswith("github_pat_")
    assert world.tokens["ghes:1:token:exporter:classic"] == token_for(world.seed, "ghes:1:token:exporter:classic")


def test_a_dump_keeps_the_declared_tokens() -> None:
    world = load_path(TOKENS)
    document = dump_document(world)
    assert document["enterprises"][0]["tokens"][0] == {"key": "license-reader", "kind": "classic",
                                                       "login": "corp-admin", "scopes": ["read:enterprise"]}
    assert digest(load_document(document)) == digest(world)


BAD = '''version: "{version}"
enterprises:
  - slug: e
    accounts: [{{login: o, enterprise_owner: true}}]
    tokens:
      - {{key: ci}}
      - {{key: CI, kind: installation, scopes: [repo]}}
      - {{key: x, login: nobody}}
'''


def test_every_token_mistake_at_once() -> None:
    with pytest.raises(ScenarioFileError) as caught:
        load_text(BAD.format(version="1.0.1"))
    assert [str(p) for p in caught.value.problems] == [
        "$.enterprises[0].tokens[1].key: token 'CI' is declared twice here",
        "$.enterprises[0].tokens[1].scopes: only classic and oauth_app tokens have scopes, not installation",
        "$.enterprises[0].tokens[2].login: 'nobody' is not an account here"]


def test_a_1_0_0_file_loads_but_cannot_declare_tokens() -> None:
    load_text('version: "1.0.0"\nenterprises: [{slug: e, accounts: [{login: o, enterprise_owner: true}]}]\n')
    with pytest.raises(ScenarioFileError) as caught:
        load_text('version: "1.0.0"\nenterprises: [{slug: e, accounts: [{login: o, enterprise_owner: true}], '
                  'tokens: [{key: ci}]}]\n')
    assert [str(p) for p in caught.value.problems] == [
        "$.enterprises[0].tokens: tokens need version 1.0.1 or later (this file says 1.0.0)"]


def test_the_inline_builder_declares_tokens_as_a_file_does() -> None:
    """`World.token` writes the same `tokens:` entry a file would, on one enterprise or instance."""
    world = World("small", seed=5)
    world.token("ci", "fine_grained", enterprise=1)
    world.token("exporter", instance=1, scopes=["site_admin"])
    built = load_document(world.document())
    main = built.enterprises[0]
    assert main.tokens == [DeclaredToken("ci", "fine_grained", main.owner_login, None)]
    assert built.ghes[0].tokens == [DeclaredToken("exporter", "classic", built.ghes[0].admin_login, ("site_admin",))]
    assert built.tokens[f"ghec:{main.slug}:token:ci:fine_grained"].startswith("github_pat_")
    with pytest.raises(ValueError, match="exactly one"):
        world.token("both", enterprise=1, instance=1)
