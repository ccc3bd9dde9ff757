"""Validate what a real client received from the organization, SCIM and Visual Studio endpoints
against GitHub's own description (`fixtures/github-openapi/ghec-membership-endpoints.json`).

`Recorder` wraps the app's WSGI callable, so every exchange a client (PyGithub) had over HTTP is
kept and then checked with openapi-core, replayed as if sent to api.github.com (the extract's server).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "github-openapi" / "ghec-membership-endpoints.json"


@lru_cache(maxsize=1)
def spec() -> OpenAPI:
    """The reference document, loaded once; SCIM's media type is JSON (openapi-core does not know it)."""
    config = Config(extra_media_type_deserializers={"application/scim+json": json.loads})
    return OpenAPI.from_dict(json.loads(REFERENCE.read_text(encoding="utf-8")), config=config)


def check(method: str, path: str, query: str, status: int, content_type: str | None, link: str | None,
          body: bytes) -> None:
    """Raise if this response is not what the reference allows for `method path`."""
    request = MockRequest("https://api.github.com", method.lower(), path, args=dict(parse_qsl(query)))
    headers = {"Link": link} if link else {}
    mimetype = (content_type or "application/json").split(";")[0].strip()
    spec().validate_response(request, MockResponse(body, status_code=status, headers=headers,
                                                   content_type=mimetype))


class Recorder:
    """WSGI middleware keeping (method, path, query, status, content type, Link, body) of each exchange."""

    def __init__(self, app: Any) -> None:
        """Wrap `app` (a WSGI callable)."""
        self.app = app
        self.exchanges: list[tuple] = []

    def __call__(self, environ: dict, start_response: Any) -> Any:
        """Serve, keeping the answer."""
        seen: dict[str, Any] = {}

        def keep(status: str, headers: list, exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)
            return start_response(status, headers, exc_info)
        body = b"".join(self.app(environ, keep))
        self.exchanges.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                               environ.get("QUERY_STRING", ""), seen["status"],
                               seen["headers"].get("Content-Type"), seen["headers"].get("Link"), body))
        return [body]

    def validate_all(self, prefixes: tuple[str, ...] = ("/orgs/", "/scim/", "/enterprises/")) -> int:
        """Check every recorded exchange under `prefixes` that the reference describes; returns how many."""
        checked = 0
        for method, path, query, status, content_type, link, body in self.exchanges:
            if not path.startswith(prefixes) or "consumed-licenses" in path:
                continue
            check(method, path, query, status, content_type, link, body)
            checked += 1
        return checked
