"""The seeded population's data invariants, on the presets and on any parameters (hypothesis).

Split from test_scenarios.py (determinism, presets, planted edge cases), which had outgrown one sitting.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from scenarios.names import valid_login

BASE = datetime(2026, 1, 1, tzinfo=UTC)  # the scenarios' "now": every date lies before it


def _check_ghes(s) -> None:
    """Invariants every GHES instance must satisfy, whatever the parameters."""
    canaries = [u.canary for inst in s.ghes for u in inst.users]
    assert len(set(canaries)) == len(canaries) and all(c.startswith("canary-") for c in canaries)
    for inst in s.ghes:
        assert [u.id for u in inst.users] == list(range(1, len(inst.users) + 1))
        logins = [u.login.lower() for u in inst.users]
        assert len(set(logins)) == len(logins) and all(valid_login(x) for x in logins)
        kinds = {u.kind for u in inst.users}
        assert kinds == {"user", "bot", "ghost", "scim-admin"}
        assert {u.login for u in inst.users if u.kind in ("ghost", "scim-admin")} == {"ghost", "scim-admin"}
        assert all(u.person_id is None for u in inst.users if u.kind != "user")
        assert all(u.person_id is not None for u in inst.users if u.kind == "user")
        addresses = [e.address.lower() for u in inst.users for e in u.emails]
        assert len(set(addresses)) == len(addresses)
        for u in inst.users:
            assert sum(e.primary for e in u.emails) == 1 and u.emails[0].primary
            assert u.created_at.tzinfo is UTC and u.created_at < BASE
            if u.last_active_at is not None:
                assert u.created_at <= u.last_active_at <= BASE
                assert u.dormant == (u.last_active_at < BASE - timedelta(days=90))
            else:
                assert not u.dormant
        by_login = {u.login: u for u in inst.users}
        admin, member = by_login[inst.admin_login], by_login[inst.member_login]
        assert admin.site_admin and not admin.suspended and admin.kind == "user"
        assert not member.site_admin and not member.suspended and member.kind == "user"
        assert inst.host_name.startswith(f"ghes-{inst.index}.") and inst.server_id.count("-") == 4


def _check_ghec(s) -> None:
    """Invariants of the GHEC side: global logins, ids, roles and identities."""
    all_members = [m for e in s.enterprises for m in e.members]
    logins = [m.login.lower() for m in all_members]
    assert len(set(logins)) == len(logins) and all(valid_login(x) for x in logins)
    ids = [m.id for m in all_members]
    assert len(set(ids)) == len(ids)
    main, second = s.enterprises[0], s.enterprises[1]
    assert main.uses_saml and not second.uses_saml and main.owner_login != second.owner_login
    assert all(m.identity is None for m in second.members)
    for e in s.enterprises:
        by_login = {m.login: m for m in e.members}
        assert by_login[e.owner_login].enterprise_owner and by_login[e.owner_login].role == "owner"
        member = by_login[e.member_login]
        assert member.role == "member" and not member.enterprise_owner
        for m in e.members:
            assert m.verified_emails and (m.role == "owner") == m.enterprise_owner
            if m.role in ("outside_collaborator", "pending_invitation"):
                assert m.org_roles == [] and m.identity is None
            if m.role == "pending_invitation":
                assert m.pending_invite_orgs
            assert all(r.split(":")[0] in e.organizations for r in m.org_roles)


def _check_people(s) -> None:
    """Every address is on a reserved domain, so no real mailbox can ever be produced."""
    for p in s.people:
        for address in filter(None, (p.work_email, p.personal_email)):
            assert address.endswith(".example") and address == address.lower()
    work = [p.work_email for p in s.people]
    assert len(set(work)) == len(work)


def test_invariants_demo(demo):
    """The default world must satisfy every structural invariant."""
    _check_ghes(demo)
    _check_ghec(demo)
    _check_people(demo)


def test_invariants_edge_cases(edge):
    """The edge-cases world must too, planted cases included."""
    _check_ghes(edge)
    _check_ghec(edge)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), people=st.integers(40, 300), instances=st.integers(1, 4),
       overlap=st.floats(0.2, 0.9))
def test_invariants_hold_for_any_params(seed, people, instances, overlap):
    """Invariants must not depend on lucky parameters."""
    s = scenarios.build(seed, "demo", people=people, ghes_instances=instances, overlap=overlap)
    _check_ghes(s)
    _check_ghec(s)
    _check_people(s)
    assert len({c.kind for c in s.planted}) == (5 if instances > 1 else 4)
