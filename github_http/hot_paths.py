"""A few hot GET routes answered without Flask: their plain case only, everything else to Flask.

WHY: serving a consumed-licenses page under gunicorn, Flask's per-request machinery (request
and response objects, routing, hooks, header checks) cost about as much as the route's own
work (measured: a worker's CPU per page fell from about 1.4 to 1.0 ms without it, half of that
now gunicorn's own). A hot path answers only a request it recognises as the plain case, built
from the same functions the Flask route uses; anything else (a HEAD, a body, another query
parameter, an unknown API version, a token that is not an owner's, an error of any kind) goes
to Flask, whose route stays the reference. A HEAD arrives here as its GET (api_wire.py drops
the body), so it is answered like the GET. It sits inside MockWire, so faults and the journal apply as to any
request, and tests hold both to the same status, body and headers.

A hot path stands in for the app's own hooks and views as they were when the app was built
(`start_answering`): once anyone adds a request hook or replaces a hot route's view (a test doctoring
answers, an extension), every request goes through Flask again, so nothing added is skipped.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from .api_headers import chosen_version
from .api_wire import CALLER_KEY
from .auth import token_in
from .token_kinds import INSTALLATION

#: (headers, body) of a 200 answer.
HotAnswer = tuple[list[tuple[str, str]], bytes]
#: Answers the plain case of its route from a WSGI environ, or None to let Flask answer.
HotPath = Callable[[dict[str, Any]], "HotAnswer | None"]


def own_user_request(environ: dict[str, Any], path: str) -> tuple[str, str] | None:
    """(API version, token) of a plain `GET /user` at `path`: no query, a supported (or no)
    `X-GitHub-Api-Version`, a `token`/`Bearer` token ApiWire knew (its caller), presented as
    anything but an App installation token (GitHub refuses those `/user`); else None."""
    if environ.get("PATH_INFO") != path or environ.get("QUERY_STRING"):
        return None
    version = chosen_version(environ.get("HTTP_X_GITHUB_API_VERSION"))
    token = token_in(environ.get("HTTP_AUTHORIZATION", ""))
    caller = environ.get(CALLER_KEY)
    if version is None or token is None or caller is None or caller.kind == INSTALLATION:
        return None
    return version, token


def _fingerprint(flask_app: Flask, endpoints: tuple[str, ...]) -> tuple:
    """What a hot path stands in for: how many request hooks there are, and the hot routes' views."""
    return (sum(map(len, flask_app.before_request_funcs.values())),
            sum(map(len, flask_app.after_request_funcs.values())),
            sum(map(len, flask_app.teardown_request_funcs.values())),
            tuple(map(flask_app.view_functions.get, endpoints)))


class HotPaths:
    """WSGI: try each hot path on a bodiless GET, else hand the request to `app` unchanged."""

    def __init__(self, app: Callable, paths: list[HotPath]) -> None:
        """`app` is the Flask WSGI app every other request goes to; nothing is answered hot
        until `start_answering`."""
        self.app, self.paths = app, paths
        self._flask: Flask | None = None
        self._endpoints: tuple[str, ...] = ()
        self._settled: tuple | None = None

    def start_answering(self, flask_app: Flask, endpoints: tuple[str, ...]) -> None:
        """The app is built: remember its hooks and the views of the hot paths' `endpoints`, and
        answer hot from now on, as long as neither changes."""
        self._flask, self._endpoints = flask_app, endpoints
        self._settled = _fingerprint(flask_app, endpoints)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        """Serve from a hot path when one answers; an error in one also falls back to Flask,
        which then answers (or fails) the way the route always has."""
        if (environ.get("REQUEST_METHOD") == "GET" and environ.get("CONTENT_LENGTH") in (None, "", "0")
                and self._flask is not None and _fingerprint(self._flask, self._endpoints) == self._settled):
            for path in self.paths:
                try:
                    answer = path(environ)
                except Exception:
                    answer = None
                if answer is not None:
                    start_response("200 OK", answer[0])
                    return [answer[1]]
        return self.app(environ, start_response)
