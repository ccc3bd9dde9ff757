"""Everything `verify` looks at, fetched once: GHEC's journal, ledger, output and clock; GHES ground truth.

WHY gather first and judge after: the four checks share the same evidence (the payloads GHEC
accepted feed checks 1, 2 and 3), and fetching it in one place keeps the checks pure
functions of data — which is also what lets the tests doctor one piece of evidence at a time.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from .clients import GhecClient, GhesClient
from .errors import ApiError, SyncError
from .exportfile import decrypt_users_bytes
from .privacy import export_docs, texts_of_body

#: Journal paths where a GHES side talks to GHEC (upload, Connect registration and pushes).
GHES_SIDE_MARKERS = ("/server-usage", "/connect/")


@dataclass
class GhesTruth:
    """One GHES instance as its control plane describes it."""

    url: str
    label: str  # "instance N"
    server_id: str | None
    host_name: str | None
    users: list[dict[str, Any]]
    count_bots: bool = True
    count_never_signed_in: bool = False


@dataclass
class Payload:
    """One body a GHES side sent to GHEC, as the journal recorded it."""

    entry_id: Any
    method: str
    path: str
    status: int
    raw: bytes
    truncated: bool
    views: list[tuple[str, Any, str]]  # (text to scan, parsed JSON or None, raw part)
    doc: Any = None  # the export document, when the body carries one
    export_raw: bytes | None = None  # the export file's own bytes (a multipart part, or the body)
    plain_users: bytes | None = None  # decrypted users blob
    users: list[Any] | None = None  # user records (plain or decrypted)

    @property
    def accepted(self) -> bool:
        """GHEC answered 2xx: this payload counts for the server's contribution."""
        return 200 <= self.status < 300

    @property
    def server_id(self) -> str | None:
        """instance.server_id of the export carried, if any."""
        inst = self.doc.get("instance") if isinstance(self.doc, dict) else None
        return inst.get("server_id") if isinstance(inst, dict) else None

    @property
    def host_name(self) -> str | None:
        """instance.host_name of the export carried, if any."""
        inst = self.doc.get("instance") if isinstance(self.doc, dict) else None
        return inst.get("host_name") if isinstance(inst, dict) else None


@dataclass
class Evidence:
    """What the checks judge."""

    enterprise: Any  # scenarios.Enterprise
    ghes: list[GhesTruth]
    journal: list[dict[str, Any]]
    payloads: list[Payload]
    ledger: Any
    consumed: dict[str, Any]
    sync_status: dict[str, Any]
    ghec_now: str
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (name, raw) given on the command line
    scoped: bool = False  # judge only the GHES given (what `sync` did), not every synced server

    def contributions(self) -> dict[str, Payload]:
        """The latest accepted export per server_id: later uploads replace earlier ones (DOMAIN §4)."""
        out: dict[str, Payload] = {}
        for payload in self.payloads:
            if payload.accepted and payload.doc is not None and payload.server_id:
                out[payload.server_id] = payload
        return out

    def ghes_by_server(self) -> dict[str, GhesTruth]:
        """Ground truth keyed by server_id."""
        return {g.server_id: g for g in self.ghes if g.server_id}


def _entry_bytes(entry: dict[str, Any]) -> bytes:
    """The raw request body of a journal entry (text or base64, as the journal gives it)."""
    if "request_body_base64" in entry:
        return base64.b64decode(entry["request_body_base64"])
    return (entry.get("request_body") or "").encode("utf-8")


def payload_from_entry(entry: dict[str, Any], private_key: Any) -> Payload:
    """Parse one journal entry's body into the views the privacy scan reads, decrypting users."""
    raw = _entry_bytes(entry)
    views = texts_of_body(raw.decode("utf-8", errors="replace"))
    payload = Payload(entry.get("id"), entry.get("method", ""), entry.get("path", ""),
                      int(entry.get("status") or 0), raw, bool(entry.get("body_truncated")), views)
    for _, doc, part in views:
        if export_docs(doc):
            payload.doc, payload.export_raw = doc, part.encode("utf-8")
            break
    if isinstance(payload.doc, dict):
        users = payload.doc.get("users")
        if isinstance(users, list):
            payload.users = users
        elif isinstance(users, str):
            payload.plain_users = decrypt_users_bytes(payload.doc, private_key)
            if payload.plain_users is not None:
                try:
                    parsed = json.loads(payload.plain_users)
                    payload.users = parsed if isinstance(parsed, list) else None
                except ValueError:
                    payload.users = None
    return payload


def ghes_truth(client: GhesClient) -> GhesTruth:
    """Read one GHES's ground truth: its users, identity (server_id, host) and counting rules."""
    users = client.mock_users()
    scenario = client.mock_scenario()
    given = scenario.get("instance")
    instance = given if isinstance(given, dict) else scenario
    rules = scenario.get("license_rules") or scenario.get("rules") or {}
    index = instance.get("index") or scenario.get("instance_index") or scenario.get("instance")
    return GhesTruth(url=client.root, label=f"GHES instance {index}" if index else f"GHES {client.root}",
                     server_id=instance.get("server_id"), host_name=instance.get("host_name"),
                     users=users if isinstance(users, list) else [],
                     count_bots=bool(rules.get("count_bots", True)),
                     count_never_signed_in=bool(rules.get("count_never_signed_in", False)))


def ghec_enterprise(ghec: GhecClient) -> Any:
    """GHEC's members and identities, rebuilt from its scenario spec or scenario file (ground truth, not its state).

    GHEC may serve its main enterprise under another slug (a CLI override), so the enterprise
    is found by its position in GHEC's list, which follows the scenario's order.
    """
    import scenarios
    spec = ghec.mock_get("/_mock/scenario")
    params = spec.get("params") or {}
    params = {k: (tuple(v) if k == "locales" else v) for k, v in params.items()}
    try:
        if spec.get("scenario_file"):  # a stated world: GHEC hands out the file it was loaded with
            from scenarios.file import load_document
            world = load_document(ghec.mock_get("/_mock/scenario/file"))
        else:
            world = scenarios.build(int(spec["seed"]), spec.get("preset") or "demo", **params)
    except (KeyError, TypeError, ValueError) as error:
        raise SyncError(f"cannot rebuild GHEC's scenario from its /_mock/scenario ({error})") from None
    slug = (ghec.enterprise or "").lower()
    listed = [str(e.get("slug", "")).lower() for e in spec.get("enterprises") or [] if isinstance(e, dict)]
    if slug in listed and listed.index(slug) < len(world.enterprises):
        return world.enterprises[listed.index(slug)]
    for enterprise in world.enterprises:
        if enterprise.slug.lower() == slug:
            return enterprise
    raise SyncError(f"enterprise {ghec.enterprise!r} is not part of GHEC's scenario "
                    f"({', '.join(e.slug for e in world.enterprises)})")


def gather(ghec: GhecClient, ghes: list[GhesClient], private_key: Any,
           files: list[tuple[str, bytes]] | None = None, scoped: bool = False) -> Evidence:
    """Fetch every piece of evidence; control-plane routes are required (this is the mocks' proof)."""
    try:
        journal = ghec.mock_journal()
        ledger = ghec.mock_get("/_mock/ledger")
        now = ghec.mock_clock_now()
    except ApiError as error:
        raise SyncError(f"verify needs GHEC's control plane (/_mock/): {error.message}") from None
    payloads = [payload_from_entry(e, private_key) for e in journal
                if e.get("method") in ("POST", "PUT", "PATCH")
                and any(m in e.get("path", "") for m in GHES_SIDE_MARKERS)]
    return Evidence(enterprise=ghec_enterprise(ghec), ghes=[ghes_truth(c) for c in ghes], journal=journal,
                    payloads=payloads, ledger=ledger, consumed=ghec.consumed_licenses(),
                    sync_status=ghec.license_sync_status(), ghec_now=now, files=list(files or []),
                    scoped=scoped)
