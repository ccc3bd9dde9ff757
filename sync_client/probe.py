"""What is really at a URL: GHES's `/api/v3`, a GHEC (GitHub.com) API root, or something else.

WHY: the most common mistake is a URL of the wrong kind — `…/api/v3` as the GHEC URL (the GHES
habit), the GHES URL as the GHEC URL, a web page, a proxy. Such a server answers HTML or a
bare 404, and the client used to print that page cut mid-word. Asking one public endpoint,
`GET /user`, tells the kinds apart on real GitHub as on the mocks: every GitHub API answer
(even a 401) is JSON with `X-GitHub-Request-Id`/`X-GitHub-Media-Type`, and GHES adds
`X-GitHub-Enterprise-Version` to every response it sends (docs/sync-client.md, "doctor").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from .errors import WrongServer

API_ROOT_STATUSES = (200, 401, 403)  # what GET /user answers on an API root, with or without a token


@dataclass
class Probe:
    """One `GET {base}/user`: what answered, and what it looks like."""

    url: str
    status: int | None = None
    content_type: str = ""
    headers: dict[str, str] | None = None
    body: Any = None
    error: str | None = None  # the connection failed

    @property
    def enterprise_version(self) -> str | None:
        """GHES's `X-GitHub-Enterprise-Version` (on every GHES response), or None."""
        return (self.headers or {}).get("x-github-enterprise-version")

    @property
    def is_api(self) -> bool:
        """A GitHub REST API answered: JSON, GitHub's headers, a status /user can have."""
        headers = self.headers or {}
        github = "x-github-request-id" in headers or "x-github-media-type" in headers
        return github and isinstance(self.body, dict) and self.status in API_ROOT_STATUSES

    @property
    def is_ghes_api(self) -> bool:
        """GHES's `/api/v3`."""
        return self.is_api and self.enterprise_version is not None

    @property
    def is_ghec_api(self) -> bool:
        """A GitHub.com (GHEC) API root: GitHub's API without GHES's version header."""
        return self.is_api and self.enterprise_version is None

    def answered(self) -> str:
        """`404 text/html` — how the wrong answer is named in a message."""
        return f"{self.status} {self.content_type or 'without a body type'}".strip()


def probe(session: requests.Session, base: str, token: str | None, timeout: float) -> Probe:
    """`GET {base}/user` once, no retries (a probe must be quick); a failure is kept, not raised."""
    url = base.rstrip("/") + "/user"
    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        response = session.get(url, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as error:
        from github_http.net_reason import connection_reason
        return Probe(url, error=connection_reason(error))
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return Probe(url, response.status_code, response.headers.get("Content-Type", "").split(";")[0],
                 {k.lower(): v for k, v in response.headers.items()}, body)


def ghec_mistake(root: str, found: Probe, flag: str = "--ghec-url") -> WrongServer | None:
    """Why `root` is not a GHEC API root, or None when it is (or cannot be told)."""
    if found.error or found.is_ghec_api:
        return None
    fix = "give GHEC's API root: https://api.github.com, or the URL `mock-ghec serve` prints"
    if found.is_ghes_api:
        return WrongServer(f"{flag} {root} is a GHES API (X-GitHub-Enterprise-Version "
                           f"{found.enterprise_version}), not GHEC: {fix}")
    if found.enterprise_version:
        return WrongServer(f"{flag} {root} is a GitHub Enterprise Server (X-GitHub-Enterprise-Version "
                           f"{found.enterprise_version}), not GHEC: {fix}")
    if root.rstrip("/").endswith("/api/v3"):
        return WrongServer(f"{flag} {root} is not a GHEC API root (GET {found.url} answered {found.answered()}): "
                           "GHEC's API is at the root, drop the /api/v3")
    return WrongServer(f"{flag} {root} is not a GHEC API root (GET {found.url} answered {found.answered()}): {fix}")


def ghes_mistake(root: str, found: Probe, at_root: Probe | None = None, flag: str = "--ghes-url") -> WrongServer | None:
    """Why `root` is not a GHES (its `/api/v3`), or None when it is (or cannot be told).

    `at_root` is `GET {root}/user`: when that is GitHub's API, the URL is a GHEC's.
    """
    if found.error or found.is_ghes_api:
        return None
    fix = "give GHES's root URL, without /api/v3 (the URL `mock-ghes serve` prints)"
    if root.rstrip("/").endswith("/api/v3"):
        return WrongServer(f"{flag} {root} ends in /api/v3: license-sync adds it; {fix}")
    if at_root is not None and at_root.is_ghec_api:
        return WrongServer(f"{flag} {root} is a GHEC (GitHub's API at the root, no X-GitHub-Enterprise-Version), "
                           f"not GHES: {fix}")
    return WrongServer(f"{flag} {root} is not a GHES: GET {found.url} answered {found.answered()}"
                       f"{'' if found.enterprise_version else ' without X-GitHub-Enterprise-Version'}; {fix}")
