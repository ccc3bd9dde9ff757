"""Named parameter sets, so a CLI flag or a fixture can say "demo" instead of five numbers.

Each preset is a scenario file shipped with the package (scenarios/preset_files/NAME.yaml, a
`generate` block and nothing else), read through the scenario-file schema like any user's file;
`load_path` of one builds the same world as `build(seed, NAME)`. See docs/scenarios.md for what
each preset is for.
"""
from __future__ import annotations

import dataclasses
from importlib import resources
from typing import Any

from .model import ScenarioParams
from .names import SUPPORTED_LOCALES

PRESET_ORDER = ("small", "demo", "edge-cases", "large")


def preset_file(name: str) -> Any:
    """The packaged scenario file of preset `name` (an importlib.resources Traversable)."""
    return resources.files(__package__).joinpath("preset_files", f"{name}.yaml")


def _read_presets() -> dict[str, ScenarioParams]:
    """Every packaged preset file's `generate` parameters, checked by the scenario-file schema.

    A file's `generate.preset` names itself, so loading the file builds exactly `build(seed, name)`
    (the generator plants some cases by preset name); here only the parameters are read."""
    from .file import validate_document
    from .file.parse import parse_text

    out = {}
    for name in PRESET_ORDER:
        spec = validate_document(parse_text(preset_file(name).read_text(encoding="utf-8"), f"{name}.yaml"))
        params = {k: v for k, v in spec["generate"].items() if k != "preset" and v is not None}
        out[name] = ScenarioParams(**{**params, "locales": tuple(params["locales"])})
    return out


PRESETS: dict[str, ScenarioParams] = _read_presets()

_FIELDS = tuple(f.name for f in dataclasses.fields(ScenarioParams))


def resolve(preset: str, overrides: dict[str, Any]) -> ScenarioParams:
    """Apply overrides to a preset, rejecting unknown names and impossible values early and clearly."""
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ValueError(f"unknown preset {short_repr(preset)}; valid presets: {', '.join(PRESETS)}")
    unknown = sorted(set(overrides) - set(_FIELDS))
    if unknown:
        raise ValueError(f"unknown override(s) {short_repr(', '.join(map(str, unknown)))}; "
                         f"valid overrides: {', '.join(_FIELDS)}")
    if "locales" in overrides and not isinstance(overrides["locales"], str):
        overrides = {**overrides, "locales": tuple(overrides["locales"])}
    params = dataclasses.replace(PRESETS[preset], **overrides)
    _check(params)
    return params


#: Upper bounds of what a scenario may ask for (docs/scenarios.md): beyond them a request to
#: build one is refused instead of growing the process until the kernel kills it.
MAX_PEOPLE = 1_000_000
MAX_GHES_INSTANCES = 50
#: Seeds are stored as SQLite integers: signed 64-bit.
MAX_SEED = 2**63 - 1


def short_repr(value: object) -> str:
    """A refused value for an error message, cut to 40 characters (it may be a megabyte)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _check(params: ScenarioParams) -> None:
    """Reject values the generator cannot honour, naming the field and the accepted range."""
    if (isinstance(params.people, bool) or not isinstance(params.people, int)
            or not 1 <= params.people <= MAX_PEOPLE):
        raise ValueError(f"people must be an int from 1 to {MAX_PEOPLE:,}, got {short_repr(params.people)}")
    if (isinstance(params.ghes_instances, bool) or not isinstance(params.ghes_instances, int)
            or not 1 <= params.ghes_instances <= MAX_GHES_INSTANCES):
        raise ValueError(f"ghes_instances must be an int from 1 to {MAX_GHES_INSTANCES}, "
                         f"got {short_repr(params.ghes_instances)}")
    if not isinstance(params.locales, tuple | list | str) or len(params.locales) > len(SUPPORTED_LOCALES):
        raise ValueError(f"locales must be a non-empty sequence of {', '.join(SUPPORTED_LOCALES)} "
                         f"(at most {len(SUPPORTED_LOCALES)})")
    if not isinstance(params.overlap, (int, float)) or not 0.0 <= params.overlap <= 1.0:
        raise ValueError(f"overlap must be a number in [0, 1], got {short_repr(params.overlap)}")
    if not isinstance(params.edge_cases, bool) or not isinstance(params.unlimited_seats, bool):
        raise ValueError("edge_cases and unlimited_seats must be booleans")
    bad = [loc for loc in params.locales if loc not in SUPPORTED_LOCALES]
    if not params.locales or bad or isinstance(params.locales, str):
        raise ValueError(f"locales must be a non-empty sequence of {', '.join(SUPPORTED_LOCALES)}; "
                         f"got {short_repr(params.locales)}")
