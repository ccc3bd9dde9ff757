"""`World`: a scenario file's document built in a few lines of Python, for one-off cases in a test.

    world = World()                                   # the generated "small" world, plus:
    bob = world.person("Bob Stone")
    world.ghes_account(bob, "bob", "bob@corp.example")            # the first address is primary
    world.github_account(bob, "bob-gh", verified=["bob@home.example"])
    ghes.load_scenario(world=world); ghec.load_scenario(world=world)

It writes exactly what a file would say (`document()`), so it is loaded and checked by the
same code as a file, with the same problems for the same mistakes.
"""
from __future__ import annotations

import copy
from typing import Any

from .schemas import FORMAT_VERSION


class World:
    """A scenario file's document under construction: generated people (optional) plus declared ones."""

    def __init__(self, preset: str | None = "small", *, seed: int = 1, **params: Any) -> None:
        """Start from the generated `preset` with `params` (None: nothing generated, declare it all)."""
        self._doc: dict[str, Any] = {"version": FORMAT_VERSION, "seed": seed, "people": [],
                                     "enterprises": [], "ghes": []}
        if preset is not None:
            self._doc["generate"] = {"preset": preset, **params}

    def person(self, name: str, key: str | None = None, **fields: Any) -> str:
        """Declare a person (the ground truth tying accounts together); returns the key to refer to them."""
        key = key or name.lower().replace(" ", "-")
        self._doc["people"].append({"id": key, "name": name, **fields})
        return key

    def _entry(self, side: str, index: int) -> dict[str, Any]:
        """The enterprises[]/ghes[] entry at 1-based `index` (earlier positions filled as needed)."""
        entries = self._doc[side]
        while len(entries) < index:
            entries.append({})
        return entries[index - 1]

    def enterprise(self, index: int = 1, **fields: Any) -> dict[str, Any]:
        """Set the enterprise's own fields (slug, saml, managed_users, organizations, ...)."""
        entry = self._entry("enterprises", index)
        entry.update(fields)
        return entry

    def instance(self, index: int = 1, **fields: Any) -> dict[str, Any]:
        """Set a GHES instance's own fields (host_name, seats, version, ...)."""
        entry = self._entry("ghes", index)
        entry.update(fields)
        return entry

    def ghes_account(self, person: str | None, login: str, *emails: str, instance: int = 1,
                     **fields: Any) -> dict[str, Any]:
        """A GHES account on instance `instance`; the first email is its primary."""
        account = {"login": login, "emails": [{"address": a, "primary": n == 0} for n, a in enumerate(emails)],
                   **({"person": person} if person is not None else {}), **fields}
        self._entry("ghes", instance).setdefault("accounts", []).append(account)
        return account

    def github_account(self, person: str | None, login: str, *, verified: list[str] | tuple[str, ...] = (),
                       unverified: list[str] | tuple[str, ...] = (), orgs: dict[str, str] | None = None,
                       saml_name_id: str | None = None, enterprise: int = 1, **fields: Any) -> dict[str, Any]:
        """A GitHub.com account of the enterprise; `orgs` defaults to member of its first organization."""
        account: dict[str, Any] = {"login": login, "emails": [{"address": a} for a in verified]
                                   + [{"address": a, "verified": False} for a in unverified], **fields}
        if person is not None:
            account["person"] = person
        account["orgs"] = orgs if orgs is not None else {self._first_org(enterprise): "member"}
        if saml_name_id is not None:
            account["saml"] = {"name_id": saml_name_id}
        self._entry("enterprises", enterprise).setdefault("accounts", []).append(account)
        return account

    def token(self, key: str, kind: str = "classic", *, enterprise: int | None = None, instance: int | None = None,
              scopes: list[str] | None = None, login: str | None = None) -> dict[str, Any]:
        """A token of an enterprise (`enterprise=`) or of a GHES instance (`instance=`) besides the printed
        ones (format 1.0.1): held by `login` [the owner / site admin], with `scopes` [the holder's]."""
        if (enterprise is None) == (instance is None):
            raise ValueError("a token belongs to exactly one of enterprise= and instance=")
        entry = self._entry("enterprises", enterprise) if enterprise is not None else self._entry("ghes", instance or 1)
        token = {"key": key, "kind": kind, **({"scopes": list(scopes)} if scopes is not None else {}),
                 **({"login": login} if login is not None else {})}
        entry.setdefault("tokens", []).append(token)
        return token

    def _first_org(self, enterprise: int) -> str:
        """The enterprise's first organization: declared here, or the generated world's."""
        declared = self._entry("enterprises", enterprise).get("organizations") or []
        if declared:
            return str(declared[0]["name"])
        if "generate" not in self._doc:
            raise ValueError("declare an organization first (world.enterprise(organizations=[{'name': ...}])) "
                             "or pass orgs=")
        from .. import build as build_generated

        spec = self._doc["generate"]
        generated = build_generated(self._doc["seed"], spec["preset"], **{k: v for k, v in spec.items()
                                                                          if k != "preset"})
        return generated.enterprises[enterprise - 1].organizations[0]

    def document(self) -> dict[str, Any]:
        """The scenario file this world is (a deep copy: the builder can go on)."""
        return copy.deepcopy(self._doc)
