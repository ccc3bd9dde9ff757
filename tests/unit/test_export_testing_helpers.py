"""export_format.testing: assert_valid_export's inputs and failures, and the packaged corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from export_format import load_private_key
from export_format.testing import CORPUS_DIR, ExportAssertionError, assert_valid_export, corpus

ROOT = Path(__file__).resolve().parents[2]
SMALL = corpus().golden["small.plain.json"]


@pytest.mark.parametrize("form", ["path", "str-path", "bytes", "text", "dict"])
def test_every_input_form_is_accepted(form: str) -> None:
    raw = SMALL.read_bytes()
    given = {"path": SMALL, "str-path": str(SMALL), "bytes": raw, "text": raw.decode(),
             "dict": json.loads(raw)}[form]
    document = assert_valid_export(given)
    assert document is not None and len(document.users) == 4


def test_a_failure_lists_every_problem_as_path_colon_message() -> None:
    doc = json.loads(SMALL.read_bytes())
    doc["users"][0]["login"] = "ada"
    doc["users"][1]["id"] = 0
    with pytest.raises(ExportAssertionError) as failure:
        assert_valid_export(doc)
    assert str(failure.value).splitlines() == [
        "the export is not a valid export (schema 1-0-0): 2 problem(s)",
        '  $.users[0].login: unknown key: a user record carries only "id" and "emails" (nothing else about a '
        "user may leave GHES)",
        "  $.users[1].id: must be between 1 and 9007199254740991"]
    assert [p.path for p in failure.value.problems] == ["$.users[0].login", "$.users[1].id"]


def test_a_named_version_and_the_key_are_passed_on() -> None:
    encrypted = corpus().golden["small.encrypted.json"]
    assert assert_valid_export(encrypted, version="1-0-0", private_key=load_private_key()).users_readable
    tampered = next(c for c in corpus().bad_inputs if c.name == "encrypted-tampered.json")
    with pytest.raises(ExportAssertionError, match=r"\$\.users: encrypted users failed authentication"):
        assert_valid_export(tampered.path, private_key=load_private_key())


def test_other_inputs_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="bytes, JSON text, a path or the parsed document"):
        assert_valid_export(42)


def test_the_corpus_comes_from_the_package_and_matches_fixtures() -> None:
    """The package's copy is the one fixtures/ links to, so the two can never differ."""
    assert CORPUS_DIR == ROOT / "export_format" / "published"
    found = corpus()
    assert set(found.golden) == {p.name for p in (ROOT / "fixtures" / "golden").glob("*.json")}
    assert {c.name for c in found.bad_inputs} == {p.name for p in (ROOT / "fixtures" / "bad-inputs").iterdir()
                                                   if p.name != "expected.json"}
    assert all(c.path.is_file() and c.status in (400, 413, 422) and c.paths for c in found.bad_inputs)
    assert list(found.github_shipped) == ["ghes-3.15.json"]
