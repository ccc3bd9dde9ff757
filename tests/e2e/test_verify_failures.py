"""`verify` is a proof: each check fails, naming the offending value, on a doctored GHEC or a bad file.

GHEC is doctored by wrapping its app before it serves (an `after_request` that rewrites one
answer), or by sending it what a misbehaving GHES would send; everything runs over real HTTP.
"""
from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from typing import Any

import requests
from flask import request

from export_format import encrypt_users, load_public_key
from sync_client.clients import GhesClient


def doctor(glob: str, mutate: Callable[[Any], None]) -> Callable[[Any], None]:
    """A `prepare_ghec` hook rewriting the JSON answer of every path matching `glob`."""
    def prepare(app: Any) -> None:
        """Register the rewrite on GHEC's app before it serves."""
        @app.after_request
        def _rewrite(response: Any) -> Any:
            """Replace the JSON body of matching answers with the doctored one."""
            if fnmatch.fnmatch(request.path, glob) and response.is_json and response.status_code == 200:
                data = response.get_json()
                mutate(data)
                response.set_data(json.dumps(data))
            return response
    return prepare


def verify_json(cli, pair, ghec_flags, *extra: str, instances=(1,)) -> dict:
    """Run `verify --json` over the given GHES instances; return the report (exit code checked)."""
    urls = [a for i in instances for a in ("--ghes-url", pair.ghes_url(i))]
    run = cli("verify", *ghec_flags(pair), *urls, *extra, "--json")
    report = run.json
    assert run.code == (0 if report["ok"] else 1)
    return report


def failing(report: dict) -> dict[str, list[str]]:
    """check name -> offending lines, for the checks that failed."""
    return {c["check"]: c["offending"] for c in report["checks"] if not c["ok"]}


def ghes_users(pair, index: int = 1) -> dict[int, dict]:
    """Ground truth of instance `index`, by user id."""
    return {u["id"]: u for u in requests.get(pair.ghes_url(index) + "/_mock/users", timeout=10).json()}


def ghec_known(pair) -> set[str]:
    """GHEC members' logins (a GHES login equal to one is not a leak in GHEC's output)."""
    return {m.login.lower() for m in pair.world.enterprises[0].members}


def test_undoctored_pair_passes(pair, cli, ghes_flags, ghec_flags):
    """The baseline: an honest pair passes, so each failure below is caused by its doctoring."""
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 0
    assert failing(verify_json(cli, pair, ghec_flags)) == {}


def test_ghec_that_keeps_a_login_fails_check_2(make_pair, cli, ghes_flags, ghec_flags):
    """A GHEC that shows GHES logins in its output fails the privacy check, naming the login."""
    kept: dict[str, str] = {}

    def keep_login(data: dict) -> None:
        """Add the GHES login of a server account to its row, as a leaky GHEC would."""
        for row in data["users"]:
            for key in row["enterprise_server_user_ids"]:
                login = kept.get(key)
                if login:
                    row["enterprise_server_login"] = login

    pair = make_pair(prepare_ghec=doctor("/enterprises/*/consumed-licenses", keep_login))
    users = ghes_users(pair)
    host = pair.world.ghes[0].host_name
    kept.update({f"{host}:{uid}": u["login"] for uid, u in users.items() if u["login"].lower() not in ghec_known(pair)})
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 1  # sync ends with verify
    report = failing(verify_json(cli, pair, ghec_flags))
    assert list(report) == ["only-ids-and-emails"]
    assert any("consumed-licenses row" in line and "login '" in line for line in report["only-ids-and-emails"])


def test_ledger_listing_a_login_path_fails_check_2(make_pair, cli, ghes_flags, ghec_flags):
    """A ledger admitting users[].login crossed fails the privacy check."""
    def add_login_path(data: dict) -> None:
        """A ledger saying a payload held users[].login."""
        data["entries"][0]["paths"].append("$.users[].login")

    pair = make_pair(prepare_ghec=doctor("/_mock/ledger", add_login_path))
    cli("sync", *ghes_flags(pair), *ghec_flags(pair))
    report = failing(verify_json(cli, pair, ghec_flags))
    assert list(report) == ["only-ids-and-emails"]
    assert any("'users[].login' is not on the allow-list" in line for line in report["only-ids-and-emails"])


def test_a_login_sent_in_a_raw_body_is_found_even_when_ghec_refused_it(pair, cli, ghes_flags, ghec_flags):
    """Received is received: a refused body carrying a login still fails the proof."""
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 0
    ghes = GhesClient(pair.ghes_url(1), pair.ghes_token(1))
    doc = json.loads(ghes.export(encrypted=False))
    victim = doc["users"][0]
    login = ghes_users(pair)[victim["id"]]["login"]
    doc["users"][0] = {"id": victim["id"], "emails": victim["emails"], "login": login}
    requests.post(f"{pair.ghec.url}/enterprises/{pair.enterprise}/server-usage", timeout=10,
                  headers={"Authorization": f"token {pair.ghec_token}"},
                  files={"file": ("usage.json", json.dumps(doc).encode(), "application/json")})
    report = failing(verify_json(cli, pair, ghec_flags))
    lines = report["only-ids-and-emails"]
    assert any(f"login {login!r}" in line and "server-usage" in line for line in lines)
    assert any("'users[].login' is not on the allow-list" in line for line in lines)


def test_a_canary_inside_an_encrypted_users_blob_is_found(pair, cli, ghes_flags, ghec_flags):
    """Encryption hides nothing from verify: blobs are decrypted and scanned."""
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 0
    doc = json.loads(GhesClient(pair.ghes_url(1), pair.ghes_token(1)).export(encrypted=False))
    canary = ghes_users(pair)[doc["users"][1]["id"]]["canary"]
    doc["users"][1]["emails"][0]["address"] = f"{canary}@leak.example"
    users = doc.pop("users")
    doc.update(encrypt_users(json.dumps(users).encode(), load_public_key(), doc["instance"]["server_id"].encode()))
    requests.post(f"{pair.ghec.url}/enterprises/{pair.enterprise}/server-usage", timeout=10,
                  headers={"Authorization": f"token {pair.ghec_token}", "Content-Type": "application/json"},
                  data=json.dumps(doc))
    lines = failing(verify_json(cli, pair, ghec_flags))["only-ids-and-emails"]
    assert any(f"canary {canary!r}" in line for line in lines)
    assert any("leak.example" in line and "is not one of that user's emails" in line for line in lines)


def test_ghec_that_drops_a_user_fails_check_3(make_pair, cli, ghes_flags, ghec_flags):
    """An exported account missing from every row is named as counted 0 times."""
    dropped: list[str] = []

    def drop_first_server_account(data: dict) -> None:
        """Lose one server account from its row, as a buggy GHEC would."""
        for row in data["users"]:
            if row["enterprise_server_user_ids"]:
                dropped.append(row["enterprise_server_user_ids"].pop(0))
                return

    pair = make_pair(prepare_ghec=doctor("/enterprises/*/consumed-licenses", drop_first_server_account))
    cli("sync", *ghes_flags(pair), *ghec_flags(pair))
    report = failing(verify_json(cli, pair, ghec_flags))
    assert list(report) == ["accounted-once"]
    assert f"{dropped[-1]} appears 0 time(s) in enterprise_server_user_ids (expected once)" in report["accounted-once"]


def test_ghec_whose_total_is_off_fails_check_3_with_both_numbers(make_pair, cli, ghes_flags, ghec_flags):
    """A wrong total is shown next to verify's own count."""
    def inflate(data: dict) -> None:
        """Count one seat too many."""
        data["total_seats_consumed"] += 1

    pair = make_pair(prepare_ghec=doctor("/enterprises/*/consumed-licenses", inflate))
    cli("sync", *ghes_flags(pair), *ghec_flags(pair))
    lines = failing(verify_json(cli, pair, ghec_flags))["accounted-once"]
    assert any(line.startswith("total_seats_consumed is ") and "unique-person count is" in line for line in lines)


def test_failed_sync_status_fails_check_4(make_pair, cli, ghes_flags, ghec_flags):
    """A server whose last sync failed fails the status check with GHEC's error."""
    def fail_sync(data: dict) -> None:
        """Report every server's last sync as failed."""
        for row in data["server_instances"]:
            row["last_sync"]["status"], row["last_sync"]["error"] = "error", "upstream exploded"

    pair = make_pair(prepare_ghec=doctor("/enterprises/*/license-sync-status", fail_sync))
    cli("sync", *ghes_flags(pair), *ghec_flags(pair))
    report = failing(verify_json(cli, pair, ghec_flags))
    assert list(report) == ["sync-status"]
    assert "last_sync.status is 'error' (error: upstream exploded)" in report["sync-status"][0]


def test_stale_sync_status_fails_check_4(pair, cli, ghes_flags, ghec_flags):
    """Freshness is judged on GHEC's clock: two hours later the sync is stale."""
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 0
    requests.post(pair.ghec.url + "/_mock/clock/advance", json={"hours": 2}, timeout=10).raise_for_status()
    report = failing(verify_json(cli, pair, ghec_flags))
    assert list(report) == ["sync-status"]
    assert "is not within an hour of GHEC's now" in report["sync-status"][0]


def test_invalid_export_fails_check_1(pair, cli, ghes_flags, ghec_flags, tmp_path):
    """An invalid export given to verify fails check 1 with the validator's path and message."""
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 0
    bad = tmp_path / "bad.json"
    doc = json.loads(GhesClient(pair.ghes_url(1), pair.ghes_token(1)).export(encrypted=False))
    doc["users"][0]["emails"][0]["primary"] = "yes"
    bad.write_text(json.dumps(doc))
    report = failing(verify_json(cli, pair, ghec_flags, "--file", str(bad)))
    assert list(report) == ["export-valid"]
    assert any(f"{bad}: $.users[0].emails[0].primary: must be true or false" == line
               for line in report["export-valid"]), report


def test_a_synced_server_not_given_to_verify_is_named(pair, cli, ghes_flags, ghec_flags):
    """verify refuses to vouch for a server whose ground truth it was not given."""
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 0
    assert cli("trigger", *ghes_flags(pair, 2), *ghec_flags(pair)).code == 0
    report = failing(verify_json(cli, pair, ghec_flags, instances=(1,)))
    sid = pair.world.ghes[1].server_id
    assert any(sid in line and "not given to verify" in line for line in report["accounted-once"])


def test_a_cleared_journal_cannot_prove_anything(pair, cli, ghes_flags, ghec_flags):
    """No evidence is not proof: a sync GHEC shows but whose payload is gone fails check 2."""
    assert cli("sync", *ghes_flags(pair), *ghec_flags(pair)).code == 0
    requests.delete(pair.ghec.url + "/_mock/journal", timeout=10).raise_for_status()
    lines = failing(verify_json(cli, pair, ghec_flags))["only-ids-and-emails"]
    assert any("journal holds no payload from it" in line for line in lines)
