"""requests adapters for the Connect tests: route GHES's calls into a WSGI app, or to a script.

GHES reaches GHEC through `app.extensions["connect_session"]`; mounting one of these on
that session keeps every test in-process, with no port and no sleep.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


def _response(request: requests.PreparedRequest, status: int, body: bytes,
              headers: dict[str, str] | None = None) -> requests.Response:
    """A requests.Response as a real adapter would build it."""
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers = CaseInsensitiveDict(headers or {"Content-Type": "application/json"})
    response.url = request.url or ""
    response.request = request
    response.reason = "OK" if status < 400 else "Error"
    return response


class WsgiAdapter(BaseAdapter):
    """Send every request into a Flask app's test client (e.g. mock GHEC)."""

    def __init__(self, app: Any) -> None:
        """Keep one test client (no cookies matter: GHES authenticates with a token)."""
        super().__init__()
        self.client = app.test_client()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Forward method, path, query, headers and body; copy the answer back."""
        self.sent.append(request)
        url = urlsplit(request.url or "")
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.client.open(url.path, method=request.method, query_string=url.query,
                                  headers=dict(request.headers), data=body or b"")
        return _response(request, answer.status_code, answer.data, dict(answer.headers))

    def close(self) -> None:
        """Nothing to release."""


@dataclass
class Step:
    """One scripted answer: a status (and body), or an exception to raise."""

    status: int = 201
    body: bytes = b'{"ok": true}'
    error: Exception | None = None


@dataclass
class StubAdapter(BaseAdapter):
    """Answer from a script (the last step repeats) and record what was sent."""

    steps: list[Step] = field(default_factory=lambda: [Step()])
    sent: list[requests.PreparedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        """BaseAdapter has an __init__ of its own."""
        super().__init__()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Record the request, then play the next step."""
        self.sent.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if step.error is not None:
            raise step.error
        return _response(request, step.status, step.body)

    def close(self) -> None:
        """Nothing to release."""


def routed_session(adapter: BaseAdapter, base: str = "http://ghec.test") -> requests.Session:
    """A session whose calls to `base` go to `adapter` (and nowhere else)."""
    session = requests.Session()
    session.mount(base, adapter)
    return session
