"""The GitHub.com side as matching sees it: kept by the loader, or built from the tables, it is the loader's.

The loader primes the match index from the scenario in memory; a process that opens a kept
state reads the index the loader kept (a big enterprise's), else builds it from the tables
(cloud_reads.py). All must be the same index, or the first upload after a restart would match
differently from one before it.
"""
from __future__ import annotations

import random
from typing import Any

import pytest

from license_rules.matching import SAML_ATTRIBUTES, CloudAccount, CloudIndex, build_index, index_from_columns
from mock_ghec import cloud_reads, reads
from mock_ghec.orgs_refresh import refresh

#: 1: the demo world; 3: the organization tests' world (every billing rule planted, an EMU enterprise).
SEEDS = (1, 3)


def reference_index(accounts: list[CloudAccount], uses_saml: bool) -> CloudIndex:
    """The index spelled out one address at a time (first one wins), as the rules read."""
    index = CloudIndex(uses_saml=uses_saml, logins=[a.login for a in accounts], account_ids=[a.id for a in accounts])
    for n, account in enumerate(accounts):
        for address in account.verified:
            index.verified.setdefault(address.strip().lower(), n)
        for address in account.unverified:
            index.unverified.setdefault(address.strip().lower(), n)
    if uses_saml:
        for attribute, rule in zip(SAML_ATTRIBUTES, (f"saml:{a}" for a in SAML_ATTRIBUTES), strict=True):
            for n, account in enumerate(accounts):
                for value in (account.identity or {}).get(attribute, ()):
                    if key := (value or "").strip().lower():
                        index.saml.setdefault(key, (n, rule))
    index.primary = {key: (n, "verified_email") for key, n in index.verified.items()}
    index.primary.update(index.saml)
    return index


@pytest.mark.parametrize("seed", SEEDS)
def test_the_cold_build_is_the_loaders_index(make_app: Any, seed: int) -> None:
    """Every enterprise: the index read back from the tables equals the one the loader primed."""
    app = make_app(SEED=seed)
    db = app.extensions["mock"].db
    for enterprise in reads.enterprises(db):
        primed = reads.cloud_side_of(db, enterprise["id"])
        reads._cloud_cache.clear()
        cold = reads.cloud_side_of(db, enterprise["id"])
        assert cold is not primed
        assert cold.index == primed.index and cold.account_ids == primed.account_ids


def test_build_index_is_the_rules_spelled_out() -> None:
    """Repeated addresses (across accounts, case and whitespace only), empty identity values and
    an address claimed by several attributes: the columns give the one-at-a-time answer."""
    pick = random.Random(5)
    pool = [f"{name}@corp.example" for name in ("ann", "bo", "cy", "di", "ed", "fay")]

    def some() -> tuple[str, ...]:
        return tuple(pick.choice([a, a.upper(), f" {a}\t", ""]) for a in pick.sample(pool, pick.randint(0, 3)))

    accounts = []
    for n in range(60):
        identity = ({attribute: some() for attribute in SAML_ATTRIBUTES} if pick.random() < 0.6 else None)
        accounts.append(CloudAccount(100 + n, f"login{n}", some(), some(), identity))
    for uses_saml in (True, False):
        built = build_index(accounts, uses_saml)
        assert built == reference_index(accounts, uses_saml)
        assert built.saml or not uses_saml


def test_columns_in_any_order_give_the_same_index() -> None:
    """The tables are read in their own order, not row order: shuffled columns, the same index."""
    pick = random.Random(11)
    pool = [f"{name}@corp.example" for name in ("ann", "bo", "cy", "di")]
    accounts = [CloudAccount(n, f"l{n}", tuple(pick.sample(pool, 2)), tuple(pick.sample(pool, 1)),
                             {a: (pick.choice(pool),) for a in SAML_ATTRIBUTES}) for n in range(30)]

    def shuffled(pairs: list[tuple[int, str]]) -> tuple[list[int], list[str]]:
        pick.shuffle(pairs)
        return [n for n, _ in pairs], [v for _, v in pairs]

    identity = {a: shuffled([(n, x.identity[a][0]) for n, x in enumerate(accounts) if x.identity])
                for a in SAML_ATTRIBUTES}
    index = index_from_columns([a.id for a in accounts], [a.login for a in accounts],
                               shuffled([(n, v) for n, a in enumerate(accounts) for v in a.verified]),
                               shuffled([(n, v) for n, a in enumerate(accounts) for v in a.unverified]),
                               identity, True)
    assert index == build_index(accounts, True) == reference_index(accounts, True)


@pytest.fixture
def keep_all(monkeypatch: Any) -> None:
    """Every enterprise's index kept by the loader (the threshold is for big ones)."""
    monkeypatch.setattr(cloud_reads, "KEEP_AT", 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_kept_index_is_the_loaders(make_app: Any, keep_all: None, seed: int) -> None:
    """Read back from `ghec_cloud_index`, the index is the loader's, and so is the one from the tables."""
    app = make_app(SEED=seed)
    db = app.extensions["mock"].db
    for enterprise in reads.enterprises(db):
        primed = reads.cloud_side_of(db, enterprise["id"])
        kept = cloud_reads.kept(db, enterprise["id"], db.get_kv(reads.GENERATION_KEY) or "")
        assert kept is not None and kept.index == primed.index and kept.account_ids == primed.account_ids
        assert cloud_reads.from_tables(db, enterprise["id"]).index == primed.index
        reads._cloud_cache.clear()
        assert reads.cloud_side_of(db, enterprise["id"]).index == primed.index


def test_the_kept_index_is_the_same_bytes_in_any_order() -> None:
    """The same index, its addresses met in another order: the same row (the state is a function of the world)."""
    accounts = [CloudAccount(n, f"l{n}", (f"a{n}@x.example", f"b{n}@x.example"), (f"c{n}@x.example",),
                             {a: (f"{a}{n}@x.example",) for a in SAML_ATTRIBUTES}) for n in range(20)]
    flipped = [CloudAccount(a.id, a.login, a.verified[::-1], a.unverified, a.identity) for a in accounts]
    assert cloud_reads.kept_row(build_index(accounts, True)) == cloud_reads.kept_row(build_index(flipped, True))


def test_a_change_to_the_accounts_deletes_the_kept_index(make_app: Any, keep_all: None) -> None:
    """orgs_refresh (every change to the accounts, and a restore) deletes the row with the generation it replaces."""
    app = make_app()
    db = app.extensions["mock"].db
    enterprise_id = reads.enterprises(db)[0]["id"]
    generation = db.get_kv(reads.GENERATION_KEY) or ""
    assert cloud_reads.kept(db, enterprise_id, generation) is not None
    with db.transaction() as conn:
        refresh(db, conn, enterprise_id, None)
    assert db.one("SELECT count(*) FROM ghec_cloud_index WHERE enterprise_id = ?", (enterprise_id,))[0] == 0
    assert reads.cloud_side_of(db, enterprise_id).index == cloud_reads.from_tables(db, enterprise_id).index


def test_a_kept_index_of_another_generation_is_not_used(make_app: Any, keep_all: None) -> None:
    """A row left behind (older code changed the accounts without deleting it) counts for nothing once
    the generation moved on: the index is built from the tables."""
    app = make_app()
    db = app.extensions["mock"].db
    enterprise_id = reads.enterprises(db)[0]["id"]
    db.set_kv(reads.GENERATION_KEY, "moved-on")
    assert cloud_reads.kept(db, enterprise_id, "moved-on") is None
    assert db.one("SELECT count(*) FROM ghec_cloud_index WHERE enterprise_id = ?", (enterprise_id,))[0] == 1
    reads._cloud_cache.clear()
    assert reads.cloud_side_of(db, enterprise_id).index == cloud_reads.from_tables(db, enterprise_id).index
