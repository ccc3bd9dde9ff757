"""Everything one GHES server runs on, without Flask: settings, database, clock, stores, scenario.

`create_app` and the CLI (`mock-ghes license usage` works on a state file with no server)
both start here, so they seed, reseed and read the state the same way.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from export_format import keys
from github_http import Clock, Database, isoformat, parse_time
from github_http.auth import token_digest

from .connect_store import ConnectConfig, ConnectStore
from .licensing import LicenseRules
from .seeding import build_scenario, scenario_token, seed_rows
from .store import Store


@dataclass
class Runtime:
    """The pieces of one GHES server and the scenario spec it was built from."""

    settings: dict[str, Any]
    db: Database
    clock: Clock
    store: Store
    connect: ConnectStore
    rules: LicenseRules
    seeded_at_open: bool = False  # this process seeded an empty state when it opened it
    _public_key: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ghec_public_key(self) -> Any:
        """The RSA key exports are encrypted to, loaded once (GHEC_PUBLIC_KEY or the test key)."""
        with self._lock:
            if self._public_key is None:
                self._public_key = keys.load_public_key(self.settings["GHEC_PUBLIC_KEY"] or None)
            return self._public_key

    def spec(self) -> dict[str, Any]:
        """The scenario the state was seeded from: {seed, preset, params, instance}."""
        inst = self.store.instance()
        return {"seed": inst["seed"], "preset": inst["preset"], "params": inst["params"],
                "instance": inst["instance_index"]}

    def tokens(self) -> dict[str, str]:
        """The tokens the server prints: its site admin's, a normal user's and the Manage API's."""
        spec = self.spec()
        k = spec["instance"]
        return {"admin": self.settings["ADMIN_TOKEN"] or scenario_token(None, spec["seed"], f"ghes:{k}:admin"),
                "member": scenario_token(None, spec["seed"], f"ghes:{k}:member"),
                "manage": scenario_token(None, spec["seed"], f"ghes:{k}:manage")}

    def connect_preset(self) -> ConnectConfig | None:
        """GitHub Connect as configured by settings/flags (all three given), license sync on."""
        s = self.settings
        preset = ConnectConfig(s["CONNECT_URL"], s["CONNECT_ENTERPRISE"], s["CONNECT_TOKEN"], True)
        return preset if preset.complete else None

    def seed(self, seed: int, preset: str, params: dict[str, Any], instance: int) -> None:
        """(Re)build the whole state from a scenario: users, license, Connect; attempts forgotten.

        The scenario is generated before any write, so a bad spec raises ValueError and the
        old state stays as it was.
        """
        scenario = build_scenario(seed, preset, params)
        now = self.clock.now()
        rows = seed_rows(scenario, instance, admin_token=self.settings["ADMIN_TOKEN"], now=now,
                         host_name=self.settings["HOST_NAME"])
        with self.db.transaction():
            self.store.replace_all(rows.instance, rows.users)
            self.connect.reset(self.connect_preset(), now, min(rows.scenario_sync_enabled_at, now))

    def template_key(self) -> str:
        """What identifies the seeded state of the current scenario (templates.py): its spec; the
        settings that also shape it (admin token, host name, Connect preset) are this process's."""
        return json.dumps(self.spec(), sort_keys=True)

    def retime(self) -> None:
        """After the seeded state was copied back: what seeding takes from the clock, as of now
        (when it was seeded, and a Connect preset's schedule), so the state is a fresh seed's."""
        now = self.clock.now()
        with self.db.transaction():
            self.store.retime_seed(isoformat(now))
            preset = self.connect_preset()
            if preset is not None:
                enabled = parse_time(self.store.instance()["scenario_sync_enabled_at"])
                self.connect.reset(preset, now, min(enabled, now))

    def reseed(self) -> None:
        """Back to the current scenario's initial state (`/_mock/reset`)."""
        spec = self.spec()
        self.seed(spec["seed"], spec["preset"], spec["params"], spec["instance"])

    def apply_start_overrides(self) -> None:
        """Flags given at start win over a kept state: the admin token and a Connect preset."""
        if self.settings["ADMIN_TOKEN"]:
            self.store.set_token(self.store.instance()["admin_login"], token_digest(self.settings["ADMIN_TOKEN"]))
        preset = self.connect_preset()
        if preset is not None and self.connect.config() != preset:
            enabled = parse_time(self.store.instance()["scenario_sync_enabled_at"])
            self.connect.configure(preset, self.clock.now(), min(enabled, self.clock.now()))


def open_runtime(settings: dict[str, Any]) -> Runtime:
    """Open (or create) the state: a kept `STATE_PATH` is served as it is, an empty one is seeded.

    Seeding happens once even when several workers start on the same new file: the check
    is repeated inside the write transaction.
    """
    db = Database(settings["STATE_PATH"] or None)
    rules = LicenseRules.from_settings(settings)
    runtime = Runtime(settings=settings, db=db, clock=Clock(db), store=Store(db, rules),
                      connect=ConnectStore(db, timedelta(days=settings["SYNC_PERIOD_DAYS"])), rules=rules)
    try:
        if not runtime.store.is_seeded():
            scenario_args = (settings["SEED"], settings["SCENARIO"], settings["SCENARIO_PARAMS"],
                             settings["INSTANCE"])
            with db.transaction():
                if not runtime.store.is_seeded():
                    runtime.seed(*scenario_args)
                    runtime.seeded_at_open = True
        else:
            runtime.apply_start_overrides()
    except BaseException:
        db.close()  # a refused scenario leaves no open database (or temporary folder) behind
        raise
    return runtime
