"""One short, human reason for a failed HTTP connection, worded once for every side.

WHY shared: `license-sync` prints it after "cannot reach GHEC at …", and mock GHES records it
as the reason of a failed GitHub Connect sync (shown on its License page). `requests` messages
(`HTTPConnectionPool(host=…): Max retries exceeded with url: … (Caused by …)`) are long,
repeat the URL and name Python classes; a person needs the few words that say what happened.
"""
from __future__ import annotations

import requests

#: Markers found in `requests`/`urllib3` messages, and how we say them. Order matters: the
#: first marker present wins (a reset is often wrapped in a "Max retries" message too).
_MARKERS = (
    ("Connection refused", "connection refused"),
    ("Name or service not known", "unknown host name"),
    ("nodename nor servname", "unknown host name"),
    ("Temporary failure in name resolution", "the host name could not be resolved (DNS)"),
    ("No route to host", "no route to host (network or firewall)"),
    ("Network is unreachable", "the network is unreachable"),
    ("Connection reset", "the server reset the connection"),
    ("RemoteDisconnected", "the server closed the connection without answering"),
    ("Connection aborted", "the server closed the connection without answering"),
    ("CERTIFICATE_VERIFY_FAILED", "its TLS certificate could not be verified"),
    ("SSLError", "the TLS handshake failed (http:// vs https://?)"),
)


def connection_reason(error: BaseException) -> str:
    """A few words saying why a connection failed (never the long `requests` message)."""
    if isinstance(error, requests.Timeout):
        return "timed out"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the connection closed in the middle of the answer"
    text = str(error)
    for marker, reason in _MARKERS:
        if marker in text:
            return reason
    return "connection failed"
