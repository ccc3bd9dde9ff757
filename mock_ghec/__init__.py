"""Mock GitHub Enterprise Cloud for testing GHES ⇄ GHEC license-usage sync.

`create_app(config=None)` builds the Flask app; `mock-ghec serve` runs it (see docs/ghec.md).
"""
from .app import create_app

__all__ = ["create_app"]
