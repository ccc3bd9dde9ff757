"""Validate Flask test-client responses against GitHub's own OpenAPI description (openapi-core).

The reference extract is the repository's copy, `fixtures/github-openapi/` (kept equal to
`../shared/reference/` by tests/contract/test_reference_copy.py). Only operations and statuses
GitHub describes can be checked: asking for another one is a test bug, so it raises instead of passing silently.
"""
from __future__ import annotations

import functools
import io
import json
import os
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

REPO = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(os.environ.get("LICENSE_MOCKS_REFERENCE_DIR", REPO / "fixtures" / "github-openapi"))
GHES_REFERENCE = REFERENCE_DIR / "ghes-license-endpoints.json"


@functools.lru_cache(maxsize=4)
def reference_spec(path: Path = GHES_REFERENCE) -> OpenAPI:
    """GitHub's description, parsed once per test session."""
    return OpenAPI.from_dict(json.loads(path.read_text(encoding="utf-8")))


def reference_document(path: Path = GHES_REFERENCE) -> dict[str, Any]:
    """The raw JSON of the description (to look up operations and schemas in tests)."""
    return json.loads(path.read_text(encoding="utf-8"))


def checked(client: Any, method: str, path: str, spec: OpenAPI | None = None, **kwargs: Any) -> Any:
    """Send a request with the Flask test client and validate request and response against the spec.

    The request is built once and its body kept, because the app consumes the body stream
    and openapi-core needs to read it again. Returns the response for further asserts.
    """
    environ = EnvironBuilder(path=path, method=method, **kwargs).get_environ()
    body = environ["wsgi.input"].read()

    def fresh() -> dict[str, Any]:
        """A copy of the environ with its own unread body."""
        return {**environ, "wsgi.input": io.BytesIO(body)}

    response = client.open(fresh())
    validate(response, Request(fresh()), spec)
    return response


def validate(response: Any, request: Request, spec: OpenAPI | None = None) -> None:
    """Raise unless `request` is a valid GitHub request and `response` matches its operation."""
    spec = spec or reference_spec()
    openapi_request = WerkzeugOpenAPIRequest(request)
    spec.validate_request(openapi_request)
    spec.validate_response(openapi_request, WerkzeugOpenAPIResponse(response))
