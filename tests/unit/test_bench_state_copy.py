"""The bench's fresh state copy leaves nothing of an earlier run beside it (bench/workloads.py).

WHY a test: with a reused `--workdir`, rate-limit slots kept from earlier runs spent the token's
hourly budget and the page-latency figure became a 403 after about ten runs.
"""
from __future__ import annotations

from pathlib import Path

from bench.workloads import copy_state, remove_state

LEFT_BY_A_RUN = ("state.sqlite3-wal", "state.sqlite3-shm", "state.ratelimit.slots", "state.requests.log",
                 "state.requests.sqlite3", "state.requests.sqlite3-wal", "state.requests.sqlite3-shm")


def _earlier_run(folder: Path) -> None:
    """What a served state file has beside it once its server stopped."""
    (folder / "state.sqlite3").write_bytes(b"old state")
    for name in LEFT_BY_A_RUN:
        (folder / name).write_bytes(b"left over")


def test_copy_state_gives_the_pristine_bytes_and_no_side_files(tmp_path: Path) -> None:
    """The copy is the pristine file's bytes; no WAL, journal or rate-limit file of the last run remains."""
    pristine = tmp_path / "pristine.sqlite3"
    pristine.write_bytes(b"pristine state")
    _earlier_run(tmp_path)
    copy_state(pristine, tmp_path / "state.sqlite3")
    assert (tmp_path / "state.sqlite3").read_bytes() == b"pristine state"
    assert [name for name in LEFT_BY_A_RUN if (tmp_path / name).exists()] == []


def test_remove_state_removes_the_file_and_its_side_files(tmp_path: Path) -> None:
    """A state file seeded anew by the server (`--scenario`) starts from nothing at all."""
    _earlier_run(tmp_path)
    (tmp_path / "other.sqlite3").write_bytes(b"someone else's")
    remove_state(tmp_path / "state.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]
