"""`license_sync_pair`'s setup: GitHub Connect on, made from a kept outcome when it is the same one.

WHY: connecting by its requests (GHES's route through the test client, then GHES's registration
with GHEC over loopback HTTP) cost about 3 ms per test, and the next reset then copied the
written table back on both apps (another 0.7 ms); the issue's budget for the whole fixture is 5 ms.

How: a setup is done by its requests unless one like it was kept. When both apps were on their
scenario's fresh state (nothing written since the reset, so no faults and the real clock) and
the requests succeeded within one second of both clocks, the rows they wrote are kept on each
app as a variant of its reset state (github_http/templates.py, row_diff.py). A later setup with
the same inputs (both scenarios, GHEC's URL, enterprise and token, GHES's Connect session), on
both apps' fresh state again and in the same second of both clocks, writes those rows instead:
a setup by its requests then would read the same state at the same time (every stamp it writes
is a second's) and write the same bytes. (The same state but for what a reset took from the
clock, GHES's seeding time, which Connect's routes do not read; and nothing else may write
either app meanwhile: the plugin's servers answer only the test, which is not running yet.)
Anything else (the clock moved or another second, a write or fault since the reset, another
scenario or session) takes the requests again.
The reset after either takes those rows off again (one statement, not a table copy).

Journal and rate limits: the setup is the fixture's, not the test's, so neither shows it by
either way: after setting up by its requests both journals are cleared and both rate limits
refilled (what the reset before did), so a test starts with empty journals whichever way it took.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from github_http.appkit import MockKit
    from github_http.row_diff import Variant
    from github_http.templates import Watch

    from .handles import LicenseSyncPair

#: How a setup was done (what `LicenseSyncPair.prepare` returns).
RESTORED, REQUESTED = "restored", "requested"


@dataclass(frozen=True)
class _Inputs:
    """What a setup's outcome depends on, besides the two states (clean on these keys)."""

    ghes_key: str
    ghec_key: str
    body: tuple[str, str, str]  # GHEC's URL, the enterprise, the Connect token
    second: tuple[int, int]  # both clocks' second
    session: object  # GHES's Connect session (a test may route it elsewhere)
    ghec: weakref.ref[Flask]


@dataclass(frozen=True)
class _Kept:
    """A setup's rows on each app, and what they were made from."""

    inputs: _Inputs
    ghes: Variant
    ghec: Variant


_KEPT: weakref.WeakKeyDictionary[Flask, _Kept] = weakref.WeakKeyDictionary()  # by GHES app: the latest


def _kit(app: Flask) -> MockKit:
    """An app's shared mock machinery."""
    return app.extensions["mock"]


def _inputs(pair: LicenseSyncPair) -> _Inputs | None:
    """The inputs of a setup now, or None when either app keeps no reset state (no templates)."""
    ghes, ghec = _kit(pair.ghes.app), _kit(pair.ghec.app)
    if ghes.templates is None or ghec.templates is None or ghes.hooks is None or ghec.hooks is None \
            or ghes.hooks.template_key is None or ghec.hooks.template_key is None:
        return None
    body = (pair.ghec.base_url, pair.ghec.enterprise, pair.ghec.connect_token)
    second = (int(ghes.clock.now().timestamp()), int(ghec.clock.now().timestamp()))
    # WHY the reset's key when there is one: GHES's is read from its state (0.1 ms); a stale one only
    # finds the state not clean on it (templates.is_clean), and the requests are made.
    return _Inputs(pair.ghes.state_key or ghes.hooks.template_key(), pair.ghec.state_key or ghec.hooks.template_key(),
                   body, second,
                   pair.ghes.app.extensions["connect_session"], weakref.ref(pair.ghec.app))


def connect_pair(pair: LicenseSyncPair) -> str:
    """Turn Connect and license sync on, registered with GHEC (see the module's docstring): RESTORED
    from a kept setup, else REQUESTED by the routes, and kept for the next time when it can be."""
    inputs = _inputs(pair)
    kept = _KEPT.get(pair.ghes.app)
    if inputs is not None and kept is not None and kept.inputs == inputs and _put_on(pair, kept):
        return RESTORED
    watches = _watch(pair, inputs) if inputs is not None else None
    answer = pair.connect()
    if watches is not None and answer.get("registered") and not answer.get("registration_error") \
            and _inputs(pair) == inputs:
        made = (_kit(pair.ghes.app).templates, _kit(pair.ghec.app).templates)
        on_ghes = made[0].variant(watches[0]) if made[0] is not None else None
        on_ghec = made[1].variant(watches[1]) if made[1] is not None else None
        if inputs is not None and on_ghes is not None and on_ghec is not None:
            _KEPT[pair.ghes.app] = _Kept(inputs, on_ghes, on_ghec)
    for app in (pair.ghes.app, pair.ghec.app):
        _kit(app).journal.clear()
        _kit(app).rate_limits.clear()
    return REQUESTED


def _watch(pair: LicenseSyncPair, inputs: _Inputs) -> tuple[Watch, Watch] | None:
    """Both apps' states before the requests, if both are clean (else their outcome is not kept)."""
    ghes, ghec = _kit(pair.ghes.app).templates, _kit(pair.ghec.app).templates
    on_ghes = ghes.watch(inputs.ghes_key) if ghes is not None else None
    on_ghec = ghec.watch(inputs.ghec_key) if ghec is not None else None
    return (on_ghes, on_ghec) if on_ghes is not None and on_ghec is not None else None


def _put_on(pair: LicenseSyncPair, kept: _Kept) -> bool:
    """Write the kept rows on both apps, or nothing (False): both must fit first. Should the second
    still fail (a row it cannot write), GHES is reset again, so the requests start from the same state."""
    ghes, ghec = _kit(pair.ghes.app), _kit(pair.ghec.app)
    assert ghes.templates is not None and ghec.templates is not None  # _inputs said so
    key_s, key_c = kept.inputs.ghes_key, kept.inputs.ghec_key
    if not (ghes.templates.fits(key_s, kept.ghes) and ghec.templates.fits(key_c, kept.ghec)):
        return False
    if not ghes.templates.put_on(key_s, kept.ghes):
        return False
    _forget_due(pair.ghes.app)
    if not ghec.templates.put_on(key_c, kept.ghec):
        pair.ghes.reset()
        return False
    return True


def _forget_due(app: Flask) -> None:
    """GHES keeps its next sync's due time in memory: Connect changed under it (as the route says)."""
    ghes: Any = app.extensions.get("ghes")
    if ghes is not None:
        ghes.syncer.invalidate()
