"""Consumed-licenses pages kept in memory (page_cache.py): the same bytes as the slots give, never
of rows since replaced, bounded, and no thread nor side file for it."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ghec_helpers import export_bytes, export_for, upload, user

import scenarios
from github_http.etag import etag_of
from github_http.state_file import side_path
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


def test_pages_read_twice_are_kept_and_have_the_slots_bytes(
        app: Any, client: Any, scenario: scenarios.Scenario, main: Any, owner: dict[str, str]) -> None:
    assert upload(client, main.slug, owner, export_for(scenario.ghes[0])).status_code == 201
    assert upload(client, main.slug, owner, _extra(150, "a")).status_code == 201
    cache = app.extensions["ghec_store"].pages
    cache.clear()
    first = _pages(client, main.slug, owner)
    kept, _ = cache.size()
    assert len(first) >= 3 and kept == len(first)
    assert _pages(client, main.slug, owner) == first  # the second time from the cache
    assert cache.size()[0] == kept
    for served, rows in zip(first, _expected(app, main.slug), strict=True):
        assert rows in served


def test_every_page_size_has_the_slots_bytes(
        app: Any, client: Any, main: Any, owner: dict[str, str]) -> None:
    assert upload(client, main.slug, owner, _extra(70, "b")).status_code == 201
    for per_page in (1, 30, 99, 100):
        for _ in range(2):  # put together, then kept
            for served, rows in zip(_pages(client, main.slug, owner, per_page),
                                    _expected(app, main.slug, per_page), strict=True):
                assert rows in served


def test_pages_of_replaced_rows_are_never_served(
        app: Any, client: Any, main: Any, owner: dict[str, str]) -> None:
    """The first upload's pages are kept; after the second, every page shows the new rows."""
    assert upload(client, main.slug, owner, _extra(150, "old")).status_code == 201
    old = b"".join(_pages(client, main.slug, owner))
    assert b"old-0@elsewhere.example" in old
    assert upload(client, main.slug, owner, _extra(150, "new")).status_code == 201
    served = b"".join(_pages(client, main.slug, owner))
    assert b"new-0@elsewhere.example" in served and b"old-0@elsewhere.example" not in served


def test_another_workers_upload_is_seen_by_this_ones_cache(
        make_app: Any, tmp_path: Path, main: Any, owner: dict[str, str]) -> None:
    """Two apps on one state file are two gunicorn workers: each keeps its own pages, and a write
    through one makes the other's kept pages of that enterprise unused (the stamp moved)."""
    path = str(tmp_path / "shared.sqlite3")
    first, second = make_app(STATE_PATH=path), make_app(STATE_PATH=path)
    assert upload(first.test_client(), main.slug, owner, _extra(150, "one")).status_code == 201
    assert b"one-0@" in b"".join(_pages(second.test_client(), main.slug, owner))
    assert upload(first.test_client(), main.slug, owner, _extra(150, "two")).status_code == 201
    served = b"".join(_pages(second.test_client(), main.slug, owner))
    assert b"two-0@" in served and b"one-0@" not in served


def test_a_restored_snapshot_is_served_as_it_is_even_when_edited(
        app: Any, client: Any, main: Any, owner: dict[str, str]) -> None:
    """Snapshots leave the rows and their stamps out; a restore computes the rows again from the
    kept users and stamps them anew, so pages kept before are not served, even when the
    snapshot's users were edited by hand."""
    assert upload(client, main.slug, owner, _extra(150, "snap")).status_code == 201
    before = _pages(client, main.slug, owner)
    snapshot = client.get("/_mock/snapshot").get_json()
    assert "ghec_row_stamps" not in snapshot["tables"] and "license_rows" not in snapshot["tables"]
    usage = snapshot["tables"]["ghes_usage"]
    users = usage["columns"].index("users")
    edited = next(row for row in usage["rows"] if "snap-0@elsewhere.example" in row[users])
    edited[users] = edited[users].replace("snap-0@", "edited-0@")
    assert client.put("/_mock/snapshot", json=snapshot).status_code == 204
    after = b"".join(_pages(client, main.slug, owner))
    assert b"edited-0@elsewhere.example" in after and b"snap-0@elsewhere.example" not in after
    assert after == b"".join(before).replace(b"snap-0@", b"edited-0@")


def test_the_cache_holds_its_bound(make_app: Any, main: Any, owner: dict[str, str]) -> None:
    app = make_app(PAGE_CACHE_MIB=0.01)  # about 10 KB: a few small pages
    client = app.test_client()
    assert upload(client, main.slug, owner, _extra(150, "bound")).status_code == 201
    pages = _pages(client, main.slug, owner, 5)
    assert _pages(client, main.slug, owner, 5) == pages
    kept, size = app.extensions["ghec_store"].pages.size()
    assert 0 < kept < len(pages) and size <= app.extensions["ghec_store"].pages.limit_bytes


def test_the_cache_can_be_turned_off(make_app: Any, main: Any, owner: dict[str, str]) -> None:
    app = make_app(PAGE_CACHE_MIB=0)
    client = app.test_client()
    assert upload(client, main.slug, owner, _extra(150, "off")).status_code == 201
    for served, rows in zip(_pages(client, main.slug, owner), _expected(app, main.slug), strict=True):
        assert rows in served
    assert app.extensions["ghec_store"].pages.size() == (0, 0)


def test_no_thread_and_no_pages_file(make_app: Any, tmp_path: Path, main: Any, owner: dict[str, str]) -> None:
    """The pre-rendered pages' side file of tables v4 is removed at start; serving starts no thread."""
    path = tmp_path / "kept.sqlite3"
    old_pages = side_path(path, "pages")
    old_pages.write_bytes(b"")
    threads = threading.active_count()
    app = make_app(STATE_PATH=str(path))
    assert not old_pages.exists()
    client = app.test_client()
    assert upload(client, main.slug, owner, _extra(150, "t")).status_code == 201
    _pages(client, main.slug, owner)
    assert threading.active_count() == threads


def test_a_kept_page_keeps_its_bodys_etag(app: Any, client: Any, main: Any, owner: dict[str, str]) -> None:
    """The ETag kept with a page is the one its body gives (etag.py), before and after an upload
    changes the page, and a revalidation with it is a 304."""
    url = f"/enterprises/{main.slug}/consumed-licenses?per_page=100&page=2"
    tags = []
    for tag in ("e1", "e2"):
        assert upload(client, main.slug, owner, _extra(150, tag)).status_code == 201
        for _ in range(2):  # put together, then kept
            served = client.get(url, headers=owner)
            assert served.headers["ETag"] == etag_of(served.get_data())
            tags.append(served.headers["ETag"])
        assert client.get(url, headers={**owner, "If-None-Match": tags[-1]}).status_code == 304
    assert tags[0] == tags[1] != tags[2] == tags[3]
