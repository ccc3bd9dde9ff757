"""The repository's copy of GitHub's OpenAPI extracts is the shared original, byte for byte.

The tests validate responses against `fixtures/github-openapi/`, so a clone is self-contained;
where the project's shared folder sits beside the repository, the copy must not drift from it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "fixtures" / "github-openapi"
SHARED = ROOT.parent / "shared" / "reference"
NAMES = ["ghes-license-endpoints.json", "ghec-license-endpoints.json", "ghec-membership-endpoints.json"]


@pytest.mark.parametrize("name", NAMES)
def test_the_copy_is_present_and_parses(name: str) -> None:
    """Both extracts ship with the repository and are OpenAPI documents."""
    import json
    document = json.loads((COPY / name).read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.") and document["paths"]


@pytest.mark.parametrize("name", NAMES)
def test_the_copy_matches_the_shared_original(name: str) -> None:
    """Where ../shared/reference exists, the copy equals it (else conftest.py deselects the case by name)."""
    original = SHARED / name
    assert (COPY / name).read_bytes() == original.read_bytes(), \
        f"refresh fixtures/github-openapi/{name} from {original}"
