"""WSGI between the faults/journal and the app: what GitHub does around an API body, once for both apps.

Content types (`application/json; charset=utf-8` on JSON, none on 204/304), conditional
requests (`ETag` on every successful read, 304 for a matching `If-None-Match`), the primary
rate limit and the `X-OAuth-Scopes` of classic tokens. WHY here and not in Flask hooks: the
hot paths (hot_paths.py) answer without Flask, and must get exactly the same treatment; one
layer both go through keeps them byte-identical by construction.

A HEAD is served as the GET it stands for with the body dropped, so it carries the same ETag
and Content-Length as the GET (and the hot path answers it too).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from .api_headers import DEFAULT_API_VERSION, HeaderPolicy, chosen_version, github_headers
from .auth import token_in
from .clock import Clock
from .etag import CACHE_CONTROL_PRIVATE, CACHE_CONTROL_PUBLIC, VARY, etag_of, matches
from .rate_limit import RateLimiter, exceeded_body, exceeded_message, headers_of
from .rate_limit_store import Window
from .token_kinds import Caller

JSON = "application/json; charset=utf-8"
#: environ keys routes read (`GET /rate_limit`, scope checks): the caller and its rate-limit key.
CALLER_KEY, RATE_KEY = "mock.caller", "mock.rate_key"
_BODYLESS = (204, 304)
_DROPPED_ON_304 = ("content-type", "content-length")


def _status_line(status: int) -> str:
    """`200 OK` for 200."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} UNKNOWN"


def fix_content_type(status: int, headers: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """JSON names its charset; a 204 or 304 has no body type (and no body). Also returns the
    (lower-case) names present with their values, so the caller need not look at every header again."""
    fixed: list[tuple[str, str]] = []
    present: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        if lower == "content-type":
            if status in _BODYLESS:
                continue
            if value == "application/json":
                value = JSON
        elif lower == "content-length" and status == 204:
            continue
        fixed.append((name, value))
        present.setdefault(lower, value)
    return fixed, present


class ApiWire:
    """The API's wire behaviours around `app` (the hot paths, then Flask)."""

    def __init__(self, app: Callable, *, is_api: Callable[[str], bool], clock: Clock,
                 identify: Callable[[str], Caller | None], limiter: RateLimiter | None,
                 uncounted: tuple[str, ...] = (), accepted_scopes: Callable[[str], str | None] | None = None,
                 policy: HeaderPolicy | None = None) -> None:
        """`identify(token)` names a known token's owner; `limiter` None: no rate limit (GHES's
        default); `uncounted` paths never count (`/rate_limit`); `accepted_scopes(path)` is the
        `X-Accepted-OAuth-Scopes` of a path that needs a scope (None: not sent)."""
        self.app, self.is_api, self.clock, self.identify = app, is_api, clock, identify
        self.limiter, self.uncounted = limiter, uncounted
        self.accepted_scopes = accepted_scopes or (lambda path: None)
        self.policy = policy or HeaderPolicy()  # GitHub's headers on the answers given here, not by Flask

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        """Serve one request; pages only get their content type checked."""
        path = environ.get("PATH_INFO", "")
        if not self.is_api(path):
            return self._run(environ, start_response, lambda status, headers: fix_content_type(status, headers)[0])
        token = token_in(environ.get("HTTP_AUTHORIZATION", ""))
        caller = self.identify(token) if token else None
        environ[CALLER_KEY] = caller
        window: Window | None = None
        if self.limiter is not None:
            key, budget = self.limiter.key_for(caller.digest if caller else None,
                                               environ.get("REMOTE_ADDR") or "")
            environ[RATE_KEY] = (key, budget)
            if path not in self.uncounted:
                window = self.limiter.store.take(key, budget, self.clock.epoch())
                if not window.allowed:
                    return self._refuse(window, caller, environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "HEAD":
            environ["REQUEST_METHOD"] = "GET"
        captured: dict[str, Any] = {}

        def finish(status: int, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
            """GitHub's headers on the app's answer (may turn it into a 304)."""
            nonlocal window
            headers, present = fix_content_type(status, headers)
            if method in ("GET", "HEAD") and status == 200:
                not_modified = self._conditional(environ, headers, present, captured["body"], caller)
                if not_modified:
                    captured["status"] = 304
                    if window is not None and self.limiter is not None:
                        self.limiter.store.give_back(environ[RATE_KEY][0])
                        window = Window(window.limit, window.used - 1, window.reset)
            if window is not None:
                headers.extend(headers_of(window))
            if caller is not None and caller.scoped:
                headers.append(("X-OAuth-Scopes", ", ".join(caller.scopes or ())))
            accepted = self.accepted_scopes(path)
            if accepted is not None:
                headers.append(("X-Accepted-OAuth-Scopes", accepted))
            return headers

        return self._run(environ, start_response, finish, captured, head=method == "HEAD")

    def _run(self, environ: dict[str, Any], start_response: Callable,
             finish: Callable[[int, list[tuple[str, str]]], list[tuple[str, str]]],
             captured: dict[str, Any] | None = None, head: bool = False) -> list[bytes]:
        """Call the app, buffer its answer, let `finish` rewrite the headers, then answer."""
        captured = {} if captured is None else captured
        seen: dict[str, Any] = {}

        def buffered_start(status: str, headers: list, exc_info: Any = None) -> Callable:
            """Hold the status and headers until the body is known."""
            seen["status"], seen["headers"], seen["exc_info"] = status, list(headers), exc_info
            return lambda data: None  # the legacy write(): nothing here uses it

        body = b"".join(self.app(environ, buffered_start))
        captured["body"], captured["status"] = body, int(seen["status"].split(" ", 1)[0])
        headers = finish(captured["status"], seen["headers"])
        status = captured["status"]
        if status == 304:
            headers = [(n, v) for n, v in headers if n.lower() not in _DROPPED_ON_304]
            body = b""
        line = seen["status"] if str(status) == seen["status"].split(" ", 1)[0] else _status_line(status)
        start_response(line, headers, seen["exc_info"])
        return [b"" if head or status in _BODYLESS else body]

    @staticmethod
    def _conditional(environ: dict[str, Any], headers: list[tuple[str, str]], present: dict[str, str], body: bytes,
                     caller: Caller | None) -> bool:
        """Add ETag and GitHub's caching headers (those the route did not set) to a successful
        read, in place; True when the request's If-None-Match makes it a 304. A route's own ETag
        (a kept page's: mock_ghec/page_cache.py) is used as it is, so the body is not checksummed again."""
        etag = present.get("etag")
        if etag is None:
            etag = etag_of(body)
            headers.append(("ETag", etag))
        if "cache-control" not in present:
            headers.append(("Cache-Control", CACHE_CONTROL_PRIVATE if caller else CACHE_CONTROL_PUBLIC))
        if "vary" not in present:
            headers.append(("Vary", VARY))
        return matches(environ.get("HTTP_IF_NONE_MATCH"), etag)

    def _refuse(self, window: Window, caller: Caller | None, environ: dict[str, Any],
                start_response: Callable) -> list[bytes]:
        """GitHub's 403 for a spent primary budget."""
        body = exceeded_body(exceeded_message(caller.user_id if caller else None, environ.get("REMOTE_ADDR") or ""))
        version = chosen_version(environ.get("HTTP_X_GITHUB_API_VERSION")) or DEFAULT_API_VERSION
        headers = [("Content-Type", JSON), ("Content-Length", str(len(body))), *headers_of(window),
                   *github_headers(self.policy, version)]
        if caller is not None and caller.scoped:
            headers.append(("X-OAuth-Scopes", ", ".join(caller.scopes or ())))
        start_response("403 Forbidden", headers)
        return [body]
