"""The breaking-change gate: what changed between two schema versions, and which bump it needs.

`compare(old, new)` walks two JSON Schemas side by side (following each one's own `$ref`s)
and lists every change that alters which documents validate, with the bump SchemaVer asks
for (versions.py): ADDITION when the new schema accepts everything the old one did (a new
optional key, a looser bound), REVISION when a value rule was tightened (a pattern, a bound,
an enum), MODEL when the shape changed (a key removed, renamed, retyped or newly required).
`check_bump` turns those into plain-words failures for the bump actually made.

WHY conservative: a changed pattern or a keyword this module does not know cannot be proved
harmless, so it counts as a tightening. Annotations (description, title, $id, $schema, examples)
never affect validation and are ignored. The rules are written out in docs/export-format.md §7.
"""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from .versions import SchemaVer

__all__ = ["Bump", "Change", "bump_made", "check_bump", "compare"]

_ANNOTATIONS = frozenset({"description", "title", "$id", "$schema", "$comment", "examples", "default",
                          "$defs", "definitions", "deprecated", "readOnly", "writeOnly"})
_HANDLED = frozenset({"$ref", "type", "enum", "const", "pattern", "format", "properties", "required",
                      "additionalProperties", "items", "oneOf", "anyOf",
                      "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum",
                      "exclusiveMinimum", "exclusiveMaximum", "minProperties", "maxProperties",
                      "uniqueItems"})
_LOWER = ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties")
_UPPER = ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties")


class Bump(enum.IntEnum):
    """How big a version step is; a change is allowed when the step made is at least its need."""

    NONE = 0
    ADDITION = 1
    REVISION = 2
    MODEL = 3


@dataclass(frozen=True)
class Change:
    """One difference that affects validation: where (a document path), what, and its need."""

    path: str
    what: str
    needs: Bump

    def __str__(self) -> str:
        """`$.instance.host_name: maxLength lowered from 255 to 100 (needs a REVISION bump)`."""
        return f"{self.path}: {self.what} (needs {_article(self.needs)} bump)"


def bump_made(old: SchemaVer, new: SchemaVer) -> Bump:
    """The step from old to new; ValueError unless new is old itself or its next version."""
    steps = {old: Bump.NONE,
             SchemaVer(old.model, old.revision, old.addition + 1): Bump.ADDITION,
             SchemaVer(old.model, old.revision + 1, 0): Bump.REVISION,
             SchemaVer(old.model + 1, 0, 0): Bump.MODEL}
    if new not in steps:
        raise ValueError(f"{new} does not follow {old}: the next version is "
                         + ", ".join(str(v) for v, b in steps.items() if b) + " (one part up, later parts 0)")
    return steps[new]


def check_bump(old: dict[str, Any], old_version: SchemaVer,
               new: dict[str, Any], new_version: SchemaVer) -> list[str]:
    """Every change from old to new that the bump made does not allow, in plain words.

    An empty list means the new version may be published. The same version with any change
    at all fails: a published version never changes.
    """
    try:
        made = bump_made(old_version, new_version)
    except ValueError as error:
        return [str(error)]
    failures = []
    for change in compare(old, new):
        if change.needs > made:
            step = (f"but {new_version} is the same version as {old_version} (published versions never change)"
                    if made is Bump.NONE else f"but {old_version} → {new_version} is only {_article(made)} bump")
            failures.append(f"{change.path}: {change.what}; that needs {_article(change.needs)} bump, {step}")
    return failures


def _article(bump: Bump) -> str:
    """`an ADDITION`, `a REVISION`, `a MODEL`."""
    return f"{'an' if bump.name[0] in 'AEIOU' else 'a'} {bump.name}"


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every validation-relevant change from schema `old` to schema `new`, root first."""
    walker = _Walker(old, new)
    walker.walk(old, new, "$")
    return walker.changes


def _types(schema: dict[str, Any]) -> set[str] | None:
    """The JSON types a schema allows (None: any); `number` includes `integer`."""
    declared = schema.get("type")
    if declared is None:
        return None
    found = {declared} if isinstance(declared, str) else set(declared)
    return found | {"integer"} if "number" in found else found


def _show(value: Any) -> str:
    """A keyword's value as it appears in the schema, shortened for a one-line message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


class _Walker:
    """Walks two schemas in step; each keeps its own root for `$ref` resolution."""

    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        """Start with no changes; `seen` stops a recursive schema from looping."""
        self.roots = (old_root, new_root)
        self.changes: list[Change] = []
        self.seen: set[tuple[str, str, str]] = set()

    def add(self, path: str, what: str, needs: Bump) -> None:
        """Record one change."""
        self.changes.append(Change(path, what, needs))

    def resolve(self, schema: Any, root: dict[str, Any]) -> Any:
        """Follow local `$ref`s (`#/$defs/X`) to the schema they name."""
        for _ in range(32):
            if not isinstance(schema, dict) or "$ref" not in schema:
                return schema
            node: Any = root
            for part in str(schema["$ref"]).lstrip("#").strip("/").split("/"):
                node = node[part] if part else node
            schema = node
        raise ValueError("$ref chain longer than 32 steps")

    def walk(self, old: Any, new: Any, path: str) -> None:
        """Compare two (sub)schemas at one document path."""
        key = (path, json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True))
        if key in self.seen:
            return
        self.seen.add(key)
        old, new = self.resolve(old, self.roots[0]), self.resolve(new, self.roots[1])
        if isinstance(old, bool) or isinstance(new, bool):
            if old != new:
                self.add(path, f"schema changed from {_show(old)} to {_show(new)}",
                         Bump.ADDITION if new is True or old is False else Bump.MODEL)
            return
        self._type(old, new, path)
        self._values(old, new, path)
        self._bounds(old, new, path)
        self._object(old, new, path)
        if "items" in old or "items" in new:
            self.walk(old.get("items", True), new.get("items", True), f"{path}[*]")
        for word in ("oneOf", "anyOf"):
            self._branches(old.get(word), new.get(word), path, word)
        for word in sorted((set(old) | set(new)) - _HANDLED - _ANNOTATIONS):
            if old.get(word) != new.get(word):
                self.add(path, f"keyword {word!r} changed from {_show(old.get(word))} to {_show(new.get(word))}, "
                               "which the gate cannot judge: treated as breaking", Bump.MODEL)

    def _type(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        """A type may only widen without a MODEL bump."""
        before, after = _types(old), _types(new)
        if before == after:
            return
        if after is None or (before is not None and before <= after):
            self.add(path, f"type widened from {_show(old.get('type'))} to {_show(new.get('type', 'any'))}",
                     Bump.ADDITION)
        else:
            self.add(path, f"type tightened from {_show(old.get('type', 'any'))} to {_show(new.get('type'))}: "
                           "files with the old type are refused", Bump.MODEL)

    def _values(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        """enum/const, pattern and format: adding or changing one tightens; removing widens."""
        before = old.get("enum", [old["const"]] if "const" in old else None)
        after = new.get("enum", [new["const"]] if "const" in new else None)
        if before != after:
            if after is None or (before is not None and all(v in after for v in before)):
                self.add(path, f"allowed values widened from {_show(before)} to {_show(after)}", Bump.ADDITION)
            elif before is None:
                self.add(path, f"values restricted to {_show(after)}", Bump.REVISION)
            else:
                lost = [v for v in before if v not in after]
                self.add(path, f"allowed values tightened from {_show(before)} to {_show(after)} "
                               f"({_show(lost)} no longer accepted)", Bump.REVISION)
        for word in ("pattern", "format"):
            if old.get(word) == new.get(word):
                continue
            if word not in new:
                self.add(path, f"{word} {_show(old[word])} removed", Bump.ADDITION)
            elif word not in old:
                self.add(path, f"{word} {_show(new[word])} added: values it refuses were accepted", Bump.REVISION)
            else:
                self.add(path, f"{word} changed from {_show(old[word])} to {_show(new[word])}: it cannot be "
                               "proved to accept every value the old one did, so it counts as tightened",
                         Bump.REVISION)

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        """A raised lower bound or lowered upper bound tightens; the reverse widens."""
        for words, tighter in ((_LOWER, lambda a, b: b > a), (_UPPER, lambda a, b: b < a)):
            for word in words:
                a, b = old.get(word), new.get(word)
                if a == b:
                    continue
                if b is None:
                    self.add(path, f"{word} {a} removed", Bump.ADDITION)
                elif a is None or tighter(a, b):
                    self.add(path, f"{word} {'added as' if a is None else f'moved from {a} to'} {b}: "
                                   "values that were in range are refused", Bump.REVISION)
                else:
                    self.add(path, f"{word} relaxed from {a} to {b}", Bump.ADDITION)
        if old.get("uniqueItems", False) != new.get("uniqueItems", False):
            self.add(path, "uniqueItems " + ("added" if new.get("uniqueItems") else "removed"),
                     Bump.REVISION if new.get("uniqueItems") else Bump.ADDITION)

    def _object(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        """Keys: removed, renamed, added, newly required; and the rule for unknown keys."""
        before, after = old.get("properties", {}), new.get("properties", {})
        closed_before = old.get("additionalProperties", True) is False
        closed_after = new.get("additionalProperties", True) is False
        gone = [k for k in before if k not in after]
        added = [k for k in after if k not in before]
        renamed: set[str] = set()
        for key in gone:
            twin = next((k for k in added if after[k] == before[key] and k not in renamed), None)
            if twin is not None:
                renamed.add(twin)
                self.add(f"{path}.{key}", f"key renamed to {twin!r}: files that use {key!r} are refused",
                         Bump.MODEL)
            else:
                self.add(f"{path}.{key}", "key removed: files that carry it are refused"
                         if closed_after else "key no longer described (any value accepted)",
                         Bump.MODEL if closed_after else Bump.ADDITION)
        for key in added:
            if key in new.get("required", []) or key in renamed:
                continue  # reported with the required keys below
            self.add(f"{path}.{key}", "new optional key" if closed_before else "key described",
                     Bump.ADDITION)
        newly = [k for k in new.get("required", []) if k not in old.get("required", []) and k not in renamed]
        for key in newly:
            self.add(f"{path}.{key}", "key is now required: files without it are refused" if key in before
                     else "new required key: every existing file lacks it", Bump.MODEL)
        for key in old.get("required", []):
            if key not in new.get("required", []) and key in after:
                self.add(f"{path}.{key}", "key is no longer required", Bump.ADDITION)
        if closed_before != closed_after:
            self.add(path, "unknown keys are now refused" if closed_after else "unknown keys are now allowed",
                     Bump.MODEL if closed_after else Bump.ADDITION)
        for key in before:
            if key in after:
                self.walk(before[key], after[key], f"{path}.{key}")

    def _branches(self, old: Any, new: Any, path: str, word: str) -> None:
        """oneOf/anyOf: branches paired by their `$ref` name, else by position."""
        if old is None and new is None:
            return
        if old is None or new is None:
            self.add(path, f"{word} {'added' if old is None else 'removed'}", Bump.MODEL if old is None
                     else Bump.ADDITION)
            return
        def label(branch: Any, index: int) -> str:
            """A branch's name: the last part of its $ref, or its position."""
            ref = branch.get("$ref") if isinstance(branch, dict) else None
            return str(ref).rsplit("/", 1)[-1] if ref else f"{word}[{index}]"
        before = {label(b, i): b for i, b in enumerate(old)}
        after = {label(b, i): b for i, b in enumerate(new)}
        for name, branch in before.items():
            if name not in after:
                self.add(f"{path} ({name})", f"{word} branch {name} removed: files of that form are refused",
                         Bump.MODEL)
            else:
                self.walk(branch, after[name], f"{path} ({name})" if len(before) > 1 else path)
        for name in after:
            if name not in before:
                self.add(f"{path} ({name})", f"new {word} branch {name}", Bump.ADDITION)
