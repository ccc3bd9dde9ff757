"""The breaking-change gate (export_format.compat) on synthetic schema pairs.

Each breaking kind is made on a copy of today's generated schema, and the gate must refuse it
for every bump smaller than the one the kind needs, and accept it with that bump.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from export_format.compat import Bump, bump_made, check_bump, compare
from export_format.json_schema import export_json_schema
from export_format.versions import SchemaVer

V100 = SchemaVer(1, 0, 0)
NEXT = {Bump.NONE: V100, Bump.ADDITION: SchemaVer(1, 0, 1), Bump.REVISION: SchemaVer(1, 1, 0),
        Bump.MODEL: SchemaVer(2, 0, 0)}


def _instance(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["$defs"]["Instance"]


def _email(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["$defs"]["Email"]


def _rename_host_name(s: dict[str, Any]) -> None:
    props = _instance(s)["properties"]
    props["hostname"] = props.pop("host_name")
    _instance(s)["required"] = ["hostname" if k == "host_name" else k for k in _instance(s)["required"]]


def _remove_http_only(s: dict[str, Any]) -> None:
    del _instance(s)["properties"]["http_only"]
    _instance(s)["required"].remove("http_only")


def _new_required_key(s: dict[str, Any]) -> None:
    _instance(s)["properties"]["region"] = {"type": "string"}
    _instance(s)["required"].append("region")


def _new_optional_key(s: dict[str, Any]) -> None:
    _instance(s)["properties"]["region"] = {"type": "string"}
    _instance(s)["required"].remove("http_only")  # and a required key relaxed: also an ADDITION


def _set(where: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit that sets one keyword of one (sub)schema."""
    return lambda s: where(s).__setitem__(key, value)


def _prop(definition: str, name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda s: s["$defs"][definition]["properties"][name]


def _feature_name_optional(s: dict[str, Any]) -> None:
    s["$defs"]["Feature"]["required"] = ["enabled_at"]


def _instance_open(s: dict[str, Any]) -> None:
    _instance(s)["additionalProperties"] = True


def _drop_version_pattern(s: dict[str, Any]) -> None:
    del _instance(s)["properties"]["version"]["pattern"]


def _nothing(s: dict[str, Any]) -> None:
    """The old schema as generated today."""


# (id, edit of the old schema, edit of the new one, the smallest bump that allows it, a phrase the message has)
KINDS: list[tuple[str, Callable[[dict[str, Any]], None], Callable[[dict[str, Any]], None], Bump, str]] = [
    ("removed-key", _nothing, _remove_http_only, Bump.MODEL, "key removed"),
    ("renamed-key", _nothing, _rename_host_name, Bump.MODEL, "renamed to 'hostname'"),
    ("new-required-key", _nothing, _new_required_key, Bump.MODEL, "new required key"),
    ("optional-key-now-required", _feature_name_optional, _nothing, Bump.MODEL, "now required"),
    ("tightened-type", _nothing, _set(_prop("Email", "primary"), "type", "null"), Bump.MODEL, "type tightened"),
    ("number-to-integer", _set(_prop("UserRecord", "id"), "type", "number"), _nothing, Bump.MODEL,
     "type tightened"),
    ("unknown-keys-now-refused", _instance_open, _nothing, Bump.MODEL, "unknown keys are now refused"),
    ("removed-oneof-branch", _nothing, lambda s: s["oneOf"].pop() and None, Bump.MODEL,
     "branch EncryptedExport removed"),
    ("tightened-pattern", _nothing, _set(_prop("Instance", "version"), "pattern", r"^3\.[0-9]+\.[0-9]+$"),
     Bump.REVISION, "pattern changed"),
    ("new-pattern", _nothing, _set(_prop("Instance", "public_key"), "pattern", "^-----BEGIN"), Bump.REVISION,
     "pattern"),
    ("lowered-max-length", _nothing, _set(_prop("Instance", "host_name"), "maxLength", 100), Bump.REVISION,
     "maxLength moved from 255 to 100"),
    ("raised-minimum", _nothing, _set(_prop("UserRecord", "id"), "minimum", 1000), Bump.REVISION,
     "minimum moved from 1 to 1000"),
    ("nested-max-items", _nothing, _set(_prop("UserRecord", "emails"), "maxItems", 10), Bump.REVISION,
     "maxItems moved from 100 to 10"),
    ("enum-value-removed", _nothing, _set(_prop("Encryption", "scheme"), "enum", ["X"]), Bump.REVISION,
     "no longer accepted"),
    ("format-added", _nothing, _set(_prop("Instance", "host_name"), "format", "hostname"), Bump.REVISION,
     "format"),
    ("new-optional-key", _nothing, _new_optional_key, Bump.ADDITION, "new optional key"),
    ("raised-max-length", _nothing, _set(_prop("Instance", "host_name"), "maxLength", 1000), Bump.ADDITION,
     "relaxed from 255 to 1000"),
    ("type-widened", _nothing, _set(_prop("Email", "primary"), "type", ["boolean", "null"]), Bump.ADDITION,
     "type widened"),
    ("enum-value-added", _nothing, _set(_prop("Encryption", "scheme"), "enum", ["RSA-OAEP-SHA256+A256GCM", "Y"]),
     Bump.ADDITION, "widened"),
    ("pattern-removed", _nothing, _drop_version_pattern, Bump.ADDITION, "removed"),
]


def _edited(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    schema = copy.deepcopy(export_json_schema())
    edit(schema)
    return schema


@pytest.mark.parametrize(("old_edit", "new_edit", "needs", "phrase"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
def test_each_change_fails_below_its_bump_and_passes_with_it(old_edit: Callable[[dict[str, Any]], None],
                                                            new_edit: Callable[[dict[str, Any]], None],
                                                            needs: Bump, phrase: str) -> None:
    old, new = _edited(old_edit), _edited(new_edit)
    for made in Bump:
        failures = check_bump(old, V100, new, NEXT[made])
        if made < needs:
            assert failures, f"a {made.name} bump let through a change that needs {needs.name}"
            article = "an" if needs is Bump.ADDITION else "a"
            assert any(phrase in line and f"needs {article} {needs.name} bump" in line for line in failures), failures
        else:
            assert failures == [], failures


def test_the_failure_names_the_document_path_in_plain_words() -> None:
    """One line per document path the change touches (the instance block is in both forms)."""
    failures = check_bump(export_json_schema(), V100, _edited(_rename_host_name), SchemaVer(1, 1, 0))
    assert failures == ["$ (PlainExport).instance.host_name: key renamed to 'hostname': files that use "
                        "'host_name' are refused; that needs a MODEL bump, but 1-0-0 → 1-1-0 is only a "
                        "REVISION bump",
                        "$ (EncryptedExport).instance.host_name: key renamed to 'hostname': files that use "
                        "'host_name' are refused; that needs a MODEL bump, but 1-0-0 → 1-1-0 is only a "
                        "REVISION bump"]


def test_annotations_alone_are_not_changes() -> None:
    new = _edited(lambda s: _instance(s).__setitem__("description", "reworded") or s.__setitem__("title", "t"))
    assert compare(export_json_schema(), new) == []


def test_a_changed_file_under_the_same_version_fails() -> None:
    failures = check_bump(export_json_schema(), V100, _edited(_new_optional_key), V100)
    assert failures and all("published versions never change" in line for line in failures)


@pytest.mark.parametrize(("old", "new"), [((1, 0, 0), (1, 0, 2)), ((1, 0, 3), (1, 1, 1)), ((1, 2, 0), (1, 1, 0)),
                                          ((1, 0, 0), (3, 0, 0)), ((2, 1, 1), (3, 0, 1))],
                         ids=["skipped-addition", "revision-without-reset", "backwards", "skipped-model",
                              "model-without-reset"])
def test_only_the_next_version_is_a_legal_step(old: tuple[int, int, int], new: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError, match="does not follow"):
        bump_made(SchemaVer(*old), SchemaVer(*new))
    assert "does not follow" in check_bump({}, SchemaVer(*old), {}, SchemaVer(*new))[0]


def test_a_keyword_the_gate_does_not_know_counts_as_breaking() -> None:
    [change] = compare({"type": "string"}, {"type": "string", "contentEncoding": "base64"})
    assert change.needs is Bump.MODEL and "cannot judge" in change.what
