"""One HTTP client for GitHub-style APIs: a session, timeouts, retries with backoff, Link paging.

WHY one class for both sides: GHES and GHEC speak the same REST conventions (token auth,
GitHub error JSON, `x-ratelimit-*`, `Link` pagination), so retry and error handling must be
written once and tested once. Retries cover what GitHub tells clients to retry: 5xx, 429
with `Retry-After`, and 403 with `x-ratelimit-remaining: 0` (wait for `x-ratelimit-reset`),
always capped so a client never hangs for an hour because a header said so.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from github_http.net_reason import connection_reason

from .errors import ApiError, Problem, RateLimited, SyncError, Unreachable, UsageError

USER_AGENT = "license-sync/0.1 (+ghes-ghec-license-mocks)"
API_VERSION = "2022-11-28"


@dataclass
class RetryPolicy:
    """How persistent to be: attempts, backoff, and the longest single wait we accept."""

    attempts: int = 4  # total tries, the first included
    backoff: float = 0.25  # first backoff in seconds, doubled each retry, with jitter
    max_backoff: float = 8.0
    max_wait: float = 60.0  # cap for Retry-After / x-ratelimit-reset waits


def _retry_after(response: requests.Response, now: Callable[[], float]) -> float | None:
    """Seconds the server asked us to wait, from Retry-After or an exhausted x-ratelimit-*.

    WHY both: GitHub's secondary limit answers 429 (or 403) with `retry-after`; its primary
    limit answers 403 with `x-ratelimit-remaining: 0` and an epoch `x-ratelimit-reset`.
    Returns None when the response is not a rate-limit answer at all.
    """
    headers = response.headers
    if "retry-after" in headers:
        try:
            return max(float(headers["retry-after"]), 0.0)
        except ValueError:
            return None  # an HTTP-date: unusual for GitHub; treat as plain backoff
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(float(headers["x-ratelimit-reset"]) - now(), 0.0)
        except ValueError:
            return None
    return None


def _is_rate_limited(response: requests.Response) -> bool:
    """A 429, or a 403 that is GitHub's exhausted primary rate limit (not a permission error)."""
    if response.status_code == 429:
        return True
    return response.status_code == 403 and (
        response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers)


def _is_github_answer(response: requests.Response) -> bool:
    """GitHub's API answers with JSON and `X-GitHub-Request-Id`; a web page or a proxy does not."""
    json_body = response.headers.get("Content-Type", "").split(";")[0].strip().endswith("json")
    return json_body and ("X-GitHub-Request-Id" in response.headers or "X-GitHub-Media-Type" in response.headers)


def parse_body(response: requests.Response) -> Any:
    """The response's JSON, or its text when it is not JSON (errors from proxies are HTML)."""
    try:
        return response.json()
    except ValueError:
        return response.text


def _problems(body: Any) -> list[Problem]:
    """GHEC's `problems: [{path, message}]`, or GitHub's 422 `errors: [{resource, field, code}]`."""
    if not isinstance(body, dict):
        return []
    out = [Problem(str(p.get("path", "")), str(p.get("message", "")))
           for p in body.get("problems") or [] if isinstance(p, dict)]
    for e in body.get("errors") or []:
        if isinstance(e, dict):
            where = ".".join(str(e[k]) for k in ("resource", "field") if e.get(k))
            out.append(Problem(where, str(e.get("message") or e.get("code") or "invalid")))
        elif isinstance(e, str):
            out.append(Problem("", e))
    return out


class ApiClient:
    """A session bound to one server: base URL, token, timeouts and the retry policy."""

    def __init__(self, base_url: str, token: str | None = None, *, label: str = "server",
                 api_prefix: str = "", timeout: float = 30.0, retry: RetryPolicy | None = None,
                 control_key: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.time) -> None:
        """`label` names the server in error lines ("GHEC at http://…"); `sleep`/`now` are injectable for tests."""
        self.root = base_url.rstrip("/")
        self.api_root = self.root + api_prefix
        self.label = label
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.control_key = control_key
        self._sleep, self._now = sleep, now
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/vnd.github+json", "User-Agent": USER_AGENT,
                                     "X-GitHub-Api-Version": API_VERSION})
        self.token = token

    @property
    def where(self) -> str:
        """How error messages name this server."""
        return f"{self.label} at {self.root}"

    def _headers(self, url: str, extra: dict[str, str] | None) -> dict[str, str]:
        """Auth headers for this request: the token only ever goes to this server's origin."""
        headers = dict(extra or {})
        if self.token and _origin(url) == _origin(self.root):
            headers.setdefault("Authorization", f"token {self.token}")
        if self.control_key and urlsplit(url).path.startswith("/_mock"):
            headers.setdefault("X-Mock-Control-Key", self.control_key)
        return headers

    def request(self, method: str, url: str, *, expect: tuple[int, ...] = (200,),
                **kwargs: Any) -> requests.Response:
        """Send with retries; return the response when its status is expected, else raise ApiError.

        WHY every method is retried: the writes this client makes (upload a usage file, Sync
        now, configure Connect) replace rather than add on the server, so repeating one after
        a 5xx or a dropped connection is safe.
        """
        full = url if url.startswith(("http://", "https://")) else self.api_root + url
        headers = self._headers(full, kwargs.pop("headers", None))
        delay = self.retry.backoff
        for attempt in range(1, self.retry.attempts + 1):
            last = attempt == self.retry.attempts
            try:
                response = self.session.request(method, full, headers=headers, timeout=self.timeout, **kwargs)
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as error:
                raise UsageError(f"{self.label} URL {full!r} is not usable: {error}") from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
                if last:
                    raise Unreachable(f"cannot reach {self.where}: {_reason(error)}") from None
                self._sleep(self._jitter(delay))
                delay = min(delay * 2, self.retry.max_backoff)
                continue
            if response.status_code in expect:
                return response
            wait = self._retry_wait(response, delay)
            if wait is None or last:
                break
            self._sleep(wait)
            delay = min(delay * 2, self.retry.max_backoff)
        if response.status_code == 404 or not _is_github_answer(response):
            mistake = self.wrong_server()  # a 404 or a page that is not GitHub's: is the URL the right kind?
            if mistake is not None:
                raise mistake
        raise self._error(method, full, response)

    def wrong_server(self) -> SyncError | None:
        """Why this URL is not the kind of server this client is for, or None (the clients of each side know)."""
        return None

    def _retry_wait(self, response: requests.Response, delay: float) -> float | None:
        """How long to wait before retrying this answer, or None when it must not be retried."""
        if _is_rate_limited(response):
            asked = _retry_after(response, self._now)
            if asked is None:
                return self._jitter(delay)
            if asked > self.retry.max_wait:
                raise RateLimited(f"{self.where} is rate limiting this client for {asked:.0f}s "
                                  f"(more than the {self.retry.max_wait:.0f}s we wait); try again later")
            return asked
        if response.status_code >= 500:
            asked = _retry_after(response, self._now)
            return min(asked, self.retry.max_wait) if asked is not None else self._jitter(delay)
        return None

    @staticmethod
    def _jitter(delay: float) -> float:
        """Full jitter on the backoff, so parallel clients do not retry in lockstep."""
        return random.uniform(delay / 2, delay)

    def _error(self, method: str, url: str, response: requests.Response) -> ApiError:
        """Turn an unexpected answer into one readable line naming server, status and message."""
        body = parse_body(response)
        message = body.get("message") if isinstance(body, dict) else None
        status = response.status_code
        path = urlsplit(url).path
        if status == 401:
            text = f"{self.where} rejected the token (401 {message or 'Bad credentials'})"
        elif status == 403 and _is_rate_limited(response):
            text = f"{self.where} kept rate limiting {method} {path} ({message or '403'})"
        elif status == 403:
            text = (f"{self.where} refused {method} {path}: 403 {message or 'Forbidden'} "
                    "(does the token have the right role?)")
        elif status == 404:
            text = f"{self.where} has no {path} (404 {message or 'Not Found'}): wrong URL, or the token cannot see it"
        else:
            summary = message or (str(body)[:120] if body else response.reason)
            text = f"{self.where} answered {method} {path} with {status}: {summary}"
        return ApiError(text, status=status, server=self.root, body=body, problems=_problems(body))

    def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET and parse JSON (the common case)."""
        return parse_body(self.request("GET", path, **kwargs))

    def paginate(self, path: str, *, items_key: str | None = None, per_page: int = 100,
                 max_pages: int = 100_000) -> Iterator[tuple[Any, requests.Response]]:
        """Yield (page body, response) for every page, following `Link: rel="next"`.

        WHY follow links rather than count pages: GitHub says to, and it is the only way that
        works with any server that has them. A link to another origin is refused (the token
        must never travel there); a repeated link stops the loop instead of spinning.
        """
        url: str | None = f"{path}{'&' if '?' in path else '?'}per_page={per_page}"
        seen: set[str] = set()
        for _ in range(max_pages):
            if url is None:
                return
            response = self.request("GET", url)
            yield parse_body(response), response
            nxt = response.links.get("next", {}).get("url")
            if not nxt:
                return
            if _origin(nxt) != _origin(self.root):
                raise ApiError(f"{self.where} sent a Link to another server ({_origin(nxt)}); not following it",
                               status=response.status_code, server=self.root)
            if nxt in seen:
                return
            seen.add(nxt)
            url = nxt

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()


def _origin(url: str) -> str:
    """scheme://host:port of a URL, for same-server checks."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _reason(error: Exception) -> str:
    """A short human reason for a connection failure (requests' messages are very long)."""
    return connection_reason(error)
