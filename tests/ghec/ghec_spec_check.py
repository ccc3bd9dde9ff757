"""Validate mock GHEC responses against GitHub's own OpenAPI extract, with openapi-core.

The requests are replayed as if sent to api.github.com (the extract's server), so path,
query and response body are checked exactly as GitHub documents them.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ghec_helpers import reference
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse


@lru_cache(maxsize=1)
def spec() -> OpenAPI:
    """The reference document, loaded once."""
    return OpenAPI.from_dict(reference())


def check(url: str, response: Any) -> None:
    """Raise if `response` to GET `url` (path + query) is not what the reference allows."""
    parts = urlsplit(url)
    request = MockRequest("https://api.github.com", "get", parts.path, args=dict(parse_qsl(parts.query)))
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("link",)}
    spec().validate_response(request, MockResponse(response.data, status_code=response.status_code,
                                                   headers=headers, content_type="application/json"))
