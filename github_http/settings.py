"""One place per app for its settings: defaults, then `<PREFIX>_*` environment variables, then config.

Typed by the defaults, so `MOCK_GHES_SEED=7` arrives as the int 7 and a bad value fails
at start with the variable's name rather than deep inside a request.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Turn an environment string into the type of the setting's default."""
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{name} must be a number, not {raw!r}") from None
    return raw


def load_settings(defaults: Mapping[str, Any], env_prefix: str,
                  config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults < environment (`{env_prefix}{KEY}`) < explicit config; unknown config keys are refused."""
    settings = dict(defaults)
    for key, default in defaults.items():
        raw = os.environ.get(f"{env_prefix}{key}")
        if raw is not None:
            settings[key] = _coerce(f"{env_prefix}{key}", raw, default)
    unknown = sorted(set(config or {}) - set(defaults) - {"TESTING", "SECRET_KEY", "SERVER_NAME"})
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(sorted(defaults))}")
    settings.update(config or {})
    return settings
