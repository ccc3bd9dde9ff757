"""The seeded population: determinism, presets, planted edge cases and data invariants.

No assertion here depends on timing; the `large` build's speed is reported by the benchmark.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import scenarios
from scenarios.names import naive_build_people
from scenarios.tokens import token_for
from scenarios.truth import EDGE_KINDS, describe, digest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r"ghp_[0-9A-Za-z]{36}")
KIND_TOKEN = {"fine_grained": re.compile(r"github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59}"),
              "oauth_app": re.compile(r"gho_[0-9A-Za-z]{36}"), "installation": re.compile(r"ghs_[0-9A-Za-z]{36}")}


def _norm(address: str) -> str:
    """Our documented matching rule for emails: trim + case-insensitive."""
    return address.strip().casefold()


def _claims(member) -> set[str]:
    """Every identity attribute GHEC compares first (DOMAIN.md section 4, step 1)."""
    i = member.identity
    if i is None:
        return set()
    return {_norm(x) for x in (i.name_id, i.username, i.name_claim, i.emailaddress_claim, *i.emails)}


def _merges(primary: str, member) -> bool:
    """Would a correct GHEC merge a GHES account with this primary email into this member's row?"""
    key = _norm(primary)
    return key in _claims(member) or key in {_norm(v) for v in member.verified_emails}


def _digest_in_subprocess(seed: int, preset: str, hashseed: str) -> str:
    """Build in a fresh interpreter with its own hash seed: proves nothing rides on hash()/set order."""
    code = ("import scenarios; from scenarios.truth import digest; "
            f"print(digest(scenarios.build({seed}, {preset!r})))")
    env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_same_seed_same_world_in_two_processes():
    """Other processes (mocks, verify) must rebuild the very same world from the seed."""
    first = _digest_in_subprocess(7, "demo", "1")
    second = _digest_in_subprocess(7, "demo", "4242")
    assert first == second == digest(scenarios.build(7, "demo"))
    assert digest(scenarios.build(8, "demo")) != first


def test_presets_listed_and_buildable():
    """Fixtures and CLIs name presets; each must exist with its documented size."""
    assert {"small", "demo", "edge-cases", "large"} <= set(scenarios.PRESETS)
    assert scenarios.PRESETS["large"].people == 100_000
    for name in ("small", "demo", "edge-cases"):
        s = scenarios.build(1, name)
        assert len(s.people) == scenarios.PRESETS[name].people
        assert len(s.ghes) == scenarios.PRESETS[name].ghes_instances == 2
        assert s.preset == name


@pytest.mark.slow
def test_large_preset_builds():
    """The load-test preset must build and still carry every planted case."""
    s = scenarios.build(1, "large")
    assert len(s.people) == 100_000
    assert len({c.kind for c in s.planted}) == len(EDGE_KINDS)


def test_errors_name_the_valid_choices():
    """A typo in a preset or override must fail loudly, telling the caller what is valid."""
    with pytest.raises(ValueError, match="valid presets: small, demo, edge-cases, large"):
        scenarios.build(1, "huge")
    with pytest.raises(ValueError, match="valid overrides: people, ghes_instances, overlap"):
        scenarios.build(1, "small", users=3)
    for bad in ({"overlap": 1.5}, {"people": 0}, {"ghes_instances": 0}, {"locales": ("xx_XX",)},
                {"people": 5}, {"overlap": 0.0}):
        with pytest.raises(ValueError):
            scenarios.build(1, "small", **bad)


def test_overrides_apply(demo):
    """Overrides are how tests shape a world; each must take effect."""
    s = scenarios.build(1, "demo", people=60, ghes_instances=3, locales=["ja_JP", "zh_CN"])
    assert len(s.people) == 60 and len(s.ghes) == 3
    assert {p.locale for p in s.people} == {"ja_JP", "zh_CN"}
    assert s.params.locales == ("ja_JP", "zh_CN")
    assert scenarios.build(1, "small", edge_cases=False, overlap=0.0).planted == []


def test_every_edge_case_is_planted_and_recorded(edge):
    """Tests find edge cases through `planted`/`describe`, so all must be listed."""
    assert [c.kind for c in edge.planted] == list(EDGE_KINDS)
    assert {c["kind"] for c in describe(edge)["edge_cases"]} == set(EDGE_KINDS)


def test_edge_cases_are_what_they_claim(edge):
    """Each planted case must really have the data shape it claims, checked from the data."""
    main = edge.enterprises[0]
    assert main.uses_saml
    members = {m.person_id: m for m in main.members}
    users = {(inst.index, u.login): u for inst in edge.ghes for u in inst.users}
    for case in edge.planted:
        accounts = [users[k] for k in case.ghes_logins]
        primary = accounts[0].primary_email
        member = members.get(case.person_id)
        if case.kind == "two-instances-same-email":
            assert member is None and {k for k, _ in case.ghes_logins} == {1, 2}
            assert len({u.login for u in accounts}) == 2
            assert len({u.primary_email for u in accounts}) == 1
            assert all(m.person_id != case.person_id for e in edge.enterprises for m in e.members)
            continue
        assert member is not None and member.login == case.ghec_login and len(accounts) == 1
        assert _merges(primary, member) is case.expect_merge
        if case.kind == "email-case-only":
            assert primary not in member.verified_emails
            assert _norm(primary) in {_norm(v) for v in member.verified_emails} and member.identity is None
        elif case.kind == "secondary-email-only":
            secondaries = [e.address for e in accounts[0].emails if not e.primary]
            assert set(secondaries) & set(member.verified_emails)
        elif case.kind == "identity-only":
            assert _norm(primary) in _claims(member)
            assert _norm(primary) not in {_norm(v) for v in member.verified_emails}
        elif case.kind == "unverified-email-only":
            assert primary in member.unverified_emails and member.identity is None


def test_edge_cases_preset_has_every_status(edge):
    """UI and license tests need every status present even in a small world."""
    assert edge.ghes[-1].seats == "unlimited" and isinstance(edge.ghes[0].seats, int)
    for inst in edge.ghes:
        humans = [u for u in inst.users if u.kind == "user"]
        assert any(u.suspended for u in humans) and any(u.last_active_at is None for u in humans)
        assert sum(u.site_admin for u in humans) >= 2
    assert any(u.dormant for inst in edge.ghes for u in inst.users)
    roles = {m.role for m in edge.enterprises[0].members}
    assert roles == {"owner", "member", "outside_collaborator", "pending_invitation"}
    members = edge.enterprises[0].members
    assert any(m.visual_studio_subscriber for m in members) and any(not m.two_factor for m in members)


def test_overlap_roughly_honoured():
    """`overlap` drives how many licenses sync can save; it must mean what it says."""
    for overlap in (0.3, 0.6, 0.9):
        d = describe(scenarios.build(5, "demo", people=400, overlap=overlap))["people"]
        assert abs(d["both_sides"] / 400 - overlap) < 0.03
        assert d["both_sides"] + d["ghes_only"] + d["ghec_only"] == 400


def test_names_are_realistic(demo):
    """Non-Latin names must appear, while logins stay ASCII and domains reserved."""
    locales = {p.locale for p in demo.people}
    assert {"ja_JP", "zh_CN"} <= locales
    cjk = [p for p in demo.people if p.locale in ("ja_JP", "zh_CN")]
    assert all(not p.name.isascii() for p in cjk)
    inst = demo.ghes[0]
    assert all(u.login.isascii() for u in inst.users)
    domains = {p.work_email.split("@")[1] for p in demo.people}
    assert len(domains) == 3 and all(d.endswith(".example") for d in domains)


def test_tokens(demo):
    """Servers print and tests rebuild these tokens: keys, shape and determinism matter."""
    keys = set(demo.tokens)
    for k in (1, 2):
        assert {f"ghes:{k}:admin", f"ghes:{k}:member", f"ghes:{k}:manage"} <= keys
    for e in demo.enterprises:  # the owner also holds one token of every other kind (DOMAIN §10)
        assert {f"ghec:{e.slug}:owner", f"ghec:{e.slug}:member", f"connect:{e.slug}"} <= keys
        assert {f"ghec:{e.slug}:owner:{kind}" for kind in (*KIND_TOKEN, "no_scopes")} <= keys
    assert all(KIND_TOKEN.get(key.rsplit(":", 1)[-1], TOKEN).fullmatch(t) for key, t in demo.tokens.items())
    assert len(set(demo.tokens.values())) == len(demo.tokens)
    assert demo.tokens["ghes:1:admin"] == token_for(1, "ghes:1:admin") == token_for(1, "ghes:1:admin")
    assert token_for(2, "ghes:1:admin") != token_for(1, "ghes:1:admin")


def test_describe_is_json(edge):
    """`describe` is served over HTTP and written to files: it must be plain JSON."""
    text = json.dumps(describe(edge))
    summary = json.loads(text)
    assert summary["people"]["total"] == len(edge.people)
    assert [g["seats"] for g in summary["ghes"]][-1] == "unlimited"
    assert summary["ghes"][0]["by_kind"]["ghost"] == 1


def test_naive_baseline_is_deterministic():
    """The benchmark's baseline must be reproducible too, or its figures mean nothing."""
    a, b = naive_build_people(3, 15), naive_build_people(3, 15)
    assert a == b and len(a) == 15
