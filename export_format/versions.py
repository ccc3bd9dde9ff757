"""Published schema versions: SchemaVer numbers, `$id`s, and the files kept forever.

Every published JSON Schema of the export format has a version MODEL-REVISION-ADDITION
(SchemaVer, https://docs.snowplow.io/docs/api-reference/iglu/common-architecture/schemaver/):

- ADDITION (1-0-0 → 1-0-1): every file the previous version accepted is still accepted;
- REVISION (1-0-1 → 1-1-0): a value rule may be tightened (a bound, a pattern, an enum), so
  some files the previous version accepted are refused; the shape (keys, types) is unchanged;
- MODEL (1-1-0 → 2-0-0): anything, e.g. a key removed, renamed, retyped or newly required.

The file's integer `format_version` is the MODEL number: a file with `format_version: 1` is
judged by the newest published 1-x-y schema unless a version is named. WHY files inside the
package (`export_format/published/`, linked from `fixtures/schema/`): a consumer that pip
installed the package validates against the exact published version without a checkout.
The rules the breaking-change gate enforces are in compat.py and docs/export-format.md §7.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from .schemas import FORMAT_ID

__all__ = ["EXPORT_SCHEMA_NAME", "PUBLISHED_DIR", "SCHEMA_VERSION", "USERS_SCHEMA_NAME", "SchemaVer",
           "UnknownVersion", "load_published", "published_versions", "resolve_version", "schema_id"]

EXPORT_SCHEMA_NAME = FORMAT_ID  # fixtures/schema/ghes-license-usage/M-R-A.json
USERS_SCHEMA_NAME = f"{FORMAT_ID}-users"  # the users array (plaintext of the encrypted form)
PUBLISHED_DIR = Path(__file__).resolve().parent / "published" / "schema"
# The `$id` is a name, not a download location (.invalid never resolves); its path part is
# the file's path under fixtures/schema/, so the name says where the copy lives.
ID_BASE = "https://schemas.ghes-ghec-license-mocks.invalid/"
_VERSION = re.compile(r"([0-9]+)-([0-9]+)-([0-9]+)")


class UnknownVersion(ValueError):
    """A version that is not written M-R-A, or that was never published."""


class SchemaVer(NamedTuple):
    """MODEL-REVISION-ADDITION; tuple order is version order."""

    model: int
    revision: int
    addition: int

    @classmethod
    def parse(cls, text: str) -> SchemaVer:
        """`"1-0-0"` → SchemaVer(1, 0, 0); anything else raises UnknownVersion."""
        match = _VERSION.fullmatch(text.strip())
        if not match:
            raise UnknownVersion(f"{text!r} is not a schema version: write MODEL-REVISION-ADDITION "
                                 "such as 1-0-0, or a MODEL number such as 1")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        """The form used in file names and `$id`s: 1-0-0."""
        return f"{self.model}-{self.revision}-{self.addition}"


# The version of the schema today's marshmallow source (schemas.py) generates. Bump it, with the
# part the change needs (docs/export-format.md §7), whenever a generated schema changes; then
# run tools/gen_schema.py, which writes the new file beside the old ones.
SCHEMA_VERSION = SchemaVer(1, 0, 0)


def schema_id(name: str, version: SchemaVer) -> str:
    """The `$id` of one published schema: it carries the name and the version."""
    return f"{ID_BASE}{name}/{version}.json"


def schema_path(name: str, version: SchemaVer, root: Path | None = None) -> Path:
    """Where a published version's file lives (inside the installed package by default)."""
    return (root or PUBLISHED_DIR) / name / f"{version}.json"


def published_versions(name: str = EXPORT_SCHEMA_NAME, root: Path | None = None) -> list[SchemaVer]:
    """Every published version of a schema, oldest first."""
    folder = (root or PUBLISHED_DIR) / name
    found = [SchemaVer.parse(p.stem) for p in folder.glob("*.json") if _VERSION.fullmatch(p.stem)]
    return sorted(found)


def load_published(version: SchemaVer, name: str = EXPORT_SCHEMA_NAME, root: Path | None = None) -> dict[str, Any]:
    """The published schema of one version, parsed; UnknownVersion when it was never published."""
    path = schema_path(name, version, root)
    if not path.is_file():
        raise UnknownVersion(_not_published(str(version), name, root))
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _not_published(asked: str, name: str, root: Path | None) -> str:
    """The message for a version nobody published, naming the ones that were."""
    known = ", ".join(map(str, published_versions(name, root))) or "none"
    return f"schema version {asked} of {name} was never published; published: {known}"


def resolve_version(asked: str | int | None, file_format_version: Any = None,
                    name: str = EXPORT_SCHEMA_NAME, root: Path | None = None) -> SchemaVer:
    """The published version to judge a file by.

    `asked` is what the user named: a full version (`"1-0-0"`), a MODEL number (`"1"`, the
    newest 1-x-y) or None, which uses the file's own `format_version` (again a MODEL number).
    A file whose format_version is not an integer falls back to the current version, whose
    reader then reports the bad format_version itself.
    """
    if asked is None:
        if type(file_format_version) is not int:
            return SCHEMA_VERSION
        asked = file_format_version
    text = str(asked).strip()
    if text.isdigit():
        newest = [v for v in published_versions(name, root) if v.model == int(text)]
        if not newest:
            if asked is file_format_version:  # the file's own unknown MODEL: the reader says so
                return SCHEMA_VERSION
            raise UnknownVersion(_not_published(f"{text}-x-y", name, root))
        return newest[-1]
    version = SchemaVer.parse(text)
    if version not in published_versions(name, root):
        raise UnknownVersion(_not_published(text, name, root))
    return version
