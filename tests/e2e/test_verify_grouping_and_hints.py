"""`verify` says one thing once (grouped and counted), and `trigger` without Connect says how to set it up."""
from __future__ import annotations

import json
from typing import Any

from flask import request


def _report(cli, pair, ghec_flags, *instances: int) -> dict:
    """`verify --json` over the given instances."""
    urls = [a for i in instances for a in ("--ghes-url", pair.ghes_url(i))]
    return cli("verify", *ghec_flags(pair), *urls, "--json").json


def _offending(report: dict, key: str) -> list[str]:
    """The offending lines of one check."""
    return next(c["offending"] for c in report["checks"] if c["check"] == key)


def test_a_synced_server_left_out_is_one_line_not_one_per_account(pair, cli, ghes_flags, ghec_flags):
    """Instance 2 synced, verify given instance 1 only: one line naming it with its count and the fix, no
    "in no export GHEC accepted" per account of it, and no total mismatch that only its absence causes."""
    assert cli("sync", *ghes_flags(pair, 1), *ghec_flags(pair)).code == 0
    assert cli("trigger", *ghes_flags(pair, 2), *ghec_flags(pair)).code == 0
    lines = _offending(_report(cli, pair, ghec_flags, 1), "accounted-once")
    [named] = [line for line in lines if "was not given to verify" in line]
    assert "account(s) in its export" in named and "add its --ghes-url" in named
    assert not any("in no export GHEC accepted" in line for line in lines), lines
    assert not any(line.startswith("total_seats_consumed is") for line in lines), lines


def _plant_ghost_accounts(app: Any) -> None:
    """GHEC's consumed-licenses rows carry 30 accounts of a server nobody exported from."""
    @app.after_request
    def _rewrite(response: Any) -> Any:
        """Add the ghost accounts to the first row of every consumed-licenses page."""
        if request.path.endswith("/consumed-licenses") and response.status_code == 200 and response.is_json:
            data = response.get_json()
            if data.get("users"):
                data["users"][0]["enterprise_server_user_ids"] += [f"ghost.example:{n}" for n in range(1, 31)]
                response.set_data(json.dumps(data))
        return response


def test_accounts_of_an_unknown_server_are_grouped_and_counted(make_pair, cli, ghes_flags, ghec_flags):
    """30 accounts of one unknown host: ONE line with the count and the first few, not 30 lines."""
    pair = make_pair(prepare_ghec=_plant_ghost_accounts, extra_ghec={"HOT_PATHS": False})
    assert cli("sync", *ghes_flags(pair, 1), *ghec_flags(pair)).code == 1  # sync's own verify fails too
    lines = _offending(_report(cli, pair, ghec_flags, 1), "accounted-once")
    ghost = [line for line in lines if "ghost.example" in line]
    assert ghost == ["30 account(s) of ghost.example are in GHEC's output but in no export GHEC accepted: "
                     "ghost.example:1, ghost.example:2, ghost.example:3, ghost.example:4, ghost.example:5 "
                     "and 25 more"]


def test_trigger_without_connect_says_how_to_set_it_up(pair, cli, ghes_flags, ghec_flags):
    """Instance 1 has no Connect: exit 2 with the three ways to turn it on, and the manual alternative."""
    run = cli("trigger", *ghes_flags(pair, 1), *ghec_flags(pair))
    assert run.code == 2
    line = run.err.strip().splitlines()[0]
    assert "GitHub Connect license sync is not configured" in line
    assert "PUT /api/v3/enterprise/connect" in line and "--connect-url" in line and "license-sync export" in line
