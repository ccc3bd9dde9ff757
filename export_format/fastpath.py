"""The hot path: one tight loop over the users array, parameterised by the derived JSON Schema.

WHY not fastjsonschema over the whole array: measured on the project's CI-class machine, the
code fastjsonschema generates spends about 11 µs per user (it builds key sets and removes
keys one by one), i.e. over a second for 100,000 users before any semantic check; this loop
does the same structural checks plus the semantic rules in about a quarter of the time.

It is still DERIVED: every key name, bound and pattern is read from the JSON Schema that
json_schema.py derives from the marshmallow schemas. `record_shape()` also checks that the
UserRecord/Email definitions use only the keywords this loop implements; if a schema change
adds one (say `minLength` on addresses) the shape is refused and the compiled fastjsonschema
validator is used instead, so a schema change can make this path slower but never wrong.
tests/unit/test_export_format_agreement.py checks the verdicts against both marshmallow and
fastjsonschema.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import rules
from .json_schema import compiled_validator, users_json_schema
from .strict import compile_json_pattern

OK = "ok"                # every record well-formed, every rule holds
RULES = "rules"          # well-formed, but a semantic rule is broken (rules.py has the messages)
STRUCTURE = "structure"  # some record is malformed (marshmallow has the messages)


class ShapeMismatch(Exception):
    """The derived schema uses keywords this loop does not implement."""


@dataclass(frozen=True)
class RecordShape:
    """Everything the loop needs to know about a user record, read from the JSON Schema."""

    record_keys: frozenset[str]
    id_min: int
    id_max: int
    emails_min: int
    emails_max: int
    email_keys: frozenset[str]
    address_max: int
    address_search: Callable[[str], Any]  # the pattern's `search`, or the equal, faster `match`


def _expect(node: dict[str, Any], where: str, **required: Any) -> None:
    """Refuse a definition whose keywords differ from exactly `required` (+ description)."""
    allowed = set(required) | {"description"}
    if set(node) - allowed or not set(required) <= set(node):
        raise ShapeMismatch(f"{where}: keywords {sorted(node)}, loop implements {sorted(allowed)}")
    for key, value in required.items():
        if value is not ... and node[key] != value:
            raise ShapeMismatch(f"{where}.{key} is {node[key]!r}, loop implements {value!r}")


def derive_shape(schema: dict[str, Any]) -> RecordShape:
    """Read the loop's parameters from the users JSON Schema, or raise ShapeMismatch."""
    defs = schema["$defs"]
    obj = dict(type="object", properties=..., required=..., additionalProperties=False)
    record, email = defs["UserRecord"], defs["Email"]
    _expect(record, "UserRecord", **obj)
    _expect(email, "Email", **obj)
    for name, node in (("UserRecord", record), ("Email", email)):
        if sorted(node["required"]) != sorted(node["properties"]):
            raise ShapeMismatch(f"{name}: some properties are optional")
    if set(record["properties"]) != {"id", "emails"} or set(email["properties"]) != {
            "address", "primary"}:
        raise ShapeMismatch("record or email properties changed")
    uid, emails = record["properties"]["id"], record["properties"]["emails"]
    address, primary = email["properties"]["address"], email["properties"]["primary"]
    _expect(uid, "id", type="integer", minimum=..., maximum=...)
    _expect(emails, "emails", type="array", minItems=..., maxItems=...,
            items={"$ref": "#/$defs/Email"})
    _expect(address, "address", type="string", maxLength=..., pattern=...)
    _expect(primary, "primary", type="boolean")
    return RecordShape(frozenset(record["properties"]), uid["minimum"], uid["maximum"],
                       emails["minItems"], emails["maxItems"], frozenset(email["properties"]),
                       address["maxLength"], searcher(compile_json_pattern(address["pattern"])))


def searcher(compiled: re.Pattern[str]) -> Callable[[str], Any]:
    """`compiled.search`, or `compiled.match` when the two provably give the same verdict.

    WHY: measured on the address pattern, `match` costs a quarter less per call (about half a
    second over a million addresses). They agree when every match must start at position 0:
    the pattern begins with `^` (or with a `(?:...)` group that does, not repeated), nothing
    after that is a top-level `|` (`^a|b` is not anchored), and neither MULTILINE nor VERBOSE
    is on. Anything this reading is unsure of gets `search`: slower, never wrong.
    """
    if not compiled.flags & (re.MULTILINE | re.VERBOSE) and _anchored(compiled.pattern):
        return compiled.match
    return compiled.search


def _anchored(pattern: str) -> bool:
    """Whether `pattern` (no MULTILINE, no VERBOSE) can only match at the start: see `searcher`."""
    if pattern.startswith("^"):
        return _no_top_level_bar(pattern[1:])
    if pattern.startswith("(?:"):
        end = _group_end(pattern)
        if end is None or pattern[end + 1:end + 2] in ("?", "*", "+", "{"):
            return False  # unbalanced, or a group that may match nothing at all
        return _anchored(pattern[3:end]) and _no_top_level_bar(pattern[end + 1:])
    return False


def _tokens(pattern: str) -> Iterator[tuple[int, str]]:
    """(position, character) of the pattern's syntax: escapes, character classes and `(?#...)`
    comments are stepped over whole, so a `|`, `(` or `)` yielded is an operator."""
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i += 1
            if pattern[i:i + 1] == "^":
                i += 1
            if pattern[i:i + 1] == "]":
                i += 1  # a "]" first in a class is a literal
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
            continue
        if pattern.startswith("(?#", i):
            close = pattern.find(")", i)
            i = n if close < 0 else close + 1
            continue
        yield i, char
        i += 1


def _no_top_level_bar(pattern: str) -> bool:
    """No `|` outside every group, and the groups balance."""
    depth = 0
    for _, char in _tokens(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
        elif char == "|" and depth == 0:
            return False
    return depth == 0


def _group_end(pattern: str) -> int | None:
    """Where the group opening `pattern` closes (None: it does not)."""
    depth = 0
    for at, char in _tokens(pattern):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return at
    return None


@functools.lru_cache(maxsize=1)
def record_shape() -> RecordShape | None:
    """The shape for this process (None: schema not understood, use fastjsonschema)."""
    try:
        return derive_shape(users_json_schema())
    except ShapeMismatch:
        return None


GOOD, BROKEN_RULE, MALFORMED = 0, 1, 2  # states of one record


def make_record_check(shape: RecordShape) -> Callable[[Any], int]:
    """Build the per-record check with the shape's parameters bound as closure constants.

    WHY a closure: the loop body runs once per user (a million times for a big file), and
    closure variables are the cheapest lookups Python has short of literals.
    """
    record_keys, email_keys = shape.record_keys, shape.email_keys
    id_min, id_max, e_min, e_max = shape.id_min, shape.id_max, shape.emails_min, shape.emails_max
    a_max, search = shape.address_max, shape.address_search

    def check(user: Any) -> int:
        """GOOD, BROKEN_RULE (one primary / unique addresses) or MALFORMED."""
        if type(user) is not dict or user.keys() != record_keys:
            return MALFORMED
        uid = user["id"]
        if type(uid) is not int or uid < id_min or uid > id_max:
            return MALFORMED
        emails = user["emails"]
        if type(emails) is not list or not e_min <= len(emails) <= e_max:
            return MALFORMED
        primaries = 0
        for email in emails:
            if type(email) is not dict or email.keys() != email_keys:
                return MALFORMED
            address = email["address"]
            if type(address) is not str or len(address) > a_max or search(address) is None:
                return MALFORMED
            flag = email["primary"]
            if flag is True:
                primaries += 1
            elif flag is not False:
                return MALFORMED
        if primaries != 1:
            return BROKEN_RULE
        if len(emails) > 1 and len({e["address"].lower() for e in emails}) != len(emails):
            return BROKEN_RULE
        return GOOD

    return check


@functools.lru_cache(maxsize=1)
def record_check() -> Callable[[Any], int]:
    """The per-record check for this process: the tight one, or the fastjsonschema fallback."""
    shape = record_shape()
    return make_record_check(shape) if shape is not None else _check_with_fastjsonschema


def scan_users(users: list[Any], check: Callable[[Any], int] | None = None) -> str:
    """Verdict on the whole users array: OK, RULES or STRUCTURE (stops at the first malformed
    record; the caller then localises problems with `record_ok`).

    The inline rule checks (one primary, unique addresses ignoring case, unique ids) are only
    a yes/no filter; the messages always come from rules.py, and the agreement tests pin the
    two to the same verdict. `check` overrides the per-record check (tests use the fallback).
    """
    check = check or record_check()
    rules_ok = True
    for user in users:
        state = check(user)
        if state:
            if state == MALFORMED:
                return STRUCTURE
            rules_ok = False
    if rules_ok and len({user["id"] for user in users}) != len(users):
        rules_ok = False
    return OK if rules_ok else RULES


def record_ok(user: Any) -> bool:
    """Whether one record is well-formed (rules aside): used to localise STRUCTURE verdicts."""
    return record_check()(user) != MALFORMED


def _check_with_fastjsonschema(user: Any) -> int:
    """Fallback per-record check when the schema grew keywords the loop does not know:
    slower (the compiled, derived JSON Schema), same verdict."""
    from fastjsonschema import JsonSchemaValueException

    try:
        compiled_validator("UserRecord")(user)
    except JsonSchemaValueException:
        return MALFORMED
    if type(user["id"]) is not int:  # JSON Schema's "integer" also admits 1.0
        return MALFORMED
    return BROKEN_RULE if rules.email_rule_problems(user["emails"]) else GOOD
