"""The license-sync client: move GHES license usage into GHEC, and prove what crossed.

A library on `requests` (sessions, timeouts, retries with backoff, rate-limit handling, Link
paging) and the CLI `license-sync` (export, validate, upload, sync, trigger, status, verify,
demo). See docs/sync-client.md. The main entry points:

    clients.GhesClient / clients.GhecClient   one server each, GitHub's conventions
    flows.upload_usage / trigger_sync / read_status / verify
    exportfile.check_bytes / load_private_key
    servers.start_pair                        both mocks in-process over real HTTP
"""
from __future__ import annotations

__all__ = ["clients", "exportfile", "flows", "servers"]
