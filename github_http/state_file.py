"""What the `--state` flag of both mock CLIs checks and says: a mistyped path is an error, and the
banner tells whether the file was created or kept, and from which scenario.

WHY shared: `mock-ghes` and `mock-ghec` take the same flag with the same meaning (an existing
file is served as it is, a new one is seeded from --seed/--scenario); a typo must not silently
build a fresh world, and a kept file's own seed must not be mistaken for the one on the command line.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any


def state_path_problem(path: str | None, *, reading: bool) -> str | None:
    """Why `path` cannot be used, or None. Reading needs the file; serving needs its folder."""
    if not path:
        return None
    target = Path(path)
    if reading and not target.exists():
        return (f"--state {path} does not exist: give the file a `serve --state` kept "
                "(without --state the scenario is built afresh)")
    if not reading and not target.exists() and not target.parent.is_dir():
        return f"--state {path}: the folder {target.parent} does not exist; create it, or give another path"
    return None


def state_banner(path: Path, *, ephemeral: bool, created: bool, spec: dict[str, Any] | None,
                 asked: dict[str, Any]) -> tuple[str, str | None]:
    """The banner's state line, and a warning when flags asked for another scenario than a kept file holds.

    `spec` is the scenario the state holds ({seed, preset}); `asked` the --seed/--scenario given (None: not given).
    """
    held = f"seed {spec.get('seed')}, scenario {spec.get('preset')}" if spec else "no scenario"
    if ephemeral:
        return f"{path} (ephemeral, removed at exit; {held})", None
    if created:
        return f"{path} (created: {held})", None
    line = f"{path} (kept: {held})"
    differs = [f"--{flag} {value}" for flag, key, value in (("seed", "seed", asked.get("seed")),
                                                          ("scenario", "preset", asked.get("scenario")))
               if value is not None and spec is not None and value != spec.get(key)]
    warning = None
    if differs:
        warning = (f"warning: {' and '.join(differs)} not applied: the kept state file {path} holds {held} and is "
                   "served as it is (use a new --state path, or PUT /_mock/scenario to switch)")
    return line, warning
