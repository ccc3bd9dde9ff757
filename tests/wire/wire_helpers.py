"""Helpers of the wire tests (a module, not conftest: several test folders have a conftest)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "github-openapi"


def reference(name: str) -> dict[str, Any]:
    """One of GitHub's OpenAPI extracts, as the repository keeps it."""
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))
