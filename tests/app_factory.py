"""One helper behind every folder's `make_app`-style fixture: build apps on demand, close them all after.

WHY a module and not a fixture: each folder builds a different app (mock GHEC, the tiny
control-plane app, GHEC on the small scenario) with its own defaults; what they share is the
bookkeeping, so a database (and an ephemeral folder) never outlives its test.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask import Flask


def closing_factory(create: Callable[[Mapping[str, Any]], Flask],
                    **defaults: Any) -> Iterator[Callable[..., Flask]]:
    """Yield `make(**config)` building `create({**defaults, **config})`; close every app's database after."""
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        """A fresh app (its own database) with `config` over the defaults."""
        app = create({**defaults, **config})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["mock"].db.close()


def count_flask_calls(hot: Flask) -> list[int]:
    """Count the requests `hot`'s hot paths hand on to Flask (one item each): the agreement tests'
    proof that a plain case was answered hot (MockWire -> ApiWire -> HotPaths -> Flask)."""
    calls: list[int] = []
    hot_paths = hot.wsgi_app.app.app  # type: ignore[attr-defined]
    flask_wsgi = hot_paths.app

    def counted(environ: dict, start_response: Any) -> Any:
        """Flask, counted."""
        calls.append(1)
        return flask_wsgi(environ, start_response)

    hot_paths.app = counted
    return calls


def answer_of(app: Flask, url: str, headers: dict[str, str], *, method: str = "GET",
              base_url: str = "http://localhost/", varying: frozenset[str] = frozenset()
              ) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of one request, the `varying` headers' values (lower-case names)
    blanked: what a hot path and its Flask route must agree on."""
    response = app.test_client().open(url, method=method, headers=headers, base_url=base_url)
    seen = {k.lower(): ("*" if k.lower() in varying else v) for k, v in response.headers.items()}
    return response.status_code, response.data, seen
