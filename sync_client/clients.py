"""Typed wrappers over the two servers: what `license-sync` asks GHES and GHEC, by name.

WHY wrappers: every route the client uses is named once here, next to which side serves it
and whether it is GitHub's public API, this project's own cross-app contract
(docs/architecture.md), or the mocks' `/_mock/` control plane. `status` uses only the public
methods, so it works against any GHEC; `verify` and `demo` also use the control plane.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import ApiError, SyncError, UsageError
from .http import ApiClient, RetryPolicy, parse_body
from .probe import ghec_mistake, ghes_mistake, probe


class GhesClient(ApiClient):
    """A GHES instance: API under `/api/v3`, site-admin token."""

    def __init__(self, url: str, token: str | None = None, **kwargs: Any) -> None:
        """Bind to GHES's root URL (as `serve` prints it); the API lives under /api/v3."""
        super().__init__(url, token, label="GHES", api_prefix="/api/v3", **kwargs)

    def wrong_server(self) -> SyncError | None:
        """Not a GHES `/api/v3` (a GHEC's URL, `…/api/v3` twice, a web page): say which, exit 4."""
        found = probe(self.session, self.api_root, self.token, self.timeout)
        if found.error or found.is_ghes_api:
            return None
        return ghes_mistake(self.root, found, probe(self.session, self.root, self.token, self.timeout))

    def license(self) -> dict[str, Any]:
        """Public API: seats, seats_used, seats_available (seats may be "unlimited")."""
        return self.get_json("/enterprise/settings/license")

    def export(self, *, encrypted: bool = True) -> bytes:
        """Our contract: the license-usage export file exactly as GHES sends it (bytes, untouched).

        WHY bytes: the file is validated, uploaded and scanned as it was produced; a parse and
        re-serialise could hide a duplicate key or change what crosses.
        """
        return self.export_named(encrypted=encrypted)[0]

    def export_named(self, *, encrypted: bool = True) -> tuple[bytes, str | None]:
        """The export and the file name GHES gives it (`Content-Disposition`), so every way of
        exporting (page, API, `ghe-license usage`, `license-sync export`) saves it under one name."""
        query = "" if encrypted else "?encrypted=false"
        response = self.request("GET", f"/enterprise/license-usage/export{query}")
        match = re.search(r'filename="([^"/\\]+)"', response.headers.get("Content-Disposition", ""))
        return response.content, match.group(1) if match else None

    def connect(self) -> dict[str, Any]:
        """Our contract: GitHub Connect settings, license-sync state, last attempts."""
        return self.get_json("/enterprise/connect")

    def sync_now(self) -> dict[str, Any]:
        """Our contract: "Sync now" — push current usage to GHEC; answers with the attempt record."""
        return parse_body(self.request("POST", "/enterprise/connect/license-sync",
                                       expect=(200, 201, 202)))

    def mock_users(self) -> list[dict[str, Any]]:
        """Control plane: every GHES user with every attribute (verify's ground truth)."""
        body = self.get_json(self.root + "/_mock/users")
        return body["users"] if isinstance(body, dict) and "users" in body else body

    def mock_scenario(self) -> dict[str, Any]:
        """Control plane: which scenario this GHES was built from (seed, preset, instance)."""
        return self.get_json(self.root + "/_mock/scenario")


class GhecClient(ApiClient):
    """A GHEC enterprise: API at the root, enterprise-owner token, enterprise slug."""

    def __init__(self, url: str, token: str | None = None, enterprise: str | None = None,
                 **kwargs: Any) -> None:
        """Bind to GHEC's root URL and enterprise slug."""
        super().__init__(url, token, label="GHEC", **kwargs)
        self.enterprise = enterprise

    def wrong_server(self) -> SyncError | None:
        """Not a GHEC API root (GHES's `/api/v3`, the GHES URL, a web page): say which, exit 4."""
        return ghec_mistake(self.root, probe(self.session, self.root, self.token, self.timeout))

    def _slug(self) -> str:
        """The enterprise slug, or a usage error saying how to give it."""
        if not self.enterprise:
            raise UsageError("no GHEC enterprise given: use --ghec-enterprise or GHEC_ENTERPRISE")
        return self.enterprise

    def _enterprise_404(self, error: ApiError) -> ApiError:
        """Reword a 404 on an enterprise route: it almost always means a wrong slug."""
        if error.status == 404:
            error.message = (f"enterprise {self._slug()!r} not found on {self.where} "
                             f"(wrong --ghec-enterprise, or the token is not an owner of it)")
            error.args = (error.message,)
        return error

    def consumed_licenses(self, per_page: int = 100,
                          on_page: Callable[[int], None] | None = None) -> dict[str, Any]:
        """Public API: every consumed-license row, paging through `Link`, with the totals.

        Returns `{total_seats_consumed, total_seats_purchased, users, pages}`; the totals are
        taken from the first page (every page repeats them).
        """
        out: dict[str, Any] = {"users": [], "pages": 0}
        try:
            for body, _ in self.paginate(f"/enterprises/{self._slug()}/consumed-licenses", per_page=per_page):
                if not isinstance(body, dict):
                    raise ApiError(f"{self.where} sent a consumed-licenses page that is not a JSON object",
                                   status=200, server=self.root)
                if out["pages"] == 0:
                    out["total_seats_consumed"] = body.get("total_seats_consumed")
                    out["total_seats_purchased"] = body.get("total_seats_purchased")
                out["users"].extend(body.get("users") or [])
                out["pages"] += 1
                if on_page:
                    on_page(out["pages"])
        except ApiError as error:
            raise self._enterprise_404(error) from None
        return out

    def license_sync_status(self) -> dict[str, Any]:
        """Public API: `{server_instances: [{server_id, hostname, last_sync: {date, status, error}}]}`."""
        try:
            return self.get_json(f"/enterprises/{self._slug()}/license-sync-status")
        except ApiError as error:
            raise self._enterprise_404(error) from None

    def upload(self, raw: bytes, filename: str = "license-usage.json", force: bool = False) -> dict[str, Any]:
        """Our contract: "Add server usage" — upload an export file as multipart field `file`.

        WHY multipart: it is what the web page's file picker sends, and the raw bytes travel
        unchanged. A refusal raises ApiError carrying GHEC's `problems`.
        """
        try:
            query = "?force=true" if force else ""  # our contract: replace a newer file from the server anyway
            response = self.request("POST", f"/enterprises/{self._slug()}/server-usage{query}", expect=(200, 201),
                                    files={"file": (filename, raw, "application/json")})
        except ApiError as error:
            if error.status in (400, 409, 413, 415, 422):
                error.message = f"{self.where} refused the upload ({error.status}): " + \
                    (error.body.get("message", "") if isinstance(error.body, dict) else str(error.body)[:120])
                error.args = (error.message,)
            raise self._enterprise_404(error) from None
        return parse_body(response)

    def mock_get(self, path: str, **params: Any) -> Any:
        """Control plane GET (no token needed on loopback)."""
        return self.get_json(self.root + path, params=params or None)

    def mock_journal(self, limit: int = 10_000) -> list[dict[str, Any]]:
        """Control plane: every recorded request, with the raw body of each one that had a body.

        WHY two passes: with `bodies=1` the journal also returns every response body, and a
        large enterprise's consumed-licenses pages make that tens of megabytes. The first pass
        lists every entry without bodies; bodies are then fetched only for the methods whose
        requests carried one.
        """
        entries = self.mock_get("/_mock/journal", limit=limit)
        methods = sorted({e.get("method") for e in entries if e.get("request_body_bytes")})
        full: dict[Any, dict[str, Any]] = {}
        for method in methods:
            for entry in self.mock_get("/_mock/journal", bodies=1, limit=limit, method=method):
                full[entry.get("id")] = entry
        return [full.get(e.get("id"), e) for e in entries]

    def mock_clock_now(self) -> str:
        """Control plane: GHEC's notion of now (freshness is judged on its clock, not ours)."""
        return self.mock_get("/_mock/clock")["now"]


def client_kwargs(timeout: float, retries: int, control_key: str | None) -> dict[str, Any]:
    """Shared constructor options from CLI flags."""
    return {"timeout": timeout, "retry": RetryPolicy(attempts=max(retries, 0) + 1), "control_key": control_key}

