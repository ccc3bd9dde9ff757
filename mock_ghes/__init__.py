"""Mock GitHub Enterprise Server for testing license-usage sync.

`create_app(config=None)` builds the Flask app; `mock-ghes` (mock_ghes.cli) serves it and
exports license usage like the appliance's `ghe-license usage`. See docs/ghes.md.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app (imported lazily so `import mock_ghes` stays cheap and side-effect free)."""
    from .app import create_app as _create_app

    return _create_app(config)
