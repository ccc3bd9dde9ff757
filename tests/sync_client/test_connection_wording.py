"""How a failed connection is worded: a few words, the same on the CLI and on GHES's License page."""
from __future__ import annotations

import pytest
import requests

from github_http.net_reason import connection_reason


@pytest.mark.parametrize(("error", "reason"), [
    pytest.param(requests.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed "
                                          "connection without response'))"),
                 "the server closed the connection without answering", id="dropped"),
    pytest.param(requests.ConnectionError("HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded "
                                          "(Caused by NewConnectionError(': Failed to establish a new "
                                          "connection: [Errno 111] Connection refused'))"),
                 "connection refused", id="refused"),
    pytest.param(requests.ConnectionError("[Errno 104] Connection reset by peer"),
                 "the server reset the connection", id="reset"),
    pytest.param(requests.ReadTimeout("read timed out"), "timed out", id="timeout"),
    pytest.param(requests.ConnectionError("something else"), "connection failed", id="other"),
])
def test_connection_reason_is_a_few_plain_words(error: Exception, reason: str) -> None:
    """Never a Python class name in lower case ("remotedisconnected"), never the pool's long text."""
    assert connection_reason(error) == reason
