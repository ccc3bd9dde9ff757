"""The mock GHEC's domain state in SQLite: with `recompute` (the rows, inside its transactions),
the only code that writes.

Every upload or Connect push is ONE transaction: the file is validated completely before the
transaction starts; inside it, that server's earlier contribution is replaced and every row
of the enterprise is recomputed, so a crash or a refusal leaves the state exactly as it was.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from typing import Any

from export_format.gcpause import gc_paused
from github_http.auth import token_digest
from github_http.clock import Clock, isoformat
from github_http.crash_hold import no_hold
from github_http.pagination import Page
from github_http.state_file import bring_forward, remove_with_wal, side_path
from github_http.storage import Database
from license_rules.accounts import member_account, row_order
from license_rules.matching import CloudAccount
from scenarios.file.use import file_spec, spec_key, stored_text, world
from scenarios.model import Scenario
from scenarios.world import BASE as WORLD_BASE

from . import cloud_reads, reads
from .derive import derive
from .identity import token_rows
from .intake import UsageIntake
from .orgs_seed import seed_enterprise
from .orgs_tables import NOT_BILLED_FILTER
from .page_cache import PageCache
from .page_rows import page_answer
from .recompute import recompute
from .rows import CloudSide, cloud_side
from .schemas import DUMPS
from .tables import DOMAIN_TABLES, MIGRATIONS, SCHEMA, SCHEMA_VERSION, SCHEMA_VERSION_KEY

__all__ = ["Store"]

#: The side file of pre-rendered pages that tables v4 kept beside a state (`<stem>.pages.sqlite3`):
#: removed at start, since pages are now kept in memory (page_cache.py).
OLD_PAGES_SIDE = "pages"


class Store(UsageIntake):
    """Writes to the mock GHEC's tables; reads live in `reads`; files taken: `UsageIntake` (intake.py)."""

    def __init__(self, db: Database, clock: Clock, settings: dict[str, Any],
                 before_commit: Callable[[], None] = no_hold) -> None:
        """Create the tables (idempotent, bringing a kept state's older tables forward); the private
        key is loaded on first use. `before_commit` runs inside an accepted file's transaction, its
        writes done, just before COMMIT (the crash tests inject a hold there: crash_hold.py)."""
        self.db, self.clock, self.settings = db, clock, settings
        bring_forward(db, SCHEMA_VERSION_KEY, SCHEMA_VERSION, MIGRATIONS, lambda found: (
            f"the state file {db.path} was written by another version of mock-ghec (tables "
            f"v{found}, this is v{SCHEMA_VERSION}); use a fresh --state path"))
        db.executescript(SCHEMA)
        db.set_kv(SCHEMA_VERSION_KEY, SCHEMA_VERSION)
        remove_with_wal(side_path(db.path, OLD_PAGES_SIDE))
        self._key: Any = None
        self._before_commit = before_commit
        self._keys: dict[str, str] = {}  # generation -> template_key
        self.pages = PageCache(int(float(settings.get("PAGE_CACHE_MIB") or 0) * (1 << 20)))

    def consumed_page(self, access: reads.EnterpriseAccess, page: Page,
                      link_prefix: str) -> tuple[bytes, str | None, str]:
        """(the JSON body, the `Link` header, the body's ETag) of a consumed-licenses page of
        `access`'s enterprise: how it is put together (two key-range reads, or a page kept from
        before) is this store's."""
        return page_answer(self.db, access, page, link_prefix, self.pages)

    # -- scenario ---------------------------------------------------------------------------
    def default_spec(self) -> dict[str, Any]:
        """The scenario named by the settings (seed, preset, params and the CLI overrides)."""
        spec = {"seed": self.settings["SEED"], "preset": self.settings["SCENARIO"],
                "params": dict(self.settings.get("SCENARIO_PARAMS") or {}),
                "owner_token_set": bool(self.settings.get("OWNER_TOKEN")),
                "enterprise": self.settings.get("ENTERPRISE") or ""}
        return {**spec, **file_spec(self.settings)}

    def template_key(self) -> str:
        """What identifies the seeded state of the current scenario (github_http/templates.py): the
        stored spec, CLI overrides included, its file as a digest. Kept per generation (the stored
        spec's hash): a 10,000-person file's spec took 0.3 s to read, and every reset asks."""
        generation = self.db.get_kv(reads.GENERATION_KEY, "") or ""
        if generation not in self._keys:
            if len(self._keys) >= 4:
                self._keys.clear()
            self._keys[generation] = spec_key(reads.scenario_spec(self.db))
        return self._keys[generation]

    def load_if_empty(self, spec: dict[str, Any], scenario: Scenario | None = None) -> bool:
        """Seed a new state file once, even when several gunicorn workers start on it together.

        WHY under the write lock with a re-check: two workers may both see an empty file; the
        second must find the first one's scenario and keep it (a second load would wipe
        whatever was uploaded in between). Returns whether this call seeded.
        """
        with self.db.transaction():
            if reads.scenario_spec(self.db) is not None:
                return False
            self.load(spec, scenario)
            return True

    def load(self, spec: dict[str, Any], scenario: Scenario | None = None) -> None:
        """Build the scenario (or take `scenario`, the spec's world already built) and replace ALL
        domain state with it (build first: a bad spec changes nothing)."""
        seed, preset, params = spec.get("seed", 1), spec.get("preset", "demo"), spec.get("params") or {}
        if not isinstance(params, dict):
            raise ValueError("params must be an object of scenario parameters")
        if scenario is None:
            scenario = world(seed, preset, params, spec.get("file"))
        params_out = dataclasses.asdict(scenario.params)
        params_out["locales"] = list(params_out["locales"])
        stored = {"seed": seed, "preset": preset, "params": params, "resolved_params": params_out,
                  "owner_token_set": bool(spec.get("owner_token_set")),
                  "enterprise": spec.get("enterprise") or "", "file": spec.get("file")}
        rename = stored["enterprise"]
        if rename and any(e.slug.lower() == rename.lower() for e in scenario.enterprises[1:]):
            raise ValueError(f"enterprise slug {rename!r} is already another enterprise's in this scenario")
        with gc_paused(), self.db.transaction() as conn:
            for table in DOMAIN_TABLES:
                conn.execute(f"DELETE FROM {table}")
            # WHY derived from the spec, not random: the same scenario gives the same accounts, so a
            # reset to it (a copy of the seeded state, github_http/templates.py) is byte for byte a
            # fresh start, and what reads.cloud_side_of kept for it stays right.
            key = spec_key(stored)  # the file as its digest: its text is made once per document
            generation = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
            self.db.set_kv(reads.SCENARIO_KEY, stored_text(stored))
            self.db.set_kv(reads.GENERATION_KEY, generation)
            self._keys[generation] = key
            self.db.delete_kv(cloud_reads.KEPT_KEY)
            for position, ent in enumerate(scenario.enterprises):
                cloud = self._insert_enterprise(conn, scenario, position, ent, stored)
                reads.prime_cloud(self.db, ent.id, generation, cloud)
                if len(cloud.account_ids) >= cloud_reads.KEEP_AT:  # for a process that opens the state later
                    conn.execute("INSERT INTO ghec_cloud_index VALUES (?, ?)",
                                 (ent.id, cloud_reads.kept_row(cloud.index)))
                    self.db.set_kv(cloud_reads.KEPT_KEY, generation)  # the mark only beside a kept index
                recompute(self.db, conn, ent.id)

    def _insert_enterprise(self, conn: Any, scenario: Any, position: int, ent: Any, spec: dict) -> CloudSide:
        """One enterprise with its accounts, emails, identities and tokens; returns its GitHub.com side."""
        slug = (spec["enterprise"] or ent.slug) if position == 0 else ent.slug
        tokens = scenario.tokens
        connect = tokens[f"connect:{ent.slug}"]
        conn.execute("INSERT INTO ghec_enterprises (id, position, slug, scenario_slug, name, seats_purchased, "
                     "uses_saml, organizations, verified_domains, connect_token_digest) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (ent.id, position, slug, ent.slug, ent.name, ent.seats_purchased,
                      int(ent.uses_saml or bool(ent.saml_orgs)),  # §4.1: the enterprise or any organization
                      json.dumps(ent.organizations), json.dumps(ent.verified_domains), token_digest(connect)))
        members = row_order(ent.members)
        conn.executemany(
            "INSERT OR IGNORE INTO ghec_account_emails VALUES (?,?,?,?)",
            [(ent.id, m.id, a, 1) for m in members for a in m.verified_emails]
            + [(ent.id, m.id, a, 0) for m in members for a in m.unverified_emails])
        conn.executemany(
            "INSERT INTO ghec_identities VALUES (?,?,?,?,?,?,?,?)",
            ((ent.id, m.id, i.provider, i.name_id, i.username, i.name_claim, i.emailaddress_claim,
              DUMPS(i.emails)) for m in members if (i := m.identity) is not None))
        owner = self.settings.get("OWNER_TOKEN") if position == 0 and spec["owner_token_set"] else None
        conn.executemany("INSERT OR REPLACE INTO ghec_tokens VALUES (?,?,?,?)", token_rows(ent, tokens, owner))
        # Seeded invitations and SCIM identities are dated at the world's own moment, not the load time:
        # a reset that copies the seeded state back is then exactly a fresh start (tests/harness).
        seed_enterprise(conn, ent, members, isoformat(WORLD_BASE), len(members) + 1)
        # The accounts go in with what derive makes of them (fragments, verdicts, roles, order), as after any refresh.
        derive(conn, ent.id, new=[(m.id, m.login, m.name, m.role, int(m.enterprise_owner)) for m in members])
        return self._cloud_of(conn, ent.id, members, bool(ent.uses_saml or ent.saml_orgs))

    @staticmethod
    def _cloud_of(conn: Any, enterprise_id: int, members: list[Any], uses_saml: bool) -> CloudSide:
        """The billed accounts (as derived) in row order, from the scenario's members (no read back)."""
        by_id = {m.id: m for m in members}
        billed = conn.execute(f"SELECT id, login FROM ghec_accounts WHERE enterprise_id = ? AND {NOT_BILLED_FILTER} "
                              "ORDER BY ordinal", (enterprise_id,)).fetchall()
        return cloud_side([member_account(by_id[aid]) if aid in by_id else CloudAccount(aid, login, (), (), None)
                           for aid, login in billed], uses_saml)
