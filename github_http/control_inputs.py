"""Reading the control plane's inputs: bounded query numbers, the JSON body, a scenario body, clock times.

Every size a control request can ask for has a documented bound here (docs/control-plane.md),
and a value beyond it is a 422 naming the range: no request can make the mock build or keep
something unbounded.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, request

from scenarios.file.parse import ScenarioFileError, parse_text

from .errors import GitHubError
from .request_guard import MAX_JSON_BYTES, json_body

#: Most journal entries one `GET /_mock/journal` returns (`?limit=`, default 100).
MAX_JOURNAL_LIMIT = 10_000
#: The last year the clock may be moved to (leaves room for dates computed from it).
LATEST_YEAR = 9000
#: The furthest one `/_mock/clock/advance` may move the clock: 100 years.
MAX_ADVANCE_SECONDS = 100 * 366 * 86400

def json_arg() -> Any:
    """The request's JSON through the shared guard (request_guard.py), {} when there is none."""
    return json_body(required=False)


def bounded_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    """A whole-number query parameter from `low` to `high` (documented), else a 422 naming the range."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) < 20) or not low <= int(raw) <= high:
        raise GitHubError(422, f"{name} is a whole number from {low} to {high:,}")
    return int(raw)


def check_reachable(moment: datetime) -> None:
    """Refuse (422) a clock time after LATEST_YEAR: what the apps schedule from "now" (a weekly
    sync, an expiry) must still be a date, or every later request would fail."""
    if moment.year > LATEST_YEAR:
        raise GitHubError(422, f"Invalid time: the mock's clock goes up to the year {LATEST_YEAR}")


def scenario_body() -> Any:
    """PUT /_mock/scenario's body: `{seed, preset, params}`, or a scenario file as `{"file": document}`.

    A body with a `version` key, or one sent as YAML (or anything but JSON), is a scenario file.
    """
    if request.mimetype in ("application/json", "") and not looks_like_yaml():
        # A scenario file may be as large as the app takes a request (a dump of `large`), as a snapshot may.
        spec = json_body(required=False, max_bytes=current_app.config.get("MAX_CONTENT_LENGTH") or MAX_JSON_BYTES)
        return {"file": spec} if isinstance(spec, dict) and "version" in spec else spec
    try:
        return {"file": parse_text(request.get_data())}
    except ScenarioFileError as error:
        raise GitHubError(422, "Invalid scenario file.", extra={"problems": error.as_json()}) from error


def looks_like_yaml() -> bool:
    """A body with no content type that is not JSON (curl --data-binary @world.yaml sends none)."""
    if request.mimetype:
        return False
    data = request.get_data().lstrip()
    return bool(data) and not data.startswith((b"{", b"["))
