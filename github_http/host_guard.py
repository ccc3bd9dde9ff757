"""Who may drive a mock from a browser: Host and Origin checks for the control plane and the pages.

A mock usually runs on a developer's machine while the same person browses the web. Two
attacks reach it from there (docs/security.md):

* **Cross-origin requests.** Any page can make the browser POST to `http://127.0.0.1:8082/_mock/reset`
  with `Content-Type: text/plain` (a "simple" request, sent without a CORS preflight). The
  browser marks such requests: `Origin` names the page's origin, `Sec-Fetch-Site` says
  `cross-site`. They are refused on `/_mock/` and on the pages' state-changing routes (the only
  routes a cookie authenticates); `/_mock/` also refuses a state-changing request whose body
  has a simple-request content type (plain text or a form), which no client of it sends.
* **DNS rebinding.** A page at `http://rebind.evil.example` whose name later resolves to
  127.0.0.1 is, for the browser, same-origin with itself, so it may read `/_mock/scenario`
  (every token). Its requests carry `Host: rebind.evil.example`. On loopback-only control
  planes (no control key) and on the pages' state-changing routes, the Host must be an IP
  literal (a rebinding page always has a name), `localhost` / `*.localhost`, the host the
  server was started on, or one listed in `ALLOWED_HOSTS` (comma-separated; `*` allows any).

Every route also refuses (400) a Host header that is not a host name or address with an
optional port, so nothing built from it (pagination `Link`s, URLs in bodies) can carry markup
or extra header syntax (`valid_host_header`, applied in wire.py before any route runs).
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Request

#: `name[:port]` or `[IPv6][:port]`: what a Host header may be (RFC 9110 uri-host, without
#: percent-escapes, plus the underscore some internal names use).
_HOST_HEADER = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
_SIMPLE_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")
_STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


def valid_host_header(value: str | None) -> bool:
    """Whether a Host header (None: absent, which HTTP/1.0 allows) is a plain host with optional port."""
    return value is None or _HOST_HEADER.fullmatch(value) is not None


def host_name(host_header: str) -> str:
    """The name or address of a Host header, without port or IPv6 brackets, lowercase."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0].lower()
    return host_header.rsplit(":", 1)[0].lower() if host_header.count(":") == 1 else host_header.lower()


def parse_allowed(setting: str | Iterable[str] | None) -> frozenset[str]:
    """`ALLOWED_HOSTS` ("a.example, b.example" or a list) as a set of lowercase names."""
    if not setting:
        return frozenset()
    items = setting.split(",") if isinstance(setting, str) else setting
    return frozenset(item.strip().lower() for item in items if item.strip())


def host_allowed(host_header: str, allowed: frozenset[str]) -> bool:
    """Whether a request naming `host_header` may reach a loopback-trusted route (see module doc)."""
    name = host_name(host_header)
    if "*" in allowed or name in allowed or name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def cross_origin_reason(request: Request, *, simple_types_refused: bool) -> str | None:
    """Why this request looks sent by a browser on behalf of another site, or None.

    Non-browser clients (requests, curl, the sync client) send neither header and pass.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        if origin == "null" or parts.scheme != request.scheme or (parts.netloc or "").lower() != request.host.lower():
            return f"a request from another origin ({origin[:100]})"
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"a {fetch_site[:20]} browser request"
    if simple_types_refused and request.method in _STATE_CHANGING and request.mimetype in _SIMPLE_TYPES:
        return f"a {request.mimetype} body (a browser form or a no-preflight request); send JSON"
    return None


def browser_refusal(request: Request, allowed: frozenset[str], *, check_host: bool,
                    control_plane: bool) -> str | None:
    """The reason to refuse this request on a guarded route (403), or None to let it through."""
    if check_host and request.host and not host_allowed(request.host, allowed):
        return (f"Host {request.host[:100]!r} is not this server's (DNS rebinding?); "
                "allow it with ALLOWED_HOSTS")
    reason = cross_origin_reason(request, simple_types_refused=control_plane)
    return f"Refused {reason}: cross-origin browser requests are not accepted here" if reason else None
