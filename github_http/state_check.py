"""Checking a `--state` file before an app opens it (is it a mock's SQLite database, and this app's?),
and what both CLIs say of it (a mistyped path is an error; the banner says created or kept, and which scenario).

WHY before opening: SQLite happily "opens" a text file or a directory and fails later with a
raw `sqlite3.DatabaseError` traceback; and both mocks share the control tables (`mock_kv`,
`mock_faults`, the journal), so the mock GHEC would silently adopt a mock GHES state file
(and the other way round), serving a mixture of the two. Each refusal is a `StateFileError`
(a ValueError), which the CLIs print as one line and exit 2.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

SQLITE_HEADER = b"SQLite format 3\x00"
PRODUCTS = {"ghes": "mock GHES", "ghec": "mock GHEC"}
#: A table only that app creates (GHEC also has `ghes_servers`: a GHEC table about GHES servers).
MARKER_TABLES = {"ghes": "ghes_instance", "ghec": "ghec_enterprises"}


class StateFileError(ValueError):
    """A state file this app must not open, with what to do about it."""


def _tables(path: Path) -> list[str]:
    """The table names of a SQLite file, read without writing to it."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()


def check_state_file(path: str | Path | None, app: str) -> None:
    """Refuse (StateFileError) a state path that is not a mock's SQLite file or belongs to the
    other mock. `app` is "ghes" or "ghec"; None or "" (ephemeral state) and a new path pass."""
    if not path:
        return
    path = Path(path)
    product = PRODUCTS[app]
    if path.is_dir():
        raise StateFileError(f"the state path {path} is a directory; give a file path such as {path}/state.sqlite3")
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # what the database would do on opening
        except OSError as error:
            raise StateFileError(f"the state file {path} cannot be created: {error.strerror or error}") from None
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StateFileError(f"the state file {path} cannot be read: {error.strerror or error}") from None
    if not head:
        return  # an empty file: a new state
    if head != SQLITE_HEADER or not path.is_file():
        raise StateFileError(f"the state file {path} is not a SQLite database (not a {product} state file); "
                             "give a new path or one an earlier run wrote")
    try:
        tables = _tables(path)
    except sqlite3.Error as error:
        raise StateFileError(f"the state file {path} is not a readable SQLite database ({error})") from None
    other = next(key for key in PRODUCTS if key != app)
    if MARKER_TABLES[other] in tables:
        raise StateFileError(f"the state file {path} belongs to the {PRODUCTS[other]} (it holds its tables); "
                             f"give the {product} a state file of its own")


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
