"""A quicker walk of the same marshmallow schemas, for big files whose every part is well formed.

WHY: marshmallow's per-object machinery costs ~50 µs an account, so a dump of the `large`
preset (265,000 accounts) would take over a minute to load. This walks the schemas' own
declared fields (the same source of truth: nothing about the format is restated here) and
calls each leaf field's own `deserialize`; it gives up (returns None) at the first thing that
is not plainly valid, and the caller then runs marshmallow itself for its exact messages.
tests/unit/test_scenario_files.py checks both give the same result.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from marshmallow.utils import missing


class _GiveUp(Exception):
    """Something here needs marshmallow's own error reporting."""


def fast_load(schema: Schema, data: Any) -> dict[str, Any] | None:
    """`schema.load(data)` for well-formed data, or None when anything needs marshmallow's messages."""
    try:
        return _object(schema, data)
    except (_GiveUp, ValidationError):
        return None


#: A field's kind, so `_value` dispatches once per field, not through an isinstance chain per value.
_NESTED, _LIST, _DICT, _BOOL, _STRING, _INTEGER, _DATETIME, _OTHER = range(8)
_KINDS = ((fields.Nested, _NESTED), (fields.List, _LIST), (fields.Dict, _DICT), (fields.Boolean, _BOOL),
          (fields.String, _STRING), (fields.Integer, _INTEGER), (fields.AwareDateTime, _DATETIME))
#: A field made ready: (kind, the field, its validators as predicates, the list's inner field made ready).
_Spec = tuple[int, Any, tuple[Callable[[Any], bool], ...], Any]
#: (name, spec, required, load_default) per declared field, and the declared names.
_Plan = tuple[list[tuple[str, _Spec, bool, Any]], frozenset[str]]
_PLANS: dict[type, _Plan] = {}


def _plan(schema: Schema) -> _Plan:
    """The schema's declared fields made ready once per schema class (the schemas here set no only/exclude).

    WHY: reading each field's kind, attributes and validators again for every object was most of
    the cost of loading a large file (hundreds of thousands of objects, about twenty fields each)."""
    if schema.only is not None or schema.exclude:
        return _make_plan(schema)
    plan = _PLANS.get(type(schema))
    if plan is None:
        plan = _PLANS[type(schema)] = _make_plan(schema)
    return plan


def _make_plan(schema: Schema) -> _Plan:
    """Build `_plan`'s answer."""
    declared = schema.load_fields
    return ([(name, _spec(f), bool(f.required), f.load_default) for name, f in declared.items()],
            frozenset(declared))


def _spec(field: Any) -> _Spec:
    """One field made ready for `_value`."""
    kind = next((k for cls, k in _KINDS if isinstance(field, cls)), _OTHER)
    checks = tuple(_predicate(v) for v in field.validators) if kind in (_STRING, _INTEGER, _DATETIME) else ()
    return kind, field, checks, _spec(field.inner) if kind == _LIST else None


def _predicate(validator: Any) -> Callable[[Any], bool]:
    """A validator's verdict as a plain predicate, the common ones without marshmallow's per-call set-up."""
    if isinstance(validator, validate.OneOf):
        try:
            return frozenset(validator.choices).__contains__
        except TypeError:  # unhashable choices: compare one by one
            return lambda value: value in validator.choices
    if isinstance(validator, validate.Regexp):
        return lambda value: validator.regex.match(value) is not None
    if isinstance(validator, validate.Range):
        low, high = validator.min, validator.max
        return lambda value: (low is None or value >= low) and (high is None or value <= high)
    if isinstance(validator, validate.Length):
        shortest, longest = validator.min, validator.max
        return lambda value: (shortest is None or len(value) >= shortest) and (longest is None or len(value) <= longest)
    if isinstance(validator, validate.Equal):
        return lambda value: bool(value == validator.comparable)

    def other(value: Any) -> bool:
        validator(value)  # raises ValidationError: fast_load gives up
        return True
    return other


def _object(schema: Schema, data: Any) -> dict[str, Any]:
    """One object: unknown keys, missing required ones and defaults exactly as the schema declares."""
    if not isinstance(data, dict):
        raise _GiveUp
    entries, names = _plan(schema)
    if not names.issuperset(data):
        raise _GiveUp
    out: dict[str, Any] = {}
    for name, spec, required, default in entries:
        if name in data:
            out[name] = _value(spec, data[name])
        elif required:
            raise _GiveUp
        elif default is not missing:
            out[name] = default() if callable(default) else default
    return out


def _value(spec: _Spec, value: Any) -> Any:
    """One field's value: nested schemas and lists walked here, leaves by the field itself."""
    kind, field, checks, inner = spec
    if value is None:
        if not field.allow_none:
            raise _GiveUp
        return None
    if kind == _NESTED:
        return _object(field.schema, value)
    if kind == _LIST:
        if not isinstance(value, list):
            raise _GiveUp
        items = [_value(inner, item) for item in value]
        for validator in field.validators:
            validator(items)
        return items
    if kind == _DICT:
        if not isinstance(value, dict):
            raise _GiveUp
        keys, values = field.key_field, field.value_field
        return {(keys.deserialize(k) if keys else k): (values.deserialize(v) if values else v)
                for k, v in value.items()}
    if kind == _BOOL:
        if not isinstance(value, bool):
            raise _GiveUp  # marshmallow also takes "yes", 1, ...: let it say so
        return value
    if kind == _STRING:
        if not isinstance(value, str):
            raise _GiveUp
    elif kind == _INTEGER:
        if value.__class__ is not int:
            raise _GiveUp
    elif kind == _DATETIME and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise _GiveUp from error
        if moment.tzinfo is None:
            raise _GiveUp
        value = moment
    else:
        return field.deserialize(value)
    for ok in checks:
        if not ok(value):
            raise _GiveUp
    return value
