"""What an app plugs into the shared control plane (`ControlHooks`), and the reset built on it.

Kept apart from control.py (the `/_mock/` routes) so the reset's three ways back to a fresh
start (`reset_state`) read in one place, next to the hooks they call.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint

from .snapshot import NOTHING_DERIVED, Derived


@dataclass
class ControlHooks:
    """What an app plugs into the shared control plane."""

    reset: Callable[[], None]  # rebuild the domain state from the current scenario
    load_scenario: Callable[[dict], None]  # {"seed", "preset", "params"}: switch scenario, then reset
    describe_scenario: Callable[[], dict]
    openapi: Callable[[], dict]
    extend: Callable[[Blueprint], None] | None = None  # add app-only /_mock/ routes
    # What is computed from the other rows (tables, columns, control values): not in snapshots; on
    # restore `redo(conn)` recomputes it inside the restore's transaction (Database.after_commit for
    # what must follow its commit).
    derived: Derived = NOTHING_DERIVED
    redo: Callable[[Any], None] | None = None
    # What identifies the seeded state of the current scenario (templates.py keeps one per key), and
    # what must be redone after a kept state was copied back (what seeding took from the clock).
    template_key: Callable[[], str] | None = None
    after_restore: Callable[[], None] | None = None
    routes_doc: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, what)
    dump_scenario: Callable[[], dict] | None = None  # the current world as a scenario file's document
    # (table, column) -> check: restored values pass the rules the app's routes write by (snapshot_check.py)
    snapshot_rules: dict[tuple[str, str], Callable[[Any], str | None]] = field(default_factory=dict)


RESET_HEADER = "X-Mock-Reset"
SCENARIO_HEADER = "X-Mock-Scenario"


def reset_state(kit: Any, hooks: ControlHooks, key: str | None = None) -> str:
    """Put the scenario's initial state back (faults and clock included), the cheapest way that is exact:

    - `unchanged`: nothing was written since the last reset (a private database only);
    - `copied`: the state kept right after seeding was copied back (templates.py), then
      `after_restore` redid what seeding took from the clock;
    - `rebuilt`: the scenario was built again, in one transaction (a crash or a refused rebuild
      leaves everything as it was); the result is kept for the next reset.

    `key`: `hooks.template_key()` as the caller just read it (asked once per reset).
    """
    templates, key_of = kit.templates, hooks.template_key
    if key_of is None or templates is None:
        key = None
    elif key is None:
        key = key_of()
    if key is not None and templates.is_clean(key):
        return "unchanged"
    if key is not None and templates.restore(key):
        if hooks.after_restore is not None:
            hooks.after_restore()
        templates.mark_clean(key)
        return "copied"
    with kit.db.transaction():
        kit.faults.clear()
        kit.clock.reset()
        hooks.reset()
    if key is not None and key_of is not None:
        templates.keep(key_of())
    return "rebuilt"


def reset_app(kit: Any, hooks: ControlHooks) -> dict[str, str]:
    """What `POST /_mock/reset` does, callable in process (the pytest plugin's fixtures do, inside an
    app context): journal, state, faults, clock and rate limits back to the scenario's start.

    Returns the answer's headers: `X-Mock-Reset` (how, see reset_state) and, where the app names
    its templates, `X-Mock-Scenario` (which scenario the state is now on, as compact JSON).
    """
    kit.journal.clear()
    key = hooks.template_key() if hooks.template_key is not None else None
    how = reset_state(kit, hooks, key)
    headers = {RESET_HEADER: how}
    kit.rate_limits.clear()  # its own file (rate_limit_store.py): not in the state's transaction
    if key is not None and hooks.template_key is not None:
        headers[SCENARIO_HEADER] = key if how != "rebuilt" else hooks.template_key()
    return headers
