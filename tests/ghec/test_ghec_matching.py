"""The matching rules (DOMAIN §4), as pure functions and on the scenario's planted edge cases."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from ghec_helpers import all_rows, export_bytes, export_for, upload, user

from license_rules.matching import RULE_VERIFIED, CloudAccount, build_index, match, normalise, why_unmatched
from mock_ghec.rows import ENCODER, CloudRows, account_fields, build_rows, make_cloud

ANNA = CloudAccount(1, "anna", verified=("anna@corp.example",), unverified=("anna@home.example",),
                    identity={"name_claim": ("anna.id@corp.example",), "emailaddress_claim": ("a.s@corp.example",),
                              "username": ("anna.s",), "name_id": ("ANNA-NAMEID",), "emails": ("anna2@corp.example",)})
ANNA_MEMBER = SimpleNamespace(login="anna", name="Anna", enterprise_owner=False, role="member",
                              visual_studio_subscriber=False, visual_studio_email="", org_roles=["org:Member"],
                              verified_emails=["anna@corp.example"], identity=None, pending_invite_orgs=[],
                              two_factor=True)
BOB = CloudAccount(2, "bob", verified=("bob@corp.example", "bob@home.example"))


def run(accounts, server_accounts, uses_saml=True):
    """Match and return {account id or primary key: [(user id, rule)]}."""
    result = match(build_index(accounts, uses_saml), server_accounts)
    out = {aid: [(a[2], rule) for a, rule in srcs] for aid, srcs in result.merged.items()}
    out.update({key: [(a[2], "ghes_only") for a in group] for key, group in result.ghes_only.items()})
    return out


def test_normalise_trims_and_ignores_case():
    """Our documented choice: trim + case-insensitive."""
    assert normalise("  Anna@CORP.Example \t") == "anna@corp.example"


def test_case_and_whitespace_only_differences_merge():
    """ANNA@Corp.EXAMPLE on GHES is anna@corp.example on GitHub.com."""
    assert run([ANNA], [("s1", "h1", 10, " ANNA@Corp.EXAMPLE ")]) == {1: [(10, RULE_VERIFIED)]}


@pytest.mark.parametrize("attribute,value", [("name_claim", "anna.id@corp.example"),
                                             ("emailaddress_claim", "A.S@corp.example"),
                                             ("username", "anna.s"), ("name_id", "anna-nameid"),
                                             ("emails", "anna2@corp.example")])
def test_saml_attributes_match_first(attribute, value):
    """Each linked-identity attribute matches, and the rule names it."""
    assert run([ANNA], [("s1", "h1", 10, value)]) == {1: [(10, f"saml:{attribute}")]}


def test_saml_not_used_without_saml():
    """An enterprise without SAML/SCIM never compares identity attributes."""
    assert run([ANNA], [("s1", "h1", 10, "anna.id@corp.example")], uses_saml=False) == {
        "anna.id@corp.example": [(10, "ghes_only")]}


def test_saml_wins_over_verified_email_of_another_account():
    """Step 1 (identity) comes before step 2 (verified emails)."""
    bob = CloudAccount(2, "bob", verified=("anna.id@corp.example",))
    assert run([ANNA, bob], [("s1", "h1", 10, "anna.id@corp.example")]) == {1: [(10, "saml:name_claim")]}


def test_any_verified_email_matches():
    """Not only the first verified email."""
    assert run([BOB], [("s1", "h1", 10, "bob@home.example")]) == {2: [(10, RULE_VERIFIED)]}


def test_unverified_and_secondary_never_match():
    """Only the primary is compared, and only with verified emails or identity attributes."""
    index = build_index([ANNA, BOB], True)
    assert run([ANNA, BOB], [("s1", "h1", 10, "anna@home.example")]) == {"anna@home.example": [(10, "ghes_only")]}
    code, sentence = why_unmatched(index, "anna@home.example", [])
    assert code == "unverified_email_only" and "anna" in sentence
    code, sentence = why_unmatched(index, "x@else.example", ["bob@corp.example"])
    assert code == "secondary_email_only" and "only the primary" in sentence and "bob" in sentence
    assert why_unmatched(index, "x@else.example", [])[0] == "no_match"


def test_one_person_on_two_servers_merges_into_their_row():
    """Two GHES accounts of one GitHub.com person: one row, three accounts."""
    result = run([ANNA], [("s1", "h1", 10, "anna@corp.example"), ("s2", "h2", 77, "Anna@corp.example")])
    assert result == {1: [(10, RULE_VERIFIED), (77, RULE_VERIFIED)]}


def test_ghes_only_same_primary_merges_across_and_within_servers():
    """GHES-only accounts with one primary email are one license, however many servers."""
    accounts = [("s1", "h1", 1, "kari@x.example"), ("s2", "h2", 2, "KARI@x.example"), ("s1", "h1", 3, "kari@x.example")]
    result = match(build_index([ANNA], True), accounts)
    cloud = CloudRows(build_index([], True), [])
    [(rownum, row_json, _sources)] = build_rows(cloud, result)
    assert rownum == 1 and '"total_user_accounts":3' in row_json
    assert '"enterprise_server_user_ids":["h1:1","h1:3","h2:2"]' in row_json
    assert '"enterprise_server_emails":["kari@x.example"]' in row_json  # one address, first spelling


def test_rows_do_not_depend_on_input_order():
    """Sorting inside and across rows: any permutation gives identical rows."""
    accounts = [("s1", "h1", 1, "kari@x.example"), ("s2", "h2", 2, "anna@corp.example"),
                ("s1", "h1", 3, "zed@x.example"), ("s2", "h2", 4, "kari@x.example")]
    cloud = make_cloud([ANNA], [ENCODER.template(account_fields(ANNA_MEMBER, ["corp.example"]))], True)
    first = build_rows(cloud, match(cloud.index, accounts))
    assert build_rows(cloud, match(cloud.index, list(reversed(accounts)))) == first
    assert '"github_com_login":"anna"' in first[0][1] and '"total_user_accounts":2' in first[0][1]


def test_planted_edge_cases_through_the_app(client, scenario, main, owner):
    """Every planted case merges (or not) as the generator says a correct matcher must."""
    for instance in scenario.ghes:
        assert upload(client, main.slug, owner, export_for(instance, encrypted=True)).status_code == 201
    rows = all_rows(client, main.slug, owner)
    by_login = {r["github_com_login"]: r for r in rows if r["github_com_user"]}
    hosts = {i.index: i.host_name for i in scenario.ghes}
    ids = {(i.index, u.login): f"{i.host_name}:{u.id}" for i in scenario.ghes for u in i.users}
    assert scenario.planted, "the demo scenario plants edge cases"
    for case in scenario.planted:
        server_ids = {ids[key] for key in case.ghes_logins}
        holders = [r for r in rows if server_ids & set(r["enterprise_server_user_ids"])]
        if case.ghec_login is None:  # GHES-only person on two instances: one row
            assert len(holders) == 1 and set(holders[0]["enterprise_server_user_ids"]) == server_ids, case.kind
            assert holders[0]["total_user_accounts"] == 2 and not holders[0]["github_com_user"]
        elif case.expect_merge:
            assert [h["github_com_login"] for h in holders] == [case.ghec_login], case.kind
        else:
            assert all(not h["github_com_user"] for h in holders), case.kind
            assert not server_ids & set(by_login[case.ghec_login]["enterprise_server_user_ids"])
    assert hosts  # instances were really uploaded


def test_explain_names_the_rule_of_each_planted_case(client, scenario, main, owner):
    """/_mock/explain: identity-only by a saml: rule, case-only by verified_email, the rest unmatched with why."""
    for instance in scenario.ghes:
        upload(client, main.slug, owner, export_for(instance))
    report = client.get("/_mock/explain").get_json()
    accounts = {(a["host_name"], a["user_id"]): a for r in report["rows"] for a in r["server_accounts"]}
    users = {(i.index, u.login): (i.host_name, u.id) for i in scenario.ghes for u in i.users}
    kinds = {c.kind: [accounts[users[k]] for k in c.ghes_logins] for c in scenario.planted}
    assert kinds["identity-only"][0]["rule"].startswith("saml:")
    assert kinds["email-case-only"][0]["rule"] == "verified_email"
    assert kinds["secondary-email-only"][0]["unmatched_reason"] == "secondary_email_only"
    assert "only the primary email counts" in kinds["secondary-email-only"][0]["why_not_merged"]
    assert kinds["unverified-email-only"][0]["unmatched_reason"] == "unverified_email_only"
    assert {a["rule"] for a in kinds["two-instances-same-email"]} == {"ghes_only_primary_email"}
    summary = client.get("/_mock/explain/summary").get_json()
    assert summary["rows"] == len(report["rows"]) == summary["github_com_rows"] + summary["ghes_only_rows"]
    assert summary["server_accounts"] == sum(summary["by_rule"].values()) == len(accounts)
    assert summary["unmatched_reasons"]["secondary_email_only"] >= 1
    assert sum(summary["unmatched_reasons"].values()) == summary["by_rule"]["ghes_only_primary_email"]


@pytest.mark.parametrize("field,value", [("github_com_user", None), ("total_user_accounts", True),
                                         ("github_com_member_roles", ["ok", 3]), ("license_type", 1),
                                         ("github_com_name", "nul\x00")])
def test_row_encoder_refuses_what_the_schema_refuses(field, value):
    """Templates check the schema's types and nullability (bool is not an integer)."""
    fixed = account_fields(ANNA_MEMBER, ["corp.example"])
    fixed[field] = value
    if field == "total_user_accounts":  # a slot, not a fixed field: give a bad fixed one instead
        fixed["github_com_two_factor_auth"] = "yes"
    with pytest.raises(ValueError):
        ENCODER.template(fixed)


def test_enterprise_without_saml_matches_verified_emails_only(client, other, other_owner):
    """The second enterprise has no SAML: a member's verified email merges, identity attributes are not looked at."""
    member = other.members[0]
    raw = export_bytes("44444444-4444-4444-8444-444444444444", "p.example",
                       [user(1, member.verified_emails[0].upper()), user(2, "nobody@p.example")])
    assert upload(client, other.slug, other_owner, raw).status_code == 201
    report = client.get(f"/_mock/explain?enterprise={other.slug}").get_json()
    assert report["uses_saml"] is False
    rules = {a["user_id"]: a["rule"] for r in report["rows"] for a in r["server_accounts"]}
    assert rules == {1: "verified_email", 2: "ghes_only_primary_email"}
    assert report["unmatched"][0]["why_not_merged"].endswith("as a verified email")
    assert client.get("/_mock/explain?enterprise=nope").status_code == 404


def test_field_paths_generic_walk():
    """The envelope walk collapses arrays, keeps empty containers as leaves, and sees every key."""
    from mock_ghec.privacy import field_paths, keep

    assert field_paths({"a": {"b": 1, "c": [1, {"d": None}], "e": [], "f": {}}}) == {
        "$.a.b", "$.a.c[]", "$.a.c[].d", "$.a.e[]", "$.a.f"}
    kept, paths = keep([{"id": 1, "emails": [{"address": "x@y.example", "primary": True},
                                             {"address": "z@y.example", "primary": False}]}])
    assert kept == [[1, "x@y.example", "z@y.example"]]
    assert paths == {"$.users[].id", "$.users[].emails[].address", "$.users[].emails[].primary"}
