"""The pytest plugin for the license-sync mocks: `ghes`, `ghec` and `license_sync_pair` fixtures.

Loaded automatically through the `pytest11` entry point (`license_mocks_pytest.plugin`), so
importing this package must stay cheap: the classes below load on first use, and no app is
created until a test asks for a fixture. See docs/pytest-plugin.md.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "MockControl": "control", "MockControlError": "control",
    "MockApp": "handles", "MockGhes": "handles", "MockGhec": "handles",
    "LicenseSyncPair": "handles", "ScenarioSpec": "handles", "World": "world",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Import a public class on first use, so `import license_mocks_pytest` costs nothing."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
