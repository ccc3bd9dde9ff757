"""Every module-level cache of the packages has a bound, and the bound holds.

WHY: a cache that never shrinks grows with every app, state file and enterprise a
long-lived process (a test session, `mock-ghec serve`) opens: `mock_ghec.reads` kept 228
GitHub.com sides after tests/ghec alone.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest

import mock_ghec
import mock_ghec.reads as reads
from github_http.storage import Database
from mock_ghec.rows import cloud_side

PACKAGES = ["scenarios", "export_format", "github_http", "mock_ghes", "mock_ghec", "sync_client",
            "license_mocks_pytest"]


def _modules() -> Iterator[Any]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if not info.name.endswith("__main__"):
                yield importlib.import_module(info.name)


def _functools_caches() -> list[tuple[str, Any]]:
    """Every module-level function wrapped by functools.lru_cache / functools.cache."""
    found = {}
    for module in _modules():
        for attr, value in vars(module).items():
            # the type's module first: getattr on Flask's proxies (request, g) outside a request raises
            if (type(value).__module__ == "functools" and hasattr(value, "cache_info")
                    and getattr(value, "__module__", None) == module.__name__):
                found[f"{module.__name__}.{attr}"] = value
    return sorted(found.items())


def test_the_scan_finds_the_caches() -> None:
    names = dict(_functools_caches())
    assert "scenarios.names.pool" in names and "export_format.json_schema.compiled_validator" in names


@pytest.mark.parametrize(("name", "function"), _functools_caches(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_functools_cache_has_a_maxsize(name: str, function: Any) -> None:
    assert function.cache_info().maxsize is not None, f"{name} is an unbounded cache"


def test_the_cloud_cache_keeps_at_most_its_limit(tmp_path: Any) -> None:
    db = Database(tmp_path / "state.sqlite3")
    empty = cloud_side([], False)
    before = dict(reads._cloud_cache)
    try:
        for enterprise_id in range(reads.CLOUD_CACHE_LIMIT * 3):
            reads.prime_cloud(db, enterprise_id, "generation", empty)
            assert len(reads._cloud_cache) <= reads.CLOUD_CACHE_LIMIT
        kept = [key[1] for key in reads._cloud_cache if key[0] == str(db.path)]
        assert kept == list(range(reads.CLOUD_CACHE_LIMIT * 2, reads.CLOUD_CACHE_LIMIT * 3)), "the newest are kept"
    finally:
        reads._cloud_cache.clear()
        reads._cloud_cache.update(before)
        db.close()


def test_a_cache_hit_keeps_the_entry_longest(tmp_path: Any) -> None:
    """Least recently USED goes first: the enterprise read on every upload stays cached."""
    app = mock_ghec.create_app({"TESTING": True, "SCENARIO": "small", "SEED": 3, "JOURNAL": False})
    db = app.extensions["mock"].db
    hot = int(db.one("SELECT MIN(id) FROM ghec_enterprises")[0])
    reads.cloud_side_of(db, hot)
    other = Database(tmp_path / "other.sqlite3")
    try:
        for enterprise_id in range(reads.CLOUD_CACHE_LIMIT * 2):
            reads.prime_cloud(other, enterprise_id, "generation", cloud_side([], False))
            reads.cloud_side_of(db, hot)  # a hit: moves it to the newest end
        assert (str(db.path), hot) in reads._cloud_cache
        assert len(reads._cloud_cache) <= reads.CLOUD_CACHE_LIMIT
    finally:
        other.close()
