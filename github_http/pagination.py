"""GitHub's page-number pagination: `page`/`per_page` and the `Link` header.

Links point at the server that was asked (the request's own URL, percent-encoded as a URI),
never at api.github.com, and keep the caller's other query parameters.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode
from wsgiref.util import request_uri

from flask import request

from .errors import GitHubError

#: The highest page number a list route serves (beyond: 422; per_page is capped at the
#: route's maximum as GitHub does). WHY a bound: the row offset must stay a 64-bit integer.
MAX_PAGE = 1_000_000


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a list a request asks for."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.number - 1) * self.size


def _int_arg(raw: str | None, default: int) -> int:
    """A query integer; GitHub ignores a value it cannot read and uses the default."""
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


def page_from(per_page: str | None, page: str | None, default_size: int = 30, max_size: int = 100) -> Page:
    """The page that `per_page` and `page` query values ask for: per_page capped at `max_size`,
    both at least 1 (without a request: hot_paths.py reads the query itself)."""
    size = _int_arg(per_page, default_size)
    size = default_size if size < 1 else min(size, max_size)
    return Page(max(_int_arg(page, 1), 1), size)


def requested_page(default_size: int = 30, max_size: int = 100) -> Page:
    """The page the request asks for (see `page_from`); a page number over MAX_PAGE is GitHub's 422."""
    page = page_from(request.args.get("per_page"), request.args.get("page"), default_size, max_size)
    if page.number > MAX_PAGE:
        raise GitHubError(422, f"Validation Failed: page is at most {MAX_PAGE:,}",
                          errors=[{"resource": "Pagination", "field": "page", "code": "invalid"}])
    return page


def link_header(page: Page, total: int) -> str | None:
    """The `Link` header (first/prev/next/last as applicable); None when one page holds all."""
    return links(link_prefix(page), page, total)


def link_prefix(page: Page) -> str:
    """This request's URL at another page, but for the page number: its other query parameters
    kept. WHY one prefix: every link differs only in its page number, and encoding the query
    once instead of per link was a fifth of a consumed-licenses page's serving cost."""
    others = urlencode([(k, v) for k, v in request.args.items(multi=False) if k not in ("page", "per_page")])
    return f"{own_url(request.environ)}?{others + '&' if others else ''}per_page={page.size}&page="


def own_url(environ: dict) -> str:
    """The URL the request was sent to, without its query, percent-encoded as a URI (wsgiref's
    `request_uri`; WHY remembered: quoting the same few paths again was a twentieth of serving
    a consumed-licenses page)."""
    return _own_url(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                    environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""))


@lru_cache(maxsize=1024)
def _own_url(scheme: str, host: str | None, server: str | None, port: str | None, script: str, path: str) -> str:
    """`request_uri` of an environ holding just these keys (the ones it reads)."""
    environ = {"wsgi.url_scheme": scheme, "SCRIPT_NAME": script, "PATH_INFO": path}
    for key, value in (("HTTP_HOST", host), ("SERVER_NAME", server), ("SERVER_PORT", port)):
        if value is not None:
            environ[key] = value
    return request_uri(environ, include_query=False)


def links(prefix: str, page: Page, total: int) -> str | None:
    """The `Link` header for `page` of `total` items, each link `prefix` + a page number."""
    last = max((total + page.size - 1) // page.size, 1)
    if last == 1 and page.number == 1:
        return None
    found = []
    if page.number > 1:
        found.append(f'<{prefix}{min(page.number - 1, last)}>; rel="prev"')
    if page.number < last:
        found.append(f'<{prefix}{page.number + 1}>; rel="next"')
        found.append(f'<{prefix}{last}>; rel="last"')
    if page.number > 1:
        found.append(f'<{prefix}1>; rel="first"')
    return ", ".join(found)
