"""Which scenario a mock serves, as the plugin asks for it: a seed and preset (with params), or a
scenario file's document; and the world it builds (cached: every handle of a session asks).

WHY a file's document and world are kept per process: checking a 10,000-person file builds its
world (about a second), and the session's servers run in this process, so they are handed the
very document and world the check made (`SCENARIO_DOCUMENT`, `SCENARIO_WORLD`) instead of each
parsing and building it again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_KEPT = 8
_WORLDS: dict[Any, Any] = {}  # ScenarioSpec -> its built Scenario
_DOCUMENTS: dict[str, dict[str, Any]] = {}  # a spec's document text -> the parsed document it came from


def _keep(kept: dict[Any, Any], key: Any, value: Any) -> None:
    """Remember `value` under `key`, at most _KEPT of them (oldest out first)."""
    if len(kept) >= _KEPT and key not in kept:
        kept.pop(next(iter(kept)))
    kept[key] = value


@dataclass(frozen=True)
class ScenarioSpec:
    """Which scenario an app runs: seed, preset and parameter overrides (hashable, for caching), or a
    scenario file's document (its canonical JSON text, `canonical_text`, so the spec stays hashable)."""

    seed: int = 1
    preset: str = "small"
    params: tuple[tuple[str, Any], ...] = field(default=())
    document: str | None = None

    @classmethod
    def of(cls, seed: int, preset: str, params: dict[str, Any] | None = None) -> ScenarioSpec:
        """Build from a params dict (lists become tuples so the spec stays hashable)."""
        items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
        return cls(seed, preset, items)

    @classmethod
    def of_document(cls, document: dict[str, Any], seed: int | None = None) -> ScenarioSpec:
        """A scenario file's world (checked now: a bad one raises ScenarioFileError with every problem)."""
        from scenarios.file.use import checked_world

        return cls.of_checked(*checked_world(document, seed), seed)  # one build: the check's world is served

    @classmethod
    def of_checked(cls, document: dict[str, Any], scenario: Any, seed: int | None = None) -> ScenarioSpec:
        """`of_document` for a document already checked, with the world it built (`checked_world`)."""
        from scenarios.file.use import canonical_text, file_seed, preset_label

        spec = cls(file_seed(document, {}) if seed is None else seed, preset_label(document), (),
                   canonical_text(document))  # kept for this very document, which both apps are handed
        _keep(_DOCUMENTS, spec.document, document)
        if scenario.seed == spec.seed:
            _keep(_WORLDS, spec, scenario)
        return spec

    def parsed_document(self) -> dict[str, Any] | None:
        """The file's document (the same object each time in this process: its digest is computed once)."""
        if self.document is None:
            return None
        found = _DOCUMENTS.get(self.document)
        if found is None:
            found = json.loads(self.document)
            _keep(_DOCUMENTS, self.document, found)
        return found

    def as_json(self) -> dict[str, Any]:
        """The body of `PUT /_mock/scenario`."""
        if self.document is not None:
            return {"file": json.loads(self.document), "seed": self.seed}
        return {"seed": self.seed, "preset": self.preset, "params": dict(self.params)}

    def matches(self, described: dict[str, Any]) -> bool:
        """Whether `GET /_mock/scenario` describes this scenario.

        Compared after resolving the preset, because an app may report its parameters
        resolved (every field) where the spec holds only the overrides.
        """
        from scenarios.file.use import document_digest
        from scenarios.presets import resolve  # deferred: the plugin module must import cheaply

        if (described.get("seed"), described.get("preset")) != (self.seed, self.preset):
            return False
        if self.document is not None or described.get("scenario_file") is not None:
            wanted = document_digest(self.parsed_document())
            return described.get("scenario_file") == wanted
        try:
            return resolve(self.preset, dict(self.params)) == resolve(self.preset, dict(described.get("params") or {}))
        except (TypeError, ValueError):
            return False


def build_scenario(spec: ScenarioSpec) -> Any:
    """The scenario for `spec`, built once per process (a file's: when it was checked)."""
    found = _WORLDS.get(spec)
    if found is None:
        from scenarios.file.use import world  # deferred: the plugin module must import cheaply

        found = world(spec.seed, spec.preset, dict(spec.params), spec.parsed_document())
        _keep(_WORLDS, spec, found)
    return found
