"""The GHES-only rows as SQLite puts them together (recompute.insert_alone) are rows.alone_slots' rows.

WHY its own test: for a big first upload the store writes those rows through a statement that
builds their JSON in SQL from each account's values; any row it wrote differently from the
Python rendering would show on a page after the upload and never after a re-upload.
"""
from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from license_rules.matching import match
from mock_ghec import recompute
from mock_ghec.rows import alone_slots, cloud_side, plain_text
from mock_ghec.tables import SCHEMA

SERVERS = (("0b7c1d2e-0000-4000-8000-000000000001", "ghes-a.example.com"),
           ("0b7c1d2e-0000-4000-8000-000000000002", "ghes-b.example.com:8443"))


def written(alone_accounts: list[tuple[str, str, int, str]], first: int = 7) -> tuple[list[tuple], list[tuple]]:
    """(rows insert_alone wrote, rows alone_slots makes) for these GHES-only accounts."""
    result = match(cloud_side([], False).index, alone_accounts)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(SCHEMA)
    recompute.insert_alone(conn, 42, result, first)
    stored = conn.execute("SELECT * FROM license_rows ORDER BY rownum").fetchall()
    expected = list(alone_slots(42, result.alone, first, result.alone_rows == len(result.alone)))
    return stored, expected


@pytest.fixture
def small_chunks(monkeypatch: Any) -> None:
    """Chunks of 100 accounts, 30 rows a statement: several chunks, each with a shorter last statement."""
    monkeypatch.setattr(recompute, "ALONE_CHUNK", 100)
    monkeypatch.setattr(recompute, "ALONE_PER_INSERT", 30)


def accounts(count: int, servers: int = 1) -> list[tuple[str, str, int, str]]:
    """`count` GHES-only accounts with distinct primaries, taking turns between the first `servers` servers."""
    return [(*SERVERS[n % servers], 1000 + n, f"user{n:04d}@ghes-only.example") for n in range(count)]


@pytest.mark.parametrize("servers", [1, 2])
def test_plain_rows_are_the_python_rows(small_chunks: None, monkeypatch: Any, servers: int) -> None:
    """Several chunks, statements of 30 and a shorter last one; one server (SQLite puts the rows
    together) or two taking turns (alone_slots does): the same rows."""
    if servers == 1:  # then the Python rendering is only the expectation's
        monkeypatch.setattr(recompute, "alone_slots", None)
    stored, expected = written(accounts(250, servers))
    assert stored == expected and len(stored) == 250
    assert stored[0] == (42, 7, None, '["ghes-a.example.com:1000"]', '["user0000@ghes-only.example"]', 1,
                         '[["0b7c1d2e-0000-4000-8000-000000000001",1000,"ghes_only_primary_email"]]')


@pytest.mark.parametrize("primary", ['quo"te@x.example', "back\\slash@x.example", "tab\t@x.example",
                                     "ünï@x.example", "line\n@x.example"])
def test_a_chunk_with_text_to_escape_is_written_by_python(small_chunks: None, primary: str) -> None:
    """One address that JSON must escape (or that is not ASCII): its chunk goes through alone_slots."""
    some = accounts(250)
    some[130] = (*SERVERS[0], 1130, primary)
    stored, expected = written(some)
    assert stored == expected and len(stored) == 250
    assert not plain_text([primary])


def test_shared_primaries_make_rows_of_several(small_chunks: None) -> None:
    """GHES-only accounts with one primary (any case) are one row: written through alone_slots."""
    some = [*accounts(120, 2), (*SERVERS[1], 5000, "USER0003@ghes-only.example")]
    stored, expected = written(some)
    assert stored == expected and len(stored) == 120
    assert [row for row in stored if row[5] == 2] == [
        (42, 10, None, '["ghes-b.example.com:8443:1003","ghes-b.example.com:8443:5000"]',
         '["user0003@ghes-only.example"]', 2, '[["0b7c1d2e-0000-4000-8000-000000000002",1003,'
         '"ghes_only_primary_email"],["0b7c1d2e-0000-4000-8000-000000000002",5000,"ghes_only_primary_email"]]')]


@pytest.mark.parametrize("host", ['odd"host', "back\\slash", "ünï.example", "tab\there"])
def test_a_host_to_escape_is_escaped_as_python_does(small_chunks: None, host: str) -> None:
    """The server's prefixes are JSON-quoted by Python (rows.server_prefixes), whatever the host."""
    stored, expected = written([(SERVERS[0][0], host, 1000 + n, f"user{n:04d}@ghes-only.example") for n in range(120)])
    assert stored == expected and len(stored) == 120


def test_none_at_all() -> None:
    """No GHES-only account: nothing written."""
    assert written([]) == ([], [])
