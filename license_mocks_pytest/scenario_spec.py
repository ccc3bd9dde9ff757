"""Which scenario a mock serves, as the plugin asks for it: a seed and preset (with params), or a
scenario file's document; and the world it builds (cached: every handle of a session asks).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class ScenarioSpec:
    """Which scenario an app runs: seed, preset and parameter overrides (hashable, for caching), or a
    scenario file's document (its canonical JSON text, so the spec stays hashable)."""

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
        from scenarios.file.use import checked, file_seed, preset_label

        document = checked(document)
        return cls(file_seed(document, {}) if seed is None else seed, preset_label(document), (),
                   json.dumps(document, sort_keys=True, ensure_ascii=False))

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
            wanted = None if self.document is None else document_digest(json.loads(self.document))
            return described.get("scenario_file") == wanted
        try:
            return resolve(self.preset, dict(self.params)) == resolve(self.preset, dict(described.get("params") or {}))
        except (TypeError, ValueError):
            return False


@lru_cache(maxsize=8)
def build_scenario(spec: ScenarioSpec) -> Any:
    """The scenario for `spec`, built once per process (the apps build the same one themselves)."""
    from scenarios.file.use import world  # deferred: the plugin module must import cheaply

    document = None if spec.document is None else json.loads(spec.document)
    return world(spec.seed, spec.preset, dict(spec.params), document)
