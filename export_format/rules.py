"""Semantic rules of the export format that a JSON Schema cannot express.

WHY a module of its own: the same rule must give the same verdict and the same message in
two places, the marshmallow schemas (the single source of truth, used on the slow path and by
anyone loading with the schemas directly) and the validator's fast path, which runs these
functions in a tight loop after fastjsonschema has checked the structure. Every function here
is robust to malformed input (it skips what it cannot judge: the structural validators
report that), so it can run on raw JSON before or after structural validation.

Paths are tuples of keys and list indexes relative to the object being checked.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

PathParts = tuple[str | int, ...]
RuleProblem = tuple[PathParts, str]

NO_PRIMARY = "no primary email: exactly one email must have \"primary\": true"
MANY_PRIMARIES = "{count} primary emails (at {where}): exactly one email must be primary"


def email_rule_problems(emails: Any) -> list[RuleProblem]:
    """Check "exactly one primary" and "addresses unique within the user, ignoring case".

    WHY case-insensitive: GHEC matches on the primary address ignoring case (DOMAIN §4, our
    documented choice), so two addresses differing only in case are the same address and a
    record listing both is ambiguous. Paths are relative to the user record.
    """
    if not isinstance(emails, list) or not emails:
        return []  # type/emptiness is the schema's job
    if len(emails) == 1:  # the common case, kept cheap for the hot path
        only = emails[0]
        if isinstance(only, dict) and only.get("primary") is False:
            return [(("emails",), NO_PRIMARY)]
        return []
    problems: list[RuleProblem] = []
    primaries = []
    seen: dict[str, int] = {}
    judged_primary = True
    for index, email in enumerate(emails):
        if not isinstance(email, dict):
            judged_primary = False
            continue
        flag = email.get("primary")
        if flag is True:
            primaries.append(index)
        elif flag is not False:
            judged_primary = False  # missing or mistyped: the schema reports it
        address = email.get("address")
        if isinstance(address, str):
            folded = address.lower()
            first = seen.setdefault(folded, index)
            if first != index:
                problems.append((("emails", index, "address"),
                                 f"duplicate address: same as emails[{first}] (ignoring case)"))
    if len(primaries) > 1:
        where = ", ".join(f"emails[{i}]" for i in primaries)
        problems.insert(0, (("emails",), MANY_PRIMARIES.format(count=len(primaries), where=where)))
    elif not primaries and judged_primary:
        problems.insert(0, (("emails",), NO_PRIMARY))
    return problems


def duplicate_id_problems(users: Any) -> list[RuleProblem]:
    """Report every user record whose id already appeared earlier in the file.

    WHY an error rather than "last one wins": a GHES instance has one account per id, so a
    repeated id means the exporter is broken, and silently merging would hide which emails
    crossed over. Only exact ints are compared (bools and floats are type errors elsewhere).
    Paths are relative to the users array.
    """
    if not isinstance(users, list):
        return []
    seen: dict[int, int] = {}
    problems: list[RuleProblem] = []
    for index, user in enumerate(users):
        if not isinstance(user, dict):
            continue
        uid = user.get("id")
        if type(uid) is not int:
            continue
        first = seen.setdefault(uid, index)
        if first != index:
            problems.append(((index, "id"), f"duplicate user id {uid}: already used by users[{first}]"))
    return problems


def duplicate_feature_problems(features: Any) -> list[RuleProblem]:
    """Report a feature listed twice in the instance block.

    WHY: a feature has one enabled_at; two entries would leave the reader to guess which one
    counts. Paths are relative to the instance object.
    """
    if not isinstance(features, list):
        return []
    seen: dict[str, int] = {}
    problems: list[RuleProblem] = []
    for index, feature in enumerate(features):
        name = feature.get("name") if isinstance(feature, dict) else None
        if isinstance(name, str):
            first = seen.setdefault(name, index)
            if first != index:
                problems.append((("features", index, "name"),
                                 f"duplicate feature {name!r}: already listed at features[{first}]"))
    return problems


def timestamp_problem(value: Any) -> str | None:
    """Return why an RFC 3339 UTC timestamp that matched the pattern is still impossible.

    WHY: the regular expression bounds each field (month 01-12, day 01-31, ...) but cannot
    know that 2026-02-30 does not exist; this check closes that gap. Values that are not
    strings of the right shape are left to the pattern validator (returns None).
    """
    if not isinstance(value, str) or len(value) < 20:
        return None
    try:
        datetime(int(value[0:4]), int(value[5:7]), int(value[8:10]))
    except ValueError as exc:
        return f"not a real date: {exc}"
    return None
