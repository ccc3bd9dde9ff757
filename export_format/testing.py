"""Helpers for other people's tests: assert an export is valid, and the published corpus.

    from export_format.testing import assert_valid_export, corpus

    def test_my_exporter_writes_a_valid_file(tmp_path):
        path = my_exporter.write(tmp_path)
        assert_valid_export(path)                      # or bytes, or the parsed dict
        assert_valid_export(path, version="1-0-0")     # against one published schema version

    def test_my_parser_on_every_bad_input():
        for case in corpus().bad_inputs:
            with pytest.raises(MyParseError):
                my_parser.parse(case.data)

The pytest plugin (license_mocks_pytest) hands out the same corpus as the `export_corpus`
fixture. Every file comes from inside the installed package (export_format/published/),
never from a repository checkout. See docs/export-format.md §12 and docs/pytest-plugin.md.
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .document import ExportDocument
from .problems import Problem
from .versioned import validate_versioned
from .versions import PUBLISHED_DIR, SchemaVer

__all__ = ["BadInput", "ExportAssertionError", "ExportCorpus", "assert_valid_export", "corpus"]

CORPUS_DIR = PUBLISHED_DIR.parent
_NOT_FILES = {"expected.json", "README.md"}


class ExportAssertionError(AssertionError):
    """An export that is not valid; the message lists every problem as `path: message`."""

    def __init__(self, what: str, version: SchemaVer, problems: list[Problem]) -> None:
        """Keep the problems for tests that want to look at them."""
        lines = [f"{what} is not a valid export (schema {version}): {len(problems)} problem(s)"]
        lines += [f"  {problem.path}: {problem.message}" for problem in problems]
        super().__init__("\n".join(lines))
        self.problems = problems
        self.version = version


def _raw(data_or_path: Any) -> tuple[bytes, str]:
    """The file's bytes and how to name it in a failure."""
    if isinstance(data_or_path, (bytes, bytearray, memoryview)):
        return bytes(data_or_path), "the export"
    if isinstance(data_or_path, str) and data_or_path.lstrip()[:1] in ("{", "["):
        return data_or_path.encode("utf-8"), "the export"
    if isinstance(data_or_path, (str, os.PathLike)):
        path = Path(data_or_path)
        return path.read_bytes(), str(path)
    if isinstance(data_or_path, (dict, list)):
        return json.dumps(data_or_path, ensure_ascii=False).encode("utf-8"), "the export"
    raise TypeError("assert_valid_export takes bytes, JSON text, a path or the parsed document, "
                    f"not {type(data_or_path).__name__}")


def assert_valid_export(data_or_path: Any, version: str | int | None = None,
                        private_key: Any = None) -> ExportDocument | None:
    """Fail with every problem as `path: message` unless the export is valid.

    `data_or_path`: the file's bytes, its JSON text, a path (str or Path) or the parsed dict.
    `version`: a published schema version ("1-0-0"), a MODEL number (1), or None for the
    file's own format_version. `private_key` (export_format.load_private_key()) also checks
    the users of an encrypted file. Returns the parsed document when the current version
    judged it (None for an older published version, which checks the schema file only).
    """
    raw, what = _raw(data_or_path)
    result, judged_by = validate_versioned(raw, version, private_key)
    if not result.ok:
        raise ExportAssertionError(what, judged_by, result.problems)
    return result.document


@dataclass(frozen=True)
class BadInput:
    """One file of the bad-input corpus and what a reader must say about it."""

    name: str
    path: Path
    status: int  # what the mock GHEC answers: 400 unreadable, 422 readable but invalid, 413 too large
    message: str  # a fragment of the first problem's message
    paths: tuple[str, ...]  # the problem paths a complete report lists

    @property
    def data(self) -> bytes:
        """The file's bytes (read on demand: the corpus is small, but why hold it)."""
        return self.path.read_bytes()


@dataclass(frozen=True)
class ExportCorpus:
    """The published goldens (valid), the GitHub-shipped example, and the bad-input corpus."""

    golden: dict[str, Path]  # valid files of this format, by name; the encrypted ones need the test key
    github_shipped: dict[str, Path]  # files of the shape GitHub ships (not this format; users not checkable)
    bad_inputs: tuple[BadInput, ...]


@functools.lru_cache(maxsize=1)  # one packaged corpus per process
def corpus(root: Path = CORPUS_DIR) -> ExportCorpus:
    """The corpus shipped inside the installed package."""
    expected: dict[str, dict[str, Any]] = json.loads((root / "bad-inputs" / "expected.json").read_text("utf-8"))
    bad = tuple(BadInput(name, root / "bad-inputs" / name, int(spec["status"]), str(spec["message"]),
                         tuple(spec["paths"])) for name, spec in sorted(expected.items()))
    golden = {p.name: p for p in sorted((root / "golden").glob("*.json"))}
    github = {p.name: p for p in sorted((root / "golden" / "github-shipped").glob("*.json"))}
    return ExportCorpus(golden=golden, github_shipped=github, bad_inputs=bad)
