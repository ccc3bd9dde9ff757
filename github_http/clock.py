"""The app's one clock: real time plus an offset, or frozen, kept in the database.

Tests move it through `/_mock/clock`; moving it runs whatever became due (the weekly
Connect sync) before the call returns, so nothing in a test ever sleeps.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .storage import Database

_KEY = "clock"


def utc_now() -> datetime:
    """Wall-clock time, tz-aware (the only direct read of real time in the apps)."""
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    """GitHub's timestamp shape: RFC 3339, UTC, seconds, trailing Z."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 timestamp (with Z or an offset); naive input is taken as UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_DEFAULT_STATE = '{"offset": 0, "frozen": null}'


class Clock:
    """Injectable time: `offset` seconds from real time, or `frozen` at one instant."""

    def __init__(self, db: Database, real: Callable[[], datetime] | None = None) -> None:
        """Bind to the app's database so every worker shares the same notion of now; `real` is the
        wall clock (default: `utc_now`, looked up at each call so a test can stand it still)."""
        self._db = db
        self._real = real or (lambda: utc_now())
        self._listeners: list[Callable[[datetime], None]] = []
        self._parsed: tuple[str, dict, datetime | None, timedelta] = (_DEFAULT_STATE, {"offset": 0, "frozen": None},
                                                                       None, timedelta(0))
        self._stamp: tuple[int, str] = (-1, "")  # (epoch second, its isoformat): `stamp` per second

    def _read(self) -> tuple[str, dict, datetime | None, timedelta]:
        """(stored text, offset/frozen pair, the frozen instant, the offset): read on every call so
        every worker sees a move at once; parsed again only when the stored text changed (WHY: the
        rate limit and the journal ask the time on every request)."""
        raw = self._db.get_kv(_KEY) or _DEFAULT_STATE
        if raw != self._parsed[0]:
            state = json.loads(raw)
            self._parsed = (raw, state, parse_time(state["frozen"]) if state["frozen"] else None,
                            timedelta(seconds=state["offset"]))
        return self._parsed

    def _state(self) -> dict:
        """The stored offset/frozen pair (default: real time), a copy the caller may change."""
        return dict(self._read()[1])

    def now(self) -> datetime:
        """The app's current time."""
        _, _, frozen, offset = self._read()
        if frozen is not None:
            return frozen
        return self._real() + offset

    def epoch(self) -> int:
        """`now()` in whole epoch seconds (rate-limit windows count in them)."""
        return int(self.now().timestamp())

    def stamp(self) -> str:
        """`isoformat(now())` (the journal's `at`), formatted once per second."""
        moment = self.now()
        second = int(moment.timestamp() // 1)
        if second != self._stamp[0]:
            self._stamp = (second, isoformat(moment))
        return self._stamp[1]

    def describe(self) -> dict:
        """What `/_mock/clock` shows."""
        state = self._state()
        return {"now": isoformat(self.now()), "frozen": bool(state["frozen"]),
                "offset_seconds": state["offset"]}

    def set(self, moment: datetime, *, freeze: bool = False) -> None:
        """Jump to `moment` (running or frozen there), then run what became due."""
        if freeze:
            state = {"offset": 0, "frozen": isoformat(moment)}
        else:
            state = {"offset": (moment - self._real()).total_seconds(), "frozen": None}
        self._db.set_kv(_KEY, json.dumps(state))
        self._notify()

    def advance(self, seconds: float) -> None:
        """Move forward by `seconds` (negative is refused: time only moves on), then run what became due."""
        if seconds < 0:
            raise ValueError("the clock only moves forward; use set to go back")
        state = self._state()
        if state["frozen"]:
            state["frozen"] = isoformat(parse_time(state["frozen"]) + timedelta(seconds=seconds))
        else:
            state["offset"] += seconds
        self._db.set_kv(_KEY, json.dumps(state))
        self._notify()

    def reset(self) -> None:
        """Back to real time (part of `/_mock/reset`): no stored value, as on a fresh start."""
        self._db.delete_kv(_KEY)

    def on_change(self, listener: Callable[[datetime], None]) -> None:
        """Register a job runner called with the new time whenever the clock is moved."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        """Run every listener now, so due work is done before the control call returns."""
        moment = self.now()
        for listener in self._listeners:
            listener(moment)
