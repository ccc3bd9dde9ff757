"""A quicker walk of the same marshmallow schemas, for big files whose every part is well formed.

WHY: marshmallow's per-object machinery costs ~50 µs an account, so a dump of the `large`
preset (265,000 accounts) would take over a minute to load. This walks the schemas' own
declared fields (the same source of truth: nothing about the format is restated here) and
calls each leaf field's own `deserialize`; it gives up (returns None) at the first thing that
is not plainly valid, and the caller then runs marshmallow itself for its exact messages.
tests/unit/test_scenario_files.py checks both give the same result.
"""
from __future__ import annotations

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


def _object(schema: Schema, data: Any) -> dict[str, Any]:
    """One object: unknown keys, missing required ones and defaults exactly as the schema declares."""
    if not isinstance(data, dict):
        raise _GiveUp
    declared = schema.load_fields
    if not data.keys() <= declared.keys():
        raise _GiveUp
    out: dict[str, Any] = {}
    for name, field in declared.items():
        if name in data:
            out[name] = _value(field, data[name])
        elif field.required:
            raise _GiveUp
        elif field.load_default is not missing:
            default = field.load_default
            out[name] = default() if callable(default) else default
    return out


def _value(field: fields.Field, value: Any) -> Any:
    """One field's value: nested schemas and lists walked here, leaves by the field itself."""
    if value is None:
        if not field.allow_none:
            raise _GiveUp
        return None
    if isinstance(field, fields.Nested):
        return _object(field.schema, value)
    if isinstance(field, fields.List):
        if not isinstance(value, list):
            raise _GiveUp
        items = [_value(field.inner, item) for item in value]
        for validator in field.validators:
            validator(items)
        return items
    if isinstance(field, fields.Dict):
        if not isinstance(value, dict):
            raise _GiveUp
        keys, values = field.key_field, field.value_field
        return {(keys.deserialize(k) if keys else k): (values.deserialize(v) if values else v)
                for k, v in value.items()}
    if isinstance(field, fields.Boolean):
        if not isinstance(value, bool):
            raise _GiveUp  # marshmallow also takes "yes", 1, ...: let it say so
        return value
    if isinstance(field, fields.String):
        if not isinstance(value, str):
            raise _GiveUp
    elif isinstance(field, fields.Integer):
        if value.__class__ is not int:
            raise _GiveUp
    elif isinstance(field, fields.AwareDateTime) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise _GiveUp from error
        if moment.tzinfo is None:
            raise _GiveUp
        value = moment
    else:
        return field.deserialize(value)
    for validator in field.validators:
        _check(validator, value)
    return value


def _check(validator: Any, value: Any) -> None:
    """A validator's verdict, the common ones without marshmallow's per-call set-up."""
    if isinstance(validator, validate.OneOf):
        ok = value in validator.choices
    elif isinstance(validator, validate.Regexp):
        ok = validator.regex.match(value) is not None
    elif isinstance(validator, validate.Range):
        ok = (validator.min is None or value >= validator.min) and (validator.max is None or value <= validator.max)
    elif isinstance(validator, validate.Length):
        size = len(value)
        ok = (validator.min is None or size >= validator.min) and (validator.max is None or size <= validator.max)
    elif isinstance(validator, validate.Equal):
        ok = value == validator.comparable
    else:
        validator(value)
        return
    if not ok:
        raise _GiveUp
