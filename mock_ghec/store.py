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

import msgspec

from export_format.gcpause import gc_paused
from export_format.schemas import FORMAT_ID
from export_format.validation import validate_compact
from github_http.auth import token_digest
from github_http.clock import Clock, isoformat
from github_http.crash_hold import no_hold
from github_http.pagination import Page
from github_http.state_file import bring_forward, remove_with_wal, side_path
from github_http.storage import Database
from license_rules.accounts import member_account, row_order
from license_rules.matching import CloudAccount
from scenarios.file.use import file_spec, world
from scenarios.model import Scenario
from scenarios.world import BASE as WORLD_BASE

from . import reads
from .derive import derive
from .domain import FileTooLarge, InvalidUsage, NotJson, NotRegistered
from .file_rules import check_time, misdirected
from .identity import token_rows
from .orgs_seed import seed_enterprise
from .orgs_tables import NOT_BILLED_FILTER
from .page_cache import PageCache
from .page_rows import page_answer
from .privacy import envelope_paths, keep
from .recompute import recompute, write_cache
from .refused_bytes import best_effort_server_id, is_json
from .rows import CloudSide, cloud_side, server_accounts
from .schemas import DUMPS
from .tables import DOMAIN_TABLES, MIGRATIONS, SCHEMA, SCHEMA_VERSION, SCHEMA_VERSION_KEY

__all__ = ["Store"]

EVENT_UPLOADED = "Server usage uploaded"
EVENT_SYNCED = "GitHub Connect server usage synced"
EVENT_NEVER_SYNCED = "GitHub Connect server usage never synced"
#: The side file of pre-rendered pages that tables v4 kept beside a state (`<stem>.pages.sqlite3`):
#: removed at start, since pages are now kept in memory (page_cache.py).
OLD_PAGES_SIDE = "pages"


class Store:
    """Writes to the mock GHEC's tables; reads live in `reads`."""

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
        self.pages = PageCache(int(float(settings.get("PAGE_CACHE_MIB") or 0) * (1 << 20)))

    def consumed_page(self, access: reads.EnterpriseAccess, page: Page, link_prefix: str) -> tuple[bytes, str | None]:
        """(the JSON body, the `Link` header) of a consumed-licenses page of `access`'s enterprise:
        how it is put together (two key-range reads, or a page kept from before) is this store's."""
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
        stored spec, CLI overrides included."""
        return json.dumps(reads.scenario_spec(self.db), sort_keys=True)

    def load_if_empty(self, spec: dict[str, Any]) -> bool:
        """Seed a new state file once, even when several gunicorn workers start on it together.

        WHY under the write lock with a re-check: two workers may both see an empty file; the
        second must find the first one's scenario and keep it (a second load would wipe
        whatever was uploaded in between). Returns whether this call seeded.
        """
        with self.db.transaction():
            if reads.scenario_spec(self.db) is not None:
                return False
            self.load(spec)
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
            generation = hashlib.sha256(json.dumps(stored, sort_keys=True).encode("utf-8")).hexdigest()[:32]
            self.db.set_kv(reads.SCENARIO_KEY, json.dumps(stored))
            self.db.set_kv(reads.GENERATION_KEY, generation)
            for position, ent in enumerate(scenario.enterprises):
                cloud = self._insert_enterprise(conn, scenario, position, ent, stored)
                reads.prime_cloud(self.db, ent.id, generation, cloud)
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

    # -- server usage -----------------------------------------------------------------------
    def private_key(self) -> Any:
        """The GHEC private key that opens encrypted exports (the test key unless configured)."""
        if self._key is None:
            from export_format.keys import load_private_key
            self._key = load_private_key(self.settings.get("GHEC_PRIVATE_KEY") or None)
        return self._key

    def ingest(self, enterprise_id: int, slug: str, raw: bytes, *, source: str, force: bool = False) -> dict[str, Any]:
        """Take an export file (upload or Connect push): validate fully, then replace that server's usage.

        Raises a UsageRefused of domain.py (nothing written) for a file that is too big, not JSON, or invalid;
        a Connect push additionally needs its server registered first. The garbage collector
        is paused for the whole call and the parsed document dies before it resumes (see gcpause).
        """
        limit = int(self.settings["MAX_UPLOAD_BYTES"])
        if len(raw) > limit:
            raise FileTooLarge(f"the file is {len(raw):,} bytes, over the {limit:,}-byte limit", limit)
        with gc_paused():
            return self._ingest(enterprise_id, slug, raw, source, force)

    def _ingest(self, enterprise_id: int, slug: str, raw: bytes, source: str, force: bool) -> dict[str, Any]:
        """Validate, check the Connect registration, take the file; returns the upload summary."""
        result, compact = validate_compact(raw, private_key=self.private_key())
        if not result.ok or result.document is None or not result.document.users_readable:
            problems = [{"path": p.path, "message": p.message} for p in result.problems] or [
                {"path": "$.users", "message": "the users could not be read"}]
            refusal = InvalidUsage if is_json(raw) else NotJson
            raise refusal(problems, best_effort_server_id(raw))
        doc = result.document
        server_id, host = doc.instance["server_id"], doc.instance["host_name"]
        known = reads.server(self.db, enterprise_id, server_id)
        if source == "connect" and not (known and known["connect"]):
            raise NotRegistered(server_id)
        check_time(doc.generated_at, self.clock.now(), (known or {}).get("generated_at"), server_id,
                   force and source == "upload")
        warnings = misdirected(server_id, host, slug, reads.connect_enterprises(self.db, server_id, enterprise_id))
        # Kept per user: [id, primary, *secondaries], nothing else (see privacy.keep). The
        # accelerator hands them over already compact, with the paths its records held.
        kept, user_paths = keep(doc.users) if compact is None else (compact.users, compact.paths)
        # The parsed users die here, not when the request ends: for a 1,000,000-user file they
        # are most of the upload's memory, and what follows (matching, rows) can reuse it.
        doc.users.clear()
        del compact
        taken_at = self._take(enterprise_id, slug, doc, source, kept, user_paths)
        received = len(kept)
        return {"server_id": server_id, "host_name": host, "users_received": received,
                "event": EVENT_UPLOADED if source == "upload" else EVENT_SYNCED,
                "uploaded_at": taken_at, "replaced_previous": bool(known and known["has_usage"]),
                "warnings": warnings}

    def _take(self, enterprise_id: int, slug: str, doc: Any, source: str, kept: list[list],
              user_paths: set[str]) -> str:
        """The one write transaction of an accepted file: server, kept users, ledger, every row; returns its time."""
        server_id, host = doc.instance["server_id"], doc.instance["host_name"]
        fresh = server_accounts(kept, server_id, host)
        envelope = {"format": FORMAT_ID, "format_version": doc.format_version, "generated_at": doc.generated_at,
                    "instance": doc.instance, **({"encryption": doc.encryption} if doc.encrypted else {})}
        paths = sorted(envelope_paths(envelope) | user_paths)
        now = isoformat(self.clock.now())
        event = EVENT_UPLOADED if source == "upload" else EVENT_SYNCED
        with self.db.transaction() as conn, write_cache(conn, int(self.settings.get("WRITE_CACHE_MIB") or 0)):
            ref = self._upsert_server(conn, enterprise_id, server_id, host, doc.instance["version"])
            conn.execute("UPDATE ghes_servers SET has_usage = 1, users = ?, event = ?, event_at = ?, sync_at = ?, "
                         "sync_status = 'success', sync_error = '', generated_at = ? WHERE id = ?",
                         (len(kept), event, now, now, doc.generated_at, ref))
            # msgspec writes the same compact JSON as DUMPS (ids and validated ASCII addresses) in a
            # fraction of the time; dropped at once, since for 1,000,000 users it is 60 MB.
            conn.execute("INSERT OR REPLACE INTO ghes_usage VALUES (?, ?)",
                         (ref, msgspec.json.encode(kept).decode("utf-8")))
            conn.execute("INSERT INTO privacy_ledger (at, source, enterprise, server_id, encrypted, users, paths) "
                         "VALUES (?,?,?,?,?,?,?)", (now, source, slug, server_id, int(doc.encrypted), len(kept),
                                                     json.dumps(paths)))
            recompute(self.db, conn, enterprise_id, fresh=(server_id, fresh))
            self._before_commit()
        return now

    def register_server(self, enterprise_id: int, server_id: str, host_name: str,
                        version: str) -> tuple[dict[str, Any], bool]:
        """GitHub Connect registration: list the instance ("never synced" until its first push).

        Returns (the instance, created). Re-registering keeps its usage and, once it has
        synced through Connect, its last event.
        """
        now = isoformat(self.clock.now())
        with self.db.transaction() as conn:
            known = reads.server(self.db, enterprise_id, server_id)
            ref = self._upsert_server(conn, enterprise_id, server_id, host_name, version, connect=True)
            if not known or known["event"] != EVENT_SYNCED:
                conn.execute("UPDATE ghes_servers SET event = ?, event_at = ? WHERE id = ?",
                             (EVENT_NEVER_SYNCED, now, ref))
        return reads.server(self.db, enterprise_id, server_id) or {}, known is None

    def record_failed_sync(self, enterprise_id: int, server_id: str | None, message: str) -> bool:
        """A refused Connect push: mark that registered server's last sync as an error, nothing else."""
        if not server_id:
            return False
        now = isoformat(self.clock.now())
        with self.db.transaction() as conn:
            cur = conn.execute("UPDATE ghes_servers SET sync_at = ?, sync_status = 'error', sync_error = ? "
                               "WHERE enterprise_id = ? AND server_id = ? AND connect = 1",
                               (now, message, enterprise_id, server_id))
        return cur.rowcount > 0

    def _upsert_server(self, conn: Any, enterprise_id: int, server_id: str, host: str, version: str,
                       connect: bool = False) -> int:
        """Insert or update a server's identity; returns its row id (joins the caller's transaction)."""
        now = isoformat(self.clock.now())
        conn.execute("INSERT INTO ghes_servers (enterprise_id, server_id, host_name, version, connect, event, "
                     "event_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (enterprise_id, server_id) DO UPDATE SET "
                     "host_name = excluded.host_name, version = excluded.version, "
                     "connect = MAX(connect, excluded.connect)",
                     (enterprise_id, server_id, host, version, int(connect), EVENT_NEVER_SYNCED, now))
        return conn.execute("SELECT id FROM ghes_servers WHERE enterprise_id = ? AND server_id = ?",
                            (enterprise_id, server_id)).fetchone()[0]
