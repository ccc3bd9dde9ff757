"""The two ways rows are written (rewrite in order, or upsert by row number) give the same rows.

mock_ghec.recompute picks one by how many rows a file can change; these tests run the same
uploads through each and compare every stored row, so the choice is only ever about speed.
"""
from __future__ import annotations

from typing import Any

import pytest
from ghec_helpers import consuming_users, export_for, upload

import scenarios
from mock_ghec import recompute


def _rows(app: Any) -> list[tuple]:
    """Every stored row (all enterprises), in key order."""
    return [tuple(r) for r in app.extensions["ghec_store"].db.query(
        "SELECT * FROM license_rows ORDER BY enterprise_id, rownum")]


def _run(make_app: Any, monkeypatch: pytest.MonkeyPatch, scenario: scenarios.Scenario, main: Any, owner: Any,
         rewrite: bool) -> list[list[tuple]]:
    """Upload every GHES instance's file, then the first again with fewer users; rows after each."""
    monkeypatch.setattr(recompute, "REWRITE_AT", 0.0 if rewrite else float("inf"))
    app = make_app()
    client = app.test_client()
    after = []
    for instance in scenario.ghes:
        assert upload(client, main.slug, owner, export_for(instance)).status_code == 201
        after.append(_rows(app))
    first = consuming_users(scenario.ghes[0])
    fewer = export_for(scenario.ghes[0], users=first[: max(1, len(first) // 3)])
    assert upload(client, main.slug, owner, fewer).status_code == 201
    after.append(_rows(app))
    return after


def test_rewrite_and_upsert_store_the_same_rows(make_app: Any, monkeypatch: pytest.MonkeyPatch,
                                                 scenario: scenarios.Scenario, main: Any, owner: Any) -> None:
    rewritten = _run(make_app, monkeypatch, scenario, main, owner, rewrite=True)
    upserted = _run(make_app, monkeypatch, scenario, main, owner, rewrite=False)
    assert rewritten == upserted
    assert len(rewritten) >= 3 and rewritten[0] != rewritten[-1]
