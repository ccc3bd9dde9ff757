"""GitHub's page-number pagination: `page`/`per_page` and the `Link` header.

Links point at the server that was asked (the request's own URL, percent-encoded as a URI),
never at api.github.com, and keep the caller's other query parameters.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from wsgiref.util import request_uri

from flask import request


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a list a request asks for."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.number - 1) * self.size


def _int_arg(name: str, default: int) -> int:
    """A query integer; GitHub ignores a value it cannot read and uses the default."""
    raw = request.args.get(name)
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


def requested_page(default_size: int = 30, max_size: int = 100) -> Page:
    """The page a request asks for: per_page capped at `max_size`, both at least 1."""
    size = _int_arg("per_page", default_size)
    size = default_size if size < 1 else min(size, max_size)
    number = max(_int_arg("page", 1), 1)
    return Page(number, size)


def link_header(page: Page, total: int) -> str | None:
    """The `Link` header (first/prev/next/last as applicable); None when one page holds all."""
    last = max((total + page.size - 1) // page.size, 1)
    if last == 1 and page.number == 1:
        return None
    # WHY one prefix: every link differs only in its page number, and encoding the query once
    # instead of per link was a fifth of a consumed-licenses page's serving cost.
    others = urlencode([(k, v) for k, v in request.args.items(multi=False) if k not in ("page", "per_page")])
    prefix = f"{request_uri(request.environ, include_query=False)}?{others + '&' if others else ''}per_page={page.size}&page="

    def url(number: int) -> str:
        """The same request at another page."""
        return f"{prefix}{number}"

    links = []
    if page.number > 1:
        links.append(f'<{url(min(page.number - 1, last))}>; rel="prev"')
    if page.number < last:
        links.append(f'<{url(page.number + 1)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
    if page.number > 1:
        links.append(f'<{url(1)}>; rel="first"')
    return ", ".join(links)
