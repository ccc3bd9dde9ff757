"""GitHub's error shape, `{"message", "documentation_url", "status"}`, for every API failure.

Routes raise `GitHubError`; the handlers registered here turn it, and anything Werkzeug or
a bug raises, into the JSON a real GitHub client expects (the status is a string, as GitHub
sends it; 422 adds `errors`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

DOCS = "https://docs.github.com/rest"
log = logging.getLogger(__name__)


class GitHubError(Exception):
    """An API failure answered the way GitHub answers it."""

    def __init__(self, status: int, message: str, *, errors: list[dict] | None = None,
                 documentation_url: str = DOCS, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        """Keep what the response needs; `extra` adds our own documented keys (e.g. `problems`)."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.documentation_url = documentation_url
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """The JSON body, in GitHub's key order."""
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        body["documentation_url"] = self.documentation_url
        body["status"] = str(self.status)
        return body


def requires_authentication() -> GitHubError:
    """401 for a request without credentials."""
    return GitHubError(401, "Requires authentication")


def bad_credentials() -> GitHubError:
    """401 for credentials that match nobody."""
    return GitHubError(401, "Bad credentials")


def forbidden(message: str = "Must have admin rights to Repository.") -> GitHubError:
    """403 for a known caller without the right role."""
    return GitHubError(403, message)


def not_found() -> GitHubError:
    """404, also GitHub's answer for what the caller may not know exists."""
    return GitHubError(404, "Not Found")


def validation_failed(errors: list[dict], message: str = "Validation Failed") -> GitHubError:
    """422 with GitHub's `errors: [{resource, field, code}]`."""
    return GitHubError(422, message, errors=errors)


def problems_parsing_json() -> GitHubError:
    """400 for a body that is not JSON."""
    return GitHubError(400, "Problems parsing JSON")


def error_response(error: GitHubError) -> Response:
    """Serialise a GitHubError with its headers."""
    response = jsonify(error.body())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask, wants_json: Callable[[], bool]) -> None:
    """Answer errors as GitHub JSON on API routes; pages keep Werkzeug's HTML (wants_json decides)."""

    @app.errorhandler(GitHubError)
    def _github_error(error: GitHubError) -> Response:
        """Our own raised errors are already in GitHub's terms."""
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        """Routing errors (404, 405, 413) keep their status with GitHub's body on the API."""
        if not wants_json():
            return error
        message = {404: "Not Found", 405: "Method Not Allowed",
                   413: "Request Entity Too Large"}.get(error.code or 500, error.name)
        wrapped = GitHubError(error.code or 500, message)
        response = error_response(wrapped)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        """A bug is a 500 with GitHub's body, logged with its traceback; never a half-written state.
        A body that stopped arriving (the server's socket timeout, github_http/live.py) is 408."""
        if isinstance(error, TimeoutError):
            log.warning("request body timed out on %s %s", request.method, request.path)
            return error_response(GitHubError(408, "Request Timeout: the request body stopped arriving"))
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_json():
            return "Internal Server Error", 500
        return error_response(GitHubError(500, "Server Error"))
