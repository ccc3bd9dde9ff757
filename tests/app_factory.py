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
