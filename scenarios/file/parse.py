"""Reading a scenario file's text (YAML or JSON) and turning marshmallow's errors into `path: message`.

WHY a YAML loader of our own: PyYAML's safe loader turns unquoted timestamps into datetime
objects and would make `2026-01-01T00:00:00Z` mean something other than the JSON file with
the same text; here every scalar a JSON file could hold means the same in both.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgspec
import yaml

# WHY the project's one pause (counted, thread-safe): GHEC loads a file inside its own seeding pause,
# and a second, uncounted pause would turn the collector back on in the middle of it.
from export_format.gcpause import gc_paused


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a scenario file: where (`$.enterprises[0].accounts[1].login`) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        """`path: message`, the one-line form the CLI prints."""
        return f"{self.path}: {self.message}"


class ScenarioFileError(ValueError):
    """A scenario file that cannot be loaded, with every problem found (nothing was loaded)."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems in file order; the message lists them all, one per line."""
        self.problems = problems
        super().__init__("the scenario file has {} problem{}:\n{}".format(
            len(problems), "" if len(problems) == 1 else "s", "\n".join(f"  {p}" for p in problems)))

    def as_json(self) -> list[dict[str, str]]:
        """The problems as `[{path, message}]`, the shape the control plane answers with."""
        return [{"path": p.path, "message": p.message} for p in self.problems]


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: times stay strings, as in JSON."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def parse_text(text: str | bytes, name: str = "") -> Any:
    """The document in `text`: JSON when it parses as JSON (or `name` ends in .json), else YAML."""
    with gc_paused():
        return _parse(text, name)


def _parse(text: str | bytes, name: str) -> Any:
    """`parse_text`'s work."""
    raw = text
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ScenarioFileError([Problem("$", f"not UTF-8 text ({error.reason} at byte {error.start})")]) \
                from error
    stripped = text.lstrip()
    if name.endswith(".json") or stripped.startswith(("{", "[")):
        try:
            return msgspec.json.decode(raw)  # WHY: twice json.loads's speed; it takes no more than json.loads
        except (msgspec.DecodeError, ValueError):  # and gives the same; NaN, 1e400, a lone surrogate: json's say
            pass
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            if name.endswith(".json"):
                raise ScenarioFileError([Problem("$", f"not valid JSON: {error.msg} at line {error.lineno}, "
                                                      f"column {error.colno}")]) from error
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(error, "problem", None) or str(error)
        raise ScenarioFileError([Problem("$", f"not valid YAML or JSON: {what}{where}")]) from error


def flatten(errors: Any, path: str = "$") -> list[Problem]:
    """marshmallow's nested error dict as a flat list of problems with JSONPath-like paths."""
    if isinstance(errors, dict):
        out: list[Problem] = []
        for key, value in errors.items():
            if key == "_schema":
                out += flatten(value, path)
            elif isinstance(key, int):
                out += flatten(value, f"{path}[{key}]")
            elif key in ("key", "value") and isinstance(value, list):
                out += flatten(value, path)
            else:
                out += flatten(value, f"{path}.{key}")
        return out
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return [Problem(path, _phrase(e)) for e in errors]
    if isinstance(errors, list):
        return [p for e in errors for p in flatten(e, path)]
    return [Problem(path, _phrase(str(errors)))]


def _phrase(message: str) -> str:
    """marshmallow's "Unknown field." as "unknown key", the rest lower-cased without the final stop."""
    if message == "Unknown field.":
        return "unknown key"
    if message == "Missing data for required field.":
        return "required"
    return message[:1].lower() + message[1:].rstrip(".")
