"""A quicker load of the same marshmallow schemas, for big files whose every part is well formed.

WHY: marshmallow's per-object machinery costs ~50 µs an account, and a generic walk of the
declared fields still ~6 µs; a 10,000-person file has ~54,000 objects. So the loader is Python
source GENERATED from the schemas' declared fields (one function per schema class, each field's
type test and validators written out inline) and compiled once per process: the same source
of truth, nothing about the format is restated here. It gives up (returns None) at the first
thing that is not plainly valid, and the caller then runs marshmallow itself for its exact
messages. A field or validator this generator does not know is handed to marshmallow's own
`deserialize` / `__call__` (slower, never different); a schema feature it does not implement
(data_key, many, another `unknown`, field hooks) turns the quick path off altogether.
tests/unit/test_scenario_file_fast.py checks both give the same verdicts and the same result.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate


class _GiveUp(Exception):
    """Something here needs marshmallow's own error reporting."""


class Unsupported(Exception):
    """The schemas use something the generator does not implement: no quick path (marshmallow only)."""


def fast_load(schema: Schema, data: Any) -> dict[str, Any] | None:
    """`schema.load(data)` for well-formed data, or None when anything needs marshmallow's messages."""
    if schema.only is not None or schema.exclude or schema.many or schema.partial or schema.unknown != RAISE:
        return None
    loader = compiled(type(schema))
    if loader is None:
        return None
    try:
        return loader(data)
    except (_GiveUp, ValidationError):
        return None


@functools.lru_cache(maxsize=16)
def compiled(schema_class: type[Schema]) -> Callable[[Any], dict[str, Any]] | None:
    """The generated loader of `schema_class` (raises _GiveUp on anything not plainly valid), or None
    when the schemas use something `_Generator` does not implement."""
    try:
        return _Generator().build(schema_class)
    except Unsupported:
        return None


def source(schema_class: type[Schema]) -> str:
    """The generated Python source of `schema_class`'s loader (for reading and for the tests)."""
    generator = _Generator()
    generator.schema(schema_class)
    return "\n".join(generator.lines)


class _Generator:
    """Writes one `load_<Class>(d)` function per schema class reached, then compiles them together."""

    def __init__(self) -> None:
        """An empty module: `G` is the give-up exception, `M` the "key absent" marker."""
        self.lines: list[str] = []
        self.env: dict[str, Any] = {"G": _GiveUp, "M": missing, "VE": ValidationError,
                                    "FROMISO": datetime.fromisoformat}
        self.schemas: dict[type, str] = {}
        self.count = 0

    def build(self, schema_class: type[Schema]) -> Callable[[Any], dict[str, Any]]:
        """Generate, compile and return the root loader."""
        root = self.schema(schema_class)
        exec(compile("\n".join(self.lines), f"<scenario-file loader {schema_class.__name__}>", "exec"), self.env)
        loader: Callable[[Any], dict[str, Any]] = self.env[root]
        return loader

    def constant(self, value: Any, prefix: str) -> str:
        """A name in the generated module bound to `value`."""
        self.count += 1
        name = f"{prefix}{self.count}"
        self.env[name] = value
        return name

    def schema(self, schema_class: type[Schema]) -> str:
        """The name of the loader function of `schema_class` (generated once)."""
        if schema_class in self.schemas:
            return self.schemas[schema_class]
        instance = schema_class()
        if instance.unknown != RAISE or instance.only is not None or instance.exclude:
            raise Unsupported(f"{schema_class.__name__}: only unknown=RAISE, no only/exclude")
        name = self.schemas[schema_class] = f"load_{schema_class.__name__}_{len(self.schemas)}"
        declared = instance.load_fields
        body = [f"def {name}(d):",
                f"    if d.__class__ is not dict or not {self.constant(frozenset(declared), 'NAMES')}.issuperset(d):",
                "        raise G"]
        always: list[tuple[str, int]] = []
        sometimes: list[tuple[str, int]] = []
        for n, (key, field) in enumerate(declared.items()):
            if (field.data_key or key) != key or (field.attribute or key) != key or field.pre_load or field.post_load:
                raise Unsupported(f"{schema_class.__name__}.{key}: data_key, attribute or field hooks")
            body.append(f"    v = d.get({key!r}, M)")
            if field.required:
                body += ["    if v is M:", "        raise G"]
                absent = None
            elif field.load_default is missing:
                absent = "M"
            elif callable(field.load_default):
                absent = f"{self.constant(field.load_default, 'DEFAULT')}()"
            else:
                absent = self.constant(field.load_default, "DEFAULT")
            check = self.value(field, "v")
            if absent is None:
                body += [f"    {line}" for line in check]
            else:
                body += ["    if v is M:", f"        v = {absent}", "    else:", *(f"        {line}" for line in check)]
            body.append(f"    r{n} = v")
            (sometimes if absent == "M" else always).append((key, n))
        body.append("    out = {" + ", ".join(f"{key!r}: r{n}" for key, n in always) + "}")
        for key, n in sometimes:
            body += [f"    if r{n} is not M:", f"        out[{key!r}] = r{n}"]
        body.append("    return out")
        self.lines += [*body, ""]
        return name

    def value(self, field: Any, var: str) -> list[str]:
        """Lines that check `var` (present in the input) for `field` and leave the loaded value in it."""
        lines = self._typed(field, var)
        if field.allow_none:
            return [f"if {var} is not None:"] + [f"    {line}" for line in lines] if lines else []
        return lines

    def item(self, field: Any) -> str:
        """The name of a one-value function `field` (a list's items, a dict's keys or values) loads with."""
        if type(field) is fields.Nested:
            nested = self._nested(field)
            if not field.allow_none:
                return nested
        self.count += 1
        name = f"item{self.count}"
        self.lines += [f"def {name}(x):"] + [f"    {line}" for line in self.value(field, "x")] + ["    return x", ""]
        return name

    def _nested(self, field: fields.Nested) -> str:
        """The loader of a Nested field's schema (one object, the schema's own settings)."""
        target = field.nested
        if not (isinstance(target, type) and issubclass(target, Schema)) or field.many or field.only is not None \
                or field.exclude or field.unknown not in (None, RAISE):
            raise Unsupported(f"Nested({target!r}): only a plain schema class")
        return self.schema(target)

    def _typed(self, field: Any, v: str) -> list[str]:
        """The type test and conversion of each field class the schemas use, then its validators."""
        if type(field) is fields.Nested:
            return [f"{v} = {self._nested(field)}({v})"]
        if type(field) is fields.List:
            lines = [f"if {v}.__class__ is not list:", "    raise G"]
            if _kept_as_is(field.inner):  # checked in a loop here, then copied (marshmallow gives a new list)
                lines += [f"for {v}_i in {v}:", *(f"    {line}" for line in self.value(field.inner, f"{v}_i")),
                          f"{v} = list({v})"]
            else:
                lines.append(f"{v} = [{self.item(field.inner)}(x) for x in {v}]")
        elif type(field) is fields.Dict:
            lines = [f"if {v}.__class__ is not dict:", "    raise G"]
            keys, values = field.key_field, field.value_field
            if all(f is None or _kept_as_is(f) for f in (keys, values)):
                checks = [*(self.value(keys, f"{v}_k") if keys is not None else []),
                          *(self.value(values, f"{v}_v") if values is not None else [])]
                lines += [f"for {v}_k, {v}_v in {v}.items():", *(f"    {line}" for line in checks or ["pass"]),
                          f"{v} = dict({v})"]
            else:
                key = f"{self.item(keys)}(k)" if keys is not None else "k"
                value = f"{self.item(values)}(x)" if values is not None else "x"
                lines.append(f"{v} = {{{key}: {value} for k, x in {v}.items()}}")
        elif type(field) is fields.Boolean and _kept_as_is(field):
            lines = [f"if {v} is not True and {v} is not False:", "    raise G"]  # "yes", 1, ...: marshmallow's
        elif type(field) in (fields.String, fields.Email) or (type(field) is fields.Integer and field.strict):
            wanted = "int" if type(field) is fields.Integer else "str"
            lines = [f"if {v}.__class__ is not {wanted}:", "    raise G"]
        elif type(field) is fields.AwareDateTime and field.format in (None, "iso", "iso8601") \
                and field.default_timezone is None:
            lines = [f"if {v}.__class__ is not str:", "    raise G", "try:", f"    {v} = FROMISO({v})",
                     "except ValueError:", "    raise G from None", f"if {v}.utcoffset() is None:", "    raise G"]
        elif callable(getattr(type(field), "accepts", None)):  # this package's own fields: scenarios.file.schemas
            lines = [f"if not {self.constant(type(field).accepts, 'ACCEPTS')}({v}):", "    raise G"]
        else:  # anything else: the field itself (it runs its own validators)
            return ["try:", f"    {v} = {self.constant(field.deserialize, 'FIELD')}({v})",
                    "except VE:", "    raise G from None"]
        typed = type(field) in (fields.String, fields.Email, fields.Integer)
        for validator in field.validators:
            lines += [f"if {self.refused(validator, v, typed)}:", "    raise G"]
        return lines

    def refused(self, validator: Any, v: str, typed: bool) -> str:
        """A condition, true when `validator` refuses `v` (`typed`: v is a str or an int by now)."""
        kind = type(validator)
        if kind is validate.Regexp:
            return f"{self.constant(validator.regex.match, 'MATCH')}({v}) is None"
        if kind is validate.OneOf and typed:
            try:
                return f"{v} not in {self.constant(frozenset(validator.choices), 'CHOICES')}"
            except TypeError:  # unhashable choices: marshmallow's own comparison below
                pass
        if kind is validate.Range:
            low, high = validator.min, validator.max
            parts = ([f"{v} {'<' if validator.min_inclusive else '<='} {self.constant(low, 'LOW')}"] if low is not None
                     else []) + ([f"{v} {'>' if validator.max_inclusive else '>='} {self.constant(high, 'HIGH')}"]
                                 if high is not None else [])
            return " or ".join(parts) or "False"
        if kind is validate.Length:
            if validator.equal is not None:
                return f"len({v}) != {validator.equal!r}"
            parts = ([f"len({v}) < {validator.min!r}"] if validator.min is not None else []) + (
                [f"len({v}) > {validator.max!r}"] if validator.max is not None else [])
            return " or ".join(parts) or "False"
        if kind is validate.Email:
            return f"not {self.constant(email_check(validator), 'EMAIL')}({v})"
        return f"not {self.constant(_verdict(validator), 'VALIDATOR')}({v})"


def _kept_as_is(field: Any) -> bool:
    """Whether `_typed` only checks `field`'s values (loads each as the very value given)."""
    return type(field) in (fields.String, fields.Email) or (type(field) is fields.Integer and field.strict) or \
        (type(field) is fields.Boolean and True in field.truthy and False in field.falsy) or \
        callable(getattr(type(field), "accepts", None))


def email_check(validator: validate.Email) -> Callable[[str], bool]:
    """marshmallow's Email validator as a predicate, from the validator's own regexes and allow-list
    (what its `__call__` does, without formatting an error message for every address). WHY the
    domains' verdicts are kept: the domain pattern (every Unicode letter) is two thirds of the
    cost, and a file's addresses share a few domains."""
    user, domain, allowed = validator.USER_REGEX.match, validator.DOMAIN_REGEX.match, validator.DOMAIN_WHITELIST
    domains: dict[str, bool] = {}

    def ok(value: str) -> bool:
        """Whether `value` is an address the validator accepts."""
        if not value or "@" not in value:
            return False
        user_part, _, domain_part = value.rpartition("@")
        if user(user_part) is None:
            return False
        known = domains.get(domain_part)
        if known is None:
            known = domain_part in allowed or domain(domain_part) is not None
            if len(domains) < _DOMAINS_KEPT:
                domains[domain_part] = known
        return known
    return ok


_DOMAINS_KEPT = 4096  # domain verdicts an email check keeps (a bound, not a tuning: a file has few)


def _verdict(validator: Any) -> Callable[[Any], bool]:
    """Any other validator as a predicate: its own call, an error meaning no."""
    def ok(value: Any) -> bool:
        """Whether `validator` accepts `value`."""
        try:
            validator(value)
        except ValidationError:
            return False
        return True
    return ok
