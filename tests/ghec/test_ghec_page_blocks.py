"""Pre-rendered per_page=100 pages: the same bytes as the slots give, and never of rows since replaced."""
from __future__ import annotations

import os
import signal
import time
from typing import Any

from ghec_helpers import export_bytes, export_for, upload, user

import scenarios
from mock_ghec import reads
from mock_ghec.page_rows import page_json

EXTRA_SERVER = "0f7d9a4e-2222-4c2b-9d7e-5a1b2c3d4e5f"


def _extra(count: int, tag: str) -> bytes:
    """An export of `count` people GitHub.com does not know (server-only rows)."""
    return export_bytes(EXTRA_SERVER, "extra.example",
                        [user(800_000 + i, f"{tag}-{i}@elsewhere.example") for i in range(count)])


def _pages(client: Any, slug: str, headers: dict[str, str], per_page: int = 100) -> list[bytes]:
    """Every page's body, as served."""
    first = client.get(f"/enterprises/{slug}/consumed-licenses?per_page={per_page}", headers=headers)
    total = first.get_json()["total_seats_consumed"]
    return [client.get(f"/enterprises/{slug}/consumed-licenses?per_page={per_page}&page={n}",
                       headers=headers).get_data() for n in range(1, -(-total // per_page) + 1)]


def _expected(app: Any, slug: str, per_page: int = 100) -> list[bytes]:
    """Every page's rows as the slots give them (page_json), for comparison inside the served bodies."""
    db = app.extensions["mock"].db
    access = reads.enterprise_access(db, slug, None)
    return [page_json(db, access.id, access.account_rows, first, first + per_page - 1)
            for first in range(1, access.seats_consumed + 1, per_page)]


def _blocks_used(app: Any, slug: str) -> list[bool]:
    """Whether each per_page=100 page of `slug` is answered from a current block."""
    db, blocks = app.extensions["mock"].db, app.extensions["ghec_store"].blocks
    access = reads.enterprise_access(db, slug, None)
    return [blocks.body(access, first, first + 99) is not None for first in range(1, access.seats_consumed + 1, 100)]


def test_after_an_upload_every_page_is_one_block_with_the_slots_bytes(
        app: Any, client: Any, scenario: scenarios.Scenario, main: Any, owner: dict[str, str]) -> None:
    assert upload(client, main.slug, owner, export_for(scenario.ghes[0])).status_code == 201
    assert upload(client, main.slug, owner, _extra(150, "a")).status_code == 201
    assert app.extensions["ghec_store"].blocks.wait(30)
    used = _blocks_used(app, main.slug)
    assert len(used) >= 3 and all(used)
    for served, rows in zip(_pages(client, main.slug, owner), _expected(app, main.slug), strict=True):
        assert rows in served
    status = client.get("/_mock/page-blocks").get_json()
    mine = next(e for e in status["enterprises"] if e["slug"] == main.slug)
    assert mine["ready"] == mine["blocks"] == len(used) and status["rendering"] is False


def test_other_page_sizes_are_put_together_from_slots(
        app: Any, client: Any, scenario: scenarios.Scenario, main: Any, owner: dict[str, str]) -> None:
    assert upload(client, main.slug, owner, _extra(70, "b")).status_code == 201
    assert app.extensions["ghec_store"].blocks.wait(30)
    for per_page in (1, 30, 99):
        for served, rows in zip(_pages(client, main.slug, owner, per_page), _expected(app, main.slug, per_page),
                                strict=True):
            assert rows in served


def test_blocks_of_replaced_rows_are_never_served(
        app: Any, client: Any, main: Any, owner: dict[str, str], monkeypatch: Any) -> None:
    """The second upload's render is held back: the first upload's blocks are still there, with
    the bytes of rows that no longer exist; every page must show the new rows instead."""
    blocks = app.extensions["ghec_store"].blocks
    assert upload(client, main.slug, owner, _extra(150, "old")).status_code == 201
    assert blocks.wait(30) and all(_blocks_used(app, main.slug))
    monkeypatch.setattr(blocks, "refresh", lambda ids: None)
    assert upload(client, main.slug, owner, _extra(150, "new")).status_code == 201
    assert not any(_blocks_used(app, main.slug))
    served = b"".join(_pages(client, main.slug, owner))
    assert b"new-0@elsewhere.example" in served and b"old-0@elsewhere.example" not in served
    monkeypatch.undo()
    app.extensions["ghec_store"].blocks.refresh_stale()
    assert blocks.wait(30) and all(_blocks_used(app, main.slug))
    assert b"".join(_pages(client, main.slug, owner)) == served


def test_a_restored_snapshot_is_served_as_it_is_even_when_edited(
        app: Any, client: Any, main: Any, owner: dict[str, str]) -> None:
    """Snapshots leave the row stamps out; a restore stamps the rows anew, so blocks rendered
    before are not trusted, even when the snapshot's rows were edited by hand."""
    blocks = app.extensions["ghec_store"].blocks
    assert upload(client, main.slug, owner, _extra(150, "snap")).status_code == 201
    assert blocks.wait(30)
    before = _pages(client, main.slug, owner)
    snapshot = client.get("/_mock/snapshot").get_json()
    assert "ghec_row_stamps" not in snapshot["tables"]
    rows = snapshot["tables"]["license_rows"]
    emails = rows["columns"].index("server_emails")
    edited = next(row for row in rows["rows"] if "snap-0@elsewhere.example" in row[emails])
    edited[emails] = edited[emails].replace("snap-0@", "edited-0@")
    assert client.put("/_mock/snapshot", json=snapshot).status_code == 204
    after = b"".join(_pages(client, main.slug, owner))  # at once: from slots, or blocks of the new stamp
    assert b"edited-0@elsewhere.example" in after and b"snap-0@elsewhere.example" not in after
    assert blocks.wait(30) and all(_blocks_used(app, main.slug))
    assert b"".join(_pages(client, main.slug, owner)) == after == b"".join(before).replace(b"snap-0@", b"edited-0@")


def test_a_restart_renders_what_is_missing(make_app: Any, tmp_path: Any, main: Any, owner: dict[str, str]) -> None:
    path = str(tmp_path / "kept.sqlite3")
    app = make_app(STATE_PATH=path)
    assert upload(app.test_client(), main.slug, owner, _extra(150, "r")).status_code == 201
    blocks = app.extensions["ghec_store"].blocks
    assert blocks.wait(30)
    blocks.side.execute("DELETE FROM page_blocks WHERE block > 0")  # as if the render had been cut short
    assert _blocks_used(app, main.slug)[1:] == [False, False]
    again = make_app(STATE_PATH=path)
    assert again.extensions["ghec_store"].blocks.wait(30)
    assert all(_blocks_used(again, main.slug))


def test_page_blocks_can_be_turned_off(make_app: Any, main: Any, owner: dict[str, str]) -> None:
    app = make_app(PAGE_BLOCKS=False)
    client = app.test_client()
    assert upload(client, main.slug, owner, _extra(150, "off")).status_code == 201
    assert not app.extensions["ghec_store"].blocks.busy()
    assert not any(_blocks_used(app, main.slug))
    assert app.extensions["ghec_store"].blocks.side.one("SELECT count(*) FROM page_blocks")[0] == 0
    for served, rows in zip(_pages(client, main.slug, owner), _expected(app, main.slug), strict=True):
        assert rows in served


def test_a_fork_during_a_render_leaves_the_child_a_working_sqlite(
        app: Any, client: Any, main: Any, owner: dict[str, str]) -> None:
    """gunicorn --preload forks its workers after create_app, maybe while this thread renders: the
    child must not inherit SQLite mid-call (its mutexes would stay locked) nor the parent's queue."""
    blocks = app.extensions["ghec_store"].blocks
    assert upload(client, main.slug, owner, _extra(20_000, "fork")).status_code == 201
    assert blocks.busy(), "the render should still be running for the fork to land in it"
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        try:
            page = client.get(f"/enterprises/{main.slug}/consumed-licenses?per_page=100&page=3", headers=owner)
            ok = page.status_code == 200 and not blocks.busy() and blocks.build(reads.enterprise_access(
                app.extensions["mock"].db, main.slug, None).id) >= 0
        finally:
            os._exit(0 if ok else 1)
    for _ in range(600):  # bounded: a child stuck on an inherited lock is killed and fails the test
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise AssertionError("the forked child hung in SQLite")
    assert os.waitstatus_to_exitcode(status) == 0
    assert blocks.wait(60) and all(_blocks_used(app, main.slug))


def test_a_scenario_switch_leaves_no_blocks_of_enterprises_gone(app: Any, client: Any) -> None:
    blocks = app.extensions["ghec_store"].blocks
    assert blocks.wait(30)
    before = {row[0] for row in blocks.side.query("SELECT DISTINCT enterprise_id FROM page_blocks")}
    assert client.put("/_mock/scenario", json={"seed": 2}).status_code == 200
    assert blocks.wait(30)
    now = {row[0] for row in app.extensions["mock"].db.query("SELECT id FROM ghec_enterprises")}
    assert now != before
    assert {row[0] for row in blocks.side.query("SELECT DISTINCT enterprise_id FROM page_blocks")} == now
