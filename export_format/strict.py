"""Strict marshmallow fields and validators that match JSON Schema semantics exactly.

WHY a module of its own: marshmallow's stock Integer/Boolean/Regexp are lenient in ways JSON
Schema is not (bool counts as an integer, "yes" as a boolean, "$" matches before a trailing
newline). The export schemas need fields whose verdict equals the derived JSON Schema's, so
that the marshmallow path, the fast path and any other implementation agree.
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate

from . import rules

TIMESTAMP_PATTERN = (r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
                     r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?Z$")


def chars_length(min_len: int | None = None, max_len: int | None = None) -> validate.Length:
    """A string Length validator whose message names the bound and the unit (characters)."""
    low = "" if min_len is None else f"at least {min_len} and "
    return validate.Length(min=min_len, max=max_len,
                           error=f"must be {low}at most {max_len} characters long")


def items_length(min_len: int | None = None, max_len: int | None = None) -> validate.Length:
    """An array Length validator whose message names the bounds and the unit (items)."""
    if max_len is None:
        return validate.Length(min=min_len, error=f"must have at least {min_len} item(s)")
    low = "" if min_len is None else f"at least {min_len} and "
    return validate.Length(min=min_len, max=max_len, error=f"must have {low}at most {max_len} items")


def compile_json_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a JSON Schema `pattern` for Python with ECMA-262's end-of-string "$".

    WHY: Python's "$" also matches before a trailing newline, so "a@b.example\\n" would pass;
    fastjsonschema rewrites unescaped "$" to "\\Z" and so do we, everywhere we match.
    """
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


class AnchoredRegexp(validate.Regexp):
    """A Regexp validator with JSON Schema's (ECMA-262) end-of-string semantics.

    WHY: Python's "$" also matches before a trailing newline, so "a@b.example\\n" would pass
    marshmallow yet fail fastjsonschema (which rewrites "$" to "\\Z"). `regex` keeps the
    original pattern so apispec publishes it unchanged; matching uses the "\\Z" form.
    Values longer than `skip_over` are not matched at all: a Length validator on the same
    field reports them, and no regex should ever run over a megabyte-long "email". A field
    with no Length validator gives no `skip_over` (its anchored fixed-length pattern fails at
    once on a long value): skipping there let a 300-character `server_id` through (issue 18).
    """

    def __init__(self, regex: str, *, error: str, skip_over: int | None = None) -> None:
        """Keep the published pattern in `regex` (for apispec), match with the "\\Z" form."""
        super().__init__(regex, error=error)
        self._strict = compile_json_pattern(regex)
        self._skip_over = skip_over

    def __call__(self, value: Any) -> Any:  # Any: marshmallow overloads str and bytes; the export passes str
        """Match like fastjsonschema does (`search` with "\\Z"), so both paths agree."""
        if self._skip_over is not None and len(value) > self._skip_over:
            return value
        if self._strict.search(value) is None:
            raise ValidationError(self.error)
        return value


class Rfc3339Utc(AnchoredRegexp):
    """RFC 3339 timestamp in UTC ("Z"), also rejecting impossible dates like 02-30."""

    def __init__(self) -> None:
        """One pattern for every timestamp of the format, so they cannot diverge."""
        super().__init__(TIMESTAMP_PATTERN, skip_over=64,
                         error="must be an RFC 3339 UTC timestamp like 2026-11-28T10:00:00Z")

    def __call__(self, value: Any) -> Any:
        """Shape first (pattern), then the calendar (shared rule, same as the fast path)."""
        super().__call__(value)
        problem = rules.timestamp_problem(value)
        if problem:
            raise ValidationError(problem)
        return value


class StrictInteger(fields.Integer):
    """An integer that must be a JSON integer: no bool, float (even 1.0) or numeric string."""

    default_error_messages = {"invalid": "must be an integer (not a string, boolean or decimal)"}

    def __init__(self, **kwargs: Any) -> None:
        """Always strict: the format never accepts numeric strings."""
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        """Refuse bool explicitly: WHY, bool is an Integral in Python and would pass strict."""
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    """A boolean that must be JSON true/false, not "true", 1 or "yes"."""

    default_error_messages = {"invalid": "must be true or false"}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        """WHY: marshmallow's Boolean accepts truthy strings; a file saying "primary": "yes"
        is a broken exporter and must be reported, not guessed."""
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)
