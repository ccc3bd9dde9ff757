"""An app's state file: where it lives, its side files, gunicorn's rule, and bringing old tables forward.

WHY apart from storage.py: these are the decisions made once, when a state file is opened
(temporary or kept, which files sit beside it, which version its tables are), not on every
request.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .storage import Database


def under_gunicorn() -> bool:
    """Whether this process is a gunicorn master or worker (gunicorn's arbiter sets SERVER_SOFTWARE)."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/")


def require_shared_state(state_path: str | None, env_var: str) -> None:
    """Refuse the private ephemeral database under gunicorn.

    WHY: gunicorn builds the app once per worker; with no state file each worker would get its
    own temporary database, so an upload through one worker would be invisible to the others
    and requests would see different data at random. One state file shared by every worker
    (WAL, BEGIN IMMEDIATE writers) is what makes several workers one consistent server.
    """
    if not state_path and under_gunicorn():
        raise RuntimeError(
            f"under gunicorn every worker must share one state file: set {env_var}=/path/to/state.sqlite3 "
            "(without it each worker would keep its own private, ephemeral state)")


def side_path(path: Path, name: str) -> Path:
    """Where `Database.side(name)` of a database at `path` lives: `<stem>.<name>.sqlite3` beside it."""
    return path.with_name(f"{path.stem}.{name}.sqlite3")


def remove_with_wal(path: Path) -> None:
    """Delete a SQLite file and its `-wal`/`-shm` companions, where they exist (a side file no
    version uses any more)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


class StateFile:
    """The path of a database: a kept file, or a private temporary one removed by `remove`."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        """`None`: a new temporary folder holds the file (`ephemeral`)."""
        self._tmpdir: str | None = None
        if path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="license-mock-")
            path = Path(self._tmpdir) / "state.sqlite3"
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def ephemeral(self) -> bool:
        """Whether the file disappears when the process ends (or `remove` runs)."""
        return self._tmpdir is not None

    def remove(self) -> None:
        """Delete a temporary folder (a kept file stays)."""
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


class TablesTooNew(ValueError):
    """A state file written by a version of the app this one cannot bring forward."""


def bring_forward(db: Database, key: str, version: str, migrations: Mapping[str, Sequence[str]],
                  refuse: Callable[[str], str]) -> None:
    """Bring a state file whose tables are of an older version (the value at `key`) to `version`
    with `migrations[found]`'s statements, in one transaction; a version with no migration is
    refused with `refuse(found)` as the message. A new file (no value yet) is left to the schema.

    WHY the re-check under the write lock: several gunicorn workers open the file together and
    another may have migrated it meanwhile.
    """
    found = db.get_kv(key)
    if found is None or found == version:
        return
    if found not in migrations:
        raise TablesTooNew(refuse(found))
    with db.transaction() as conn:
        if db.get_kv(key) == found:
            for statement in migrations[found]:
                conn.execute(statement)
            db.set_kv(key, version)
