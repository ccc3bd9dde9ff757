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
from github_http.state_check import check_state_file
from scenarios.file.use import canonical_text, document_digest, file_seed, preset_label, read_file_setting
from scenarios.model import Scenario
from scenarios.tokens import token_for

from .connect_store import ConnectConfig, ConnectStore
from .licensing import LicenseRules
from .report_store import ReportStore
from .seeding import build_scenario, scenario_token, seed_rows
from .store import Store

SCENARIO_FILE_KEY = "ghes_scenario_file"  # mock_kv: the scenario file's document ("" for a preset)


@dataclass
class Runtime:
    """The pieces of one GHES server and the scenario spec it was built from."""

    settings: dict[str, Any]
    db: Database
    clock: Clock
    store: Store
    connect: ConnectStore
    rules: LicenseRules
    reports: ReportStore
    seeded_at_open: bool = False  # this process seeded an empty state when it opened it
    _file_key: tuple[str, str | None] | None = None  # (spec as JSON, its file's digest): template_key's memo
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

    def document(self) -> dict[str, Any] | None:
        """The scenario file the state was seeded from (its parsed document), None for a preset."""
        text = self.db.get_kv(SCENARIO_FILE_KEY)
        return json.loads(text) if text else None

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
        enterprise, token, license_sync = s["CONNECT_ENTERPRISE"], s["CONNECT_TOKEN"], True
        stated = stated_connect(self.document(), self.spec()) if s["CONNECT_URL"] and self.store.is_seeded() else None
        if stated is not None:  # a scenario file's instance: its enterprise, Connect token and license sync
            enterprise, token = enterprise or stated[0], token or stated[1]
            license_sync = stated[2]
        preset = ConnectConfig(s["CONNECT_URL"], enterprise, token, license_sync)
        return preset if preset.complete else None

    def seed(self, seed: int, preset: str, params: dict[str, Any], instance: int,
             document: dict[str, Any] | None = None, scenario: Scenario | None = None) -> None:
        """(Re)build the whole state from a scenario (or a scenario file's `document`): users, license,
        Connect; attempts forgotten.

        The scenario is generated before any write, so a bad spec raises ValueError and the
        old state stays as it was. `scenario`: that world already built (a checked file's).
        """
        if scenario is None:
            scenario = build_scenario(seed, preset, params, document)
        now = self.clock.now()
        rows = seed_rows(scenario, instance, admin_token=self.settings["ADMIN_TOKEN"], now=now,
                         host_name=self.settings["HOST_NAME"])
        with self.db.transaction():
            self.store.replace_all(rows.instance, rows.users, rows.tokens)
            self.db.set_kv(SCENARIO_FILE_KEY, canonical_text(document) if document is not None else "")
            self.connect.reset(self.connect_preset(), now, min(rows.scenario_sync_enabled_at, now))
            known = (json.dumps(self.spec(), sort_keys=True), document_digest(document))
            self.db.after_commit(lambda: setattr(self, "_file_key", known))

    def template_key(self) -> str:
        """What identifies the seeded state of the current scenario (templates.py): its spec and
        the digest of its scenario file (two files may share a name and seed); the settings that
        also shape it (admin token, host name, Connect preset) are this process's.

        WHY the digest is kept: the file's document is the state's largest value (a 10,000-person
        file: 7 MB of JSON), and every reset asks for the key; it is read again only when the spec
        is not the one this process last seeded or read; the key itself is kept until the next
        write (`cached_read`: every test of the pytest plugin asks it, mostly of a state it only read)."""
        return self.db.cached_read(("template_key",), self._template_key)

    def _template_key(self) -> str:
        """`template_key`, read from the state."""
        spec = self.spec()
        text = json.dumps(spec, sort_keys=True)
        known = self._file_key
        if known is None or known[0] != text:
            known = self._file_key = (text, document_digest(self.document()))
        return json.dumps({**spec, "scenario_file": known[1]}, sort_keys=True)  # spec_key's shape

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
        self.seed(spec["seed"], spec["preset"], spec["params"], spec["instance"], self.document())

    def apply_start_overrides(self) -> None:
        """Flags given at start win over a kept state: the admin token and a Connect preset."""
        if self.settings["ADMIN_TOKEN"]:
            self.store.set_token(self.store.instance()["admin_login"], token_digest(self.settings["ADMIN_TOKEN"]))
        preset = self.connect_preset()
        if preset is not None and self.connect.config() != preset:
            enabled = parse_time(self.store.instance()["scenario_sync_enabled_at"])
            self.connect.configure(preset, self.clock.now(), min(enabled, self.clock.now()))


def stated_connect(document: dict[str, Any] | None, spec: dict[str, Any]) -> tuple[str, str, bool] | None:
    """(enterprise, Connect token, license sync) a scenario file states for this instance, or None.

    Used only with a GHEC URL given (--connect-url): the file names the enterprise, the token
    derives from its seed, and `license_sync: false` keeps Connect on with license sync off.
    """
    if document is None:
        return None
    instances, enterprises = document.get("ghes") or [], document.get("enterprises") or []
    mine = instances[spec["instance"] - 1] if len(instances) >= spec["instance"] else {}
    slug = enterprises[0].get("slug") if enterprises else None
    if not slug or mine.get("connect") is False:
        return None
    return slug, token_for(spec["seed"], f"connect:{slug}"), mine.get("license_sync") is not False


def open_runtime(settings: dict[str, Any]) -> Runtime:
    """Open (or create) the state: a kept `STATE_PATH` is served as it is, an empty one is seeded.

    Seeding happens once even when several workers start on the same new file: the check
    is repeated inside the write transaction.
    """
    check_state_file(settings["STATE_PATH"], "ghes")  # not a text file, a directory, nor GHEC's state
    db = Database(settings["STATE_PATH"] or None)
    rules = LicenseRules.from_settings(settings)
    runtime = Runtime(settings=settings, db=db, clock=Clock(db), store=Store(db, rules),
                      connect=ConnectStore(db, timedelta(days=settings["SYNC_PERIOD_DAYS"])), rules=rules,
                      reports=ReportStore(db, timedelta(seconds=settings["REPORT_CACHE_SECONDS"])))
    try:
        if not runtime.store.is_seeded():
            built = read_file_setting(settings)  # a file read, checked and built once
            document = settings["SCENARIO_DOCUMENT"]
            scenario_args = (settings["SEED"], settings["SCENARIO"], settings["SCENARIO_PARAMS"],
                             settings["INSTANCE"], document)
            if document is not None:
                scenario_args = (file_seed(document, settings), preset_label(document), {}, settings["INSTANCE"],
                                 document)
            if document is None or (built is not None and built.seed != scenario_args[0]):
                built = None  # no file, or built for another seed than the one the file is loaded with
            with db.transaction():
                if not runtime.store.is_seeded():
                    runtime.seed(*scenario_args, scenario=built)
                    runtime.seeded_at_open = True
        else:
            runtime.apply_start_overrides()
    except BaseException:
        db.close()  # a refused scenario leaves no open database (or temporary folder) behind
        raise
    return runtime
