"""Property tests (hypothesis): random small scenarios, random upload orders, against GHEC's documented rules.

The expectation is computed HERE from the written rules (DOMAIN §4, docs/ghec.md "Matching"),
not from mock_ghec's matcher: every GitHub.com account of the enterprise is one row; a server
account merges by its primary email into the account whose linked identity has it (SAML
enterprises; attribute order name, emailaddress, username, NameID, emails; then login order),
else into the account with it as a verified email (login order), else into the GHES-only row
of that (trimmed, case-folded) address. sync_client's independent dedupe gives a second opinion
on the total. Properties: consumed = that partition, upload order does not matter, re-upload
is idempotent, and a real GHES export round-trips every user id and primary email.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rel_helpers import all_rows, auth, canonical, export, ghec_tokens

import scenarios
from mock_ghec import create_app as create_ghec
from mock_ghes import create_app as create_ghes
from sync_client.dedupe import ServerAccount, expected_dedupe

SETTINGS = settings(max_examples=30, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
ATTRIBUTES = ("name_claim", "emailaddress_claim", "username", "name_id", "emails")
params = st.fixed_dictionaries({"people": st.integers(16, 40), "ghes_instances": st.integers(1, 3),
                                "overlap": st.sampled_from([0.3, 0.6, 0.9]), "edge_cases": st.booleans()})


def norm(address: str) -> str:
    """The documented comparison key."""
    return address.strip().lower()


def expected_partition(enterprise: Any, accounts: list[tuple[str, int, str]]) -> dict[str, set[str]]:
    """row key ("ghec:<login>" / "email:<addr>") -> {"host:id"}, from the rules as written."""
    members = sorted(enterprise.members, key=lambda m: (m.login.lower(), m.id))
    by_identity: dict[str, str] = {}
    if enterprise.uses_saml:
        for attribute in ATTRIBUTES:
            for m in members:
                if m.identity is None:
                    continue
                values = getattr(m.identity, attribute)
                for value in values if isinstance(values, list) else [values]:
                    if value and norm(value):
                        by_identity.setdefault(norm(value), m.login)
    by_verified: dict[str, str] = {}
    for m in members:
        for address in m.verified_emails:
            by_verified.setdefault(norm(address), m.login)
    rows: dict[str, set[str]] = {f"ghec:{m.login}": set() for m in members}
    for host, uid, primary in accounts:
        login = by_identity.get(norm(primary)) or by_verified.get(norm(primary))
        rows.setdefault(f"ghec:{login}" if login else f"email:{norm(primary)}", set()).add(f"{host}:{uid}")
    return rows


def actual_partition(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The same partition read back from consumed-licenses."""
    out = {}
    for row in rows:
        key = (f"ghec:{row['github_com_login']}" if row["github_com_user"]
               else f"email:{norm(row['enterprise_server_emails'][0])}")
        assert key not in out, f"two rows for {key}"
        out[key] = set(row["enterprise_server_user_ids"])
    return out


def consuming(instance: Any) -> list[dict[str, Any]]:
    """The users a GHES exports (active accounts: no suspended, ghost or scim-admin)."""
    return [{"id": u.id, "emails": [{"address": e.address, "primary": e.primary} for e in u.emails]}
            for u in instance.users if u.kind in ("user", "bot") and not u.suspended]


@pytest.fixture(scope="module")
def ghec() -> Iterator[Flask]:
    """One GHEC; each example loads its own scenario through the control plane."""
    app = create_ghec({"TESTING": True, "SCENARIO": "small", "JOURNAL": False})
    yield app
    app.extensions["mock"].db.close()


@pytest.fixture(scope="module")
def ghes() -> Iterator[Flask]:
    """One GHES; each example loads its own scenario and instance through the control plane."""
    app = create_ghes({"TESTING": True, "SCENARIO": "small", "JOURNAL": False})
    yield app
    app.extensions["mock"].db.close()


def _load(client: Any, seed: int, p: dict[str, Any], **extra: Any) -> None:
    """Switch an app to the example's scenario."""
    answer = client.put("/_mock/scenario", json={"seed": seed, "preset": "small", "params": p, **extra})
    assert answer.status_code == 200, answer.get_json()


def _reader(client: Any) -> Any:
    """all_rows' `get` over the test client."""
    return lambda path, headers: (lambda r: (r.status_code, r.get_json()))(client.get(path, headers=headers))


@SETTINGS
@given(seed=st.integers(0, 2**31), p=params, data=st.data())
def test_consumed_is_unique_people_whatever_the_order(ghec: Flask, seed: int, p: dict[str, Any], data: Any) -> None:
    try:
        scenario = scenarios.build(seed, "small", **p)
    except ValueError:
        assume(False)  # a combination the generator refuses (too few people for the instances)
    t = ghec_tokens(scenario)
    files = [export(g.server_id, g.host_name, consuming(g), encrypted=bool(g.index % 2)) for g in scenario.ghes]
    order = data.draw(st.permutations(range(len(files))), label="upload order")
    again = data.draw(st.lists(st.sampled_from(range(len(files))), max_size=2), label="re-uploads")
    client, headers = ghec.test_client(), {**auth(t["owner"]), "Content-Type": "application/json"}
    _load(client, seed, p)
    for index in [*order, *again]:
        answer = client.post(f"/enterprises/{t['slug']}/server-usage", data=files[index], headers=headers)
        assert answer.status_code == 201
    rows = all_rows(_reader(client), t["slug"], t["owner"])
    accounts = [(g.host_name, u["id"], next(e["address"] for e in u["emails"] if e["primary"]))
                for g in scenario.ghes for u in consuming(g)]
    enterprise = scenario.enterprises[0]
    assert actual_partition(rows) == expected_partition(enterprise, accounts)
    second_opinion = expected_dedupe(enterprise, [ServerAccount(h, "", i, e) for h, i, e in accounts])
    assert len(rows) == second_opinion.total
    # Order does not matter and re-uploads change nothing: the canonical order gives identical rows.
    _load(client, seed, p)
    for body in files:
        client.post(f"/enterprises/{t['slug']}/server-usage", data=body, headers=headers)
    assert canonical(all_rows(_reader(client), t["slug"], t["owner"])) == canonical(rows)


@SETTINGS
@given(seed=st.integers(0, 2**31), p=params, data=st.data())
def test_an_export_round_trips_every_id_and_primary_email(ghec: Flask, ghes: Flask, seed: int, p: dict[str, Any],
                                                         data: Any) -> None:
    try:
        scenario = scenarios.build(seed, "small", **p)
    except ValueError:
        assume(False)
    instance = data.draw(st.integers(1, len(scenario.ghes)), label="instance")
    encrypted = data.draw(st.booleans(), label="encrypted")
    t = ghec_tokens(scenario)
    ghes_client, ghec_client = ghes.test_client(), ghec.test_client()
    _load(ghes_client, seed, p, instance=instance)
    _load(ghec_client, seed, p)
    admin = ghes.extensions["ghes"].runtime.tokens()["admin"]
    exported = ghes_client.get(f"/api/v3/enterprise/license-usage/export?encrypted={str(encrypted).lower()}",
                               headers=auth(admin))
    assert exported.status_code == 200
    truth = {u["id"]: u for u in ghes_client.get("/_mock/users").get_json() if u["consumes_license"]}
    host = scenario.ghes[instance - 1].host_name
    answer = ghec_client.post(f"/enterprises/{t['slug']}/server-usage", data=exported.data,
                              headers={**auth(t["owner"]), "Content-Type": "application/json"})
    assert answer.status_code == 201 and answer.get_json()["users_received"] == len(truth)
    rows = all_rows(_reader(ghec_client), t["slug"], t["owner"])
    where = {key: row for row in rows for key in row["enterprise_server_user_ids"]}
    assert {k for k in where if k.startswith(f"{host}:")} == {f"{host}:{uid}" for uid in truth}
    for uid, user in truth.items():
        row = where[f"{host}:{uid}"]
        assert norm(user["primary_email"]) in {norm(e) for e in row["enterprise_server_emails"]}
