"""`World`, the inline scenario builder, re-exported for tests: `from license_mocks_pytest import World`."""
from __future__ import annotations

from scenarios.file.builder import World

__all__ = ["World"]
