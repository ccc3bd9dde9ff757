"""How the apps, the plugin and the sync client reach a world: a generated spec or a scenario file.

A server keeps the file's parsed document with its scenario spec (not the path), so a reset, a
second worker or a restart with --state rebuilds the same world even if the file has changed
or gone since. `--seed` given beside a file replaces the file's seed (tokens derive from it).
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from ..model import Scenario
from . import load_document
from .build import FILE_PRESET
from .parse import Problem, ScenarioFileError, parse_text


def world(seed: int, preset: str, params: Mapping[str, Any], document: Mapping[str, Any] | None) -> Scenario:
    """The Scenario of a stored spec: the file's world (with this seed) or the generated one."""
    if document is None:
        from .. import build as build_generated

        return build_generated(seed, preset, **dict(params))
    return load_document({**document, "seed": seed})


def read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A scenario file's parsed document, checked completely (every problem raised at once)."""
    return checked(_parsed(path))


def read_world(path: str | os.PathLike[str], seed: Any = None) -> tuple[dict[str, Any], Scenario]:
    """`read_document(path)` and its world (`checked_world`), built once: checking builds it."""
    return checked_world(_parsed(path), seed)


def _parsed(path: str | os.PathLike[str]) -> Any:
    """A scenario file's text parsed (YAML or JSON), not checked yet."""
    target = Path(path)
    try:
        text = target.read_bytes()
    except OSError as error:
        raise ScenarioFileError([Problem("$", f"cannot read {target}: {error.strerror or error}")]) from error
    return parse_text(text, target.name)


def checked(document: Any) -> dict[str, Any]:
    """The document itself once it loads without a problem (raises ScenarioFileError otherwise)."""
    load_document(document)
    return dict(document)


def checked_world(document: Any, seed: Any = None) -> tuple[dict[str, Any], Scenario]:
    """`checked(document)` and the world a server then loads (with `seed` when given, else the
    file's own), built once. WHY: checking builds the world; building it again to load it doubled
    the time a large file takes (a 100,000-person world: tens of seconds)."""
    scenario = load_document(document)
    kept = dict(document)
    if seed is not None and seed != scenario.seed:
        scenario = load_document({**kept, "seed": seed})
    return kept, scenario


def file_seed(document: Mapping[str, Any], settings: Mapping[str, Any]) -> int:
    """The seed a file's world is built with: --seed / *_SEED when given, else the file's own (default 1)."""
    if settings.get("SEED_GIVEN"):
        return int(settings["SEED"])
    seed = document.get("seed", 1)
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 1


def preset_label(document: Mapping[str, Any]) -> str:
    """What a file's world is called where a preset name is shown (its `name`, else "file")."""
    name = document.get("name")
    return name if isinstance(name, str) and name else FILE_PRESET


def read_file_setting(settings: dict[str, Any]) -> Scenario | None:
    """Read a server's SCENARIO_FILE once, at start: its checked document becomes SCENARIO_DOCUMENT
    (what the app keeps, not the path), and the world the check built is returned for the seeding.
    Without a file to read, SCENARIO_WORLD (a world built already: the plugin's), or None. WHY: the
    check builds the world, and seeding built it again (a 100,000-person file: tens of seconds)."""
    if settings.get("SCENARIO_FILE") and not settings.get("SCENARIO_DOCUMENT"):
        settings["SCENARIO_DOCUMENT"], built = read_world(settings["SCENARIO_FILE"])
        return built
    return settings.get("SCENARIO_WORLD")


def file_spec(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The spec keys a server's SCENARIO_DOCUMENT / SCENARIO_FILE setting gives ({} without one)."""
    document = settings.get("SCENARIO_DOCUMENT") or (
        read_document(settings["SCENARIO_FILE"]) if settings.get("SCENARIO_FILE") else None)
    if document is None:
        return {}
    return {"seed": file_seed(document, settings), "preset": preset_label(document), "params": {}, "file": document}


#: The canonical text and digest of the last documents asked about, by identity (with the document
#: held, so the id stays its own). WHY: a 10,000-person document's canonical JSON costs ~0.1 s, and
#: the same parsed document is handed to both apps of a pytest session, each storing it and
#: asking for its digest.
_CANONICAL: dict[int, tuple[Mapping[str, Any], str, str]] = {}
_CANONICAL_KEPT = 4


def canonical_text(document: Mapping[str, Any]) -> str:
    """A document's canonical JSON (sorted keys, compact, UTF-8 kept; json.dumps's text with
    sort_keys and compact separators, but for a float's exponent: 1e-7, not 1e-07): what its digest is of, and
    how a server stores it. Made once per document object (documents are not mutated once checked)."""
    return _canonical(document)[0]


def document_digest(document: Mapping[str, Any] | None) -> str | None:
    """sha256 of a document's canonical JSON: which file a server runs (GET /_mock/scenario), None for a preset."""
    return None if document is None else _canonical(document)[1]


def _canonical(document: Mapping[str, Any]) -> tuple[str, str]:
    """(canonical text, digest) of `document`, kept per object."""
    known = _CANONICAL.get(id(document))
    if known is not None and known[0] is document:
        return known[1], known[2]
    data = msgspec.json.encode(document, order="sorted")  # WHY msgspec: 10x json.dumps(sort_keys=True)
    text, digest = data.decode(), hashlib.sha256(data).hexdigest()
    if len(_CANONICAL) >= _CANONICAL_KEPT:
        _CANONICAL.pop(next(iter(_CANONICAL)))
    _CANONICAL[id(document)] = (document, text, digest)
    return text, digest


def seed_given(prefix: str, config: Mapping[str, Any] | None) -> bool:
    """Whether the seed was stated (config or environment), so it may override a file's seed."""
    return "SEED" in (config or {}) or f"{prefix}SEED" in os.environ


def settle_scenario_settings(settings: dict[str, Any], prefix: str, config: Mapping[str, Any] | None) -> None:
    """The scenario knobs both apps share, normalised in place: `SCENARIO_PARAMS` from its JSON
    text (environment or CLI) or a Python mapping (config), and `SEED_GIVEN` (may override a file's seed).
    A bad value is named as the user gave it: the environment variable, or the config key."""
    name = "SCENARIO_PARAMS" if "SCENARIO_PARAMS" in (config or {}) else f"{prefix}SCENARIO_PARAMS"
    raw = settings["SCENARIO_PARAMS"]
    if isinstance(raw, str):
        try:
            settings["SCENARIO_PARAMS"] = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise ValueError(f"{name} is not JSON ({exc.args[0]})") from None
    if not isinstance(settings["SCENARIO_PARAMS"], dict):
        raise ValueError(f"{name} must be a JSON object of scenario overrides")
    settings["SEED_GIVEN"] = seed_given(prefix, config)


def spec_key(spec: Mapping[str, Any] | None) -> str:
    """A stored scenario spec as compact-enough JSON that names it (an app's reset template key and
    `X-Mock-Scenario`): a `file` document stands as its digest, `scenario_file` (as `GET /_mock/scenario`)."""
    named = dict(spec or {})
    named["scenario_file"] = document_digest(named.pop("file", None))
    return json.dumps(named, sort_keys=True)


def stored_text(spec: Mapping[str, Any]) -> str:
    """A scenario spec as JSON text for an app to store, its `file` document as its `canonical_text`
    (made once per document: a 10,000-person file's JSON took 0.1 s to write out again)."""
    document = spec.get("file")
    rest = json.dumps({k: v for k, v in spec.items() if k != "file"})
    if document is None:
        return json.dumps(dict(spec))
    return (rest[:-1] + ", " if rest != "{}" else "{") + '"file": ' + canonical_text(document) + "}"
