"""The rules about a license-usage file's time and its enterprise: when GHEC refuses a file, and what it
warns about when it takes one.

WHY apart from the store: these are rules about the file and the time, not about tables. The
time rules are this project's own (GitHub does not publish any; docs/ghec.md, "Old, future and
misdirected files"): a file generated beyond a small clock skew in GHEC's future is refused
(422), and a file older than the one it would replace is refused (409) unless the uploader
forces it (`?force=true`). A Connect push never forces: GHES builds it at its own now. The
refusals are domain errors (domain.py); refusals.py gives them their status.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from github_http.clock import isoformat, parse_time

from .domain import FromTheFuture, OlderThanKept

FUTURE_MESSAGE = "The license usage file is from the future."
OLDER_MESSAGE = "The license usage file is older than the one it would replace."
CLOCK_SKEW = timedelta(minutes=5)  # how far a GHES clock may run ahead of GHEC's


def check_time(generated_at: str, now: datetime, previous: str | None, server_id: str, force: bool) -> None:
    """Refuse a file from the future (422), or older than the accepted one it would replace (409, unless forced)."""
    generated = parse_time(generated_at)
    if generated - now > CLOCK_SKEW:  # (not now + skew: no overflow near the end of time)
        raise FromTheFuture([{"path": "$.generated_at", "message":
                                  f"the file was generated at {generated_at}, {_span(generated - now)} after GHEC's "
                                  f"time {isoformat(now)} (more than the {_span(CLOCK_SKEW)} of clock skew allowed): "
                                  "set the GHES clock right and export again"}], server_id, message=FUTURE_MESSAGE)
    if previous and not force and generated < parse_time(previous):
        raise OlderThanKept([{"path": "$.generated_at", "message":
                                  f"the file was generated at {generated_at}, before the file from server "
                                  f"{server_id} GHEC already has ({previous}): upload a newer export, or replace "
                                  "it anyway with ?force=true (license-sync upload --force)"}],
                           server_id, message=OLDER_MESSAGE)


def misdirected(server_id: str, host: str, slug: str, others: list[str]) -> list[str]:
    """The warning for a file from a server registered through Connect with other enterprises."""
    if not others:
        return []
    names = ", ".join(repr(o) for o in others)
    return [f"server {server_id} ({host}) is registered through GitHub Connect with enterprise {names}, "
            f"not {slug!r}: its users now count in {slug!r} too; if this is the wrong enterprise, upload the "
            "file to the right one (a server's usage can only be replaced, so ask GitHub to remove it here)"]


def _span(delta: timedelta) -> str:
    """A duration the way a person says it (`5 minutes`, `3 days`)."""
    seconds = int(abs(delta.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"
