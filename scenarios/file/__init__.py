"""Scenario files: a world stated by hand (YAML or JSON), loaded as the same `Scenario` the generator builds.

    from scenarios.file import load_path, load_text, dump_text, ScenarioFileError
    scenario = load_path("alice.yaml")           # -> scenarios.Scenario
    load_text(text)                              # the same from a string (PUT /_mock/scenario)

The format is docs/scenarios.md's "Scenario files"; its source of truth is schemas.py and the
published JSON Schema (fixtures/schema/scenario-file/1-0-0.json) is derived from it. A file
with mistakes raises ScenarioFileError listing every problem as `path: message`.
"""
from __future__ import annotations

import copy
import gc
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from export_format.gcpause import gc_paused

from ..model import Scenario
from ..world import FREEZE_FROM
from .build import FILE_PRESET, build
from .fast import fast_load
from .parse import Problem, ScenarioFileError, flatten, parse_text
from .schemas import FORMAT_VERSION, ScenarioFileSchema

__all__ = ["FILE_PRESET", "FORMAT_VERSION", "Problem", "ScenarioFileError", "load_document", "load_path",
           "load_text", "parse_text", "validate_document"]


def validate_document(raw: Any) -> dict[str, Any]:
    """The document with marshmallow's defaults applied, or ScenarioFileError with every shape problem."""
    if not isinstance(raw, dict):
        raise ScenarioFileError([Problem("$", "a scenario file is a mapping (version, people, enterprises, ghes)")])
    try:
        return ScenarioFileSchema().load(raw)
    except ValidationError as error:
        raise ScenarioFileError(flatten(error.messages)) from error


def load_document(raw: Any) -> Scenario:
    """The world a parsed file (a dict) states; every problem, of shape and of reference, at once.

    WHY the second pass: when the shape is wrong somewhere, the parts that are fine are still
    checked for references (an email used twice, an undeclared organization), by building a
    copy with the broken keys left out; problems under a left-out key are not repeated.
    """
    if not isinstance(raw, dict):
        raise ScenarioFileError([Problem("$", "a scenario file is a mapping (version, people, enterprises, ghes)")])
    with gc_paused():
        scenario = _load(raw)
        if len(scenario.people) >= FREEZE_FROM:  # as the generator does: later collections skip the world
            gc.freeze()
        return scenario


def _load(raw: dict[str, Any]) -> Scenario:
    """`load_document`'s work."""
    quick = fast_load(ScenarioFileSchema(), raw)
    if quick is not None:
        return build(quick)
    try:
        doc = ScenarioFileSchema().load(raw)
    except ValidationError as error:
        shape = flatten(error.messages)
        pruned = copy.deepcopy(raw)
        _prune(pruned, error.messages)
        try:
            build(ScenarioFileSchema().load(pruned))
        except ValidationError:
            raise ScenarioFileError(shape) from None
        except ScenarioFileError as more:
            left_out = [p.path for p in shape]
            extra = [p for p in more.problems if not any(p.path.startswith(x) for x in left_out)]
            raise ScenarioFileError(sorted(shape + extra, key=lambda p: _order(p.path))) from None
        raise ScenarioFileError(shape) from None
    return build(doc)


def _prune(raw: Any, errors: Any) -> None:
    """Delete every key marshmallow complained about, so the rest can still be checked."""
    if not isinstance(errors, dict):
        return
    for key, value in errors.items():
        if key == "_schema":
            continue
        try:
            child = raw[key]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, dict) and not set(value) <= {"key", "value"} and isinstance(child, (dict, list)):
            _prune(child, value)
        elif isinstance(raw, dict):
            del raw[key]


def _order(path: str) -> list[Any]:
    """Sort key for paths: by part, numbers as numbers, so [10] comes after [9]."""
    parts: list[Any] = []
    for piece in path.replace("]", "").replace("[", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return parts


def load_text(text: str | bytes, name: str = "") -> Scenario:
    """The world a file's text states (YAML or JSON)."""
    return load_document(parse_text(text, name))


def load_path(path: str | Path) -> Scenario:
    """The world the file at `path` states; an unreadable file is one problem, not a traceback."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as error:
        raise ScenarioFileError([Problem("$", f"cannot read {path}: {error.strerror or error}")]) from error
    return load_text(text, path.name)
