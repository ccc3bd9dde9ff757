"""A failed Sync now shows one short reason on the License page, never Python's exception text.

GHEC is a loopback port nobody listens on (bound, then released), so the push really fails
to connect; the notice, the banner of the last sync and the attempts table must all say
"cannot reach GHEC at …: connection refused", the wording `license-sync` uses.
"""
from __future__ import annotations

import socket

from ghes_helpers import csrf_of, make_app, sign_in


def _closed_url() -> str:
    """A loopback URL with nothing listening (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_sync_now_against_an_unreachable_ghec_shows_the_short_reason() -> None:
    """Notice, last sync and attempts table: the CLI's one-line reason, no HTTPConnectionPool."""
    url = _closed_url()
    app = make_app(CONNECT_URL=url, CONNECT_ENTERPRISE="acme", CONNECT_TOKEN="ghp_connect", CONNECT_TIMEOUT=2)
    try:
        client = app.test_client()
        tokens = app.extensions["ghes"].runtime.tokens()
        sign_in(client, tokens["admin"])
        page = client.get("/enterprise/settings/license")
        answer = client.post("/enterprise/settings/license/sync", data={"csrf_token": csrf_of(page.text)},
                             follow_redirects=True)
        html = answer.text
        reason = f"cannot reach GHEC at {url}: connection refused"
        assert f"License sync failed: {reason}" in html  # the notice
        assert html.count(reason) >= 3  # notice, last sync, attempts table
        for raw in ("HTTPConnectionPool", "Max retries", "NewConnectionError", "object at 0x"):
            assert raw not in html
    finally:
        app.extensions["mock"].db.close()
