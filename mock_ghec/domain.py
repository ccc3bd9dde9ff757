"""The GHEC domain's refusals, raised by the store (which enforces them), mapped to HTTP by
`refusals.py` (the one place that knows status codes and routes).

Kept apart from `store` so routes and pages can name a refusal without importing SQL, as
mock_ghes/domain.py does for GHES.
"""
from __future__ import annotations

__all__ = ["FileTooLarge", "FromTheFuture", "InvalidUsage", "NoFile", "NotJson", "NotRegistered", "OlderThanKept",
           "StoreError", "UsageRefused"]

REFUSED_MESSAGE = "The license usage file is not valid."
TOO_LARGE_MESSAGE = "The license usage file is too large."


class StoreError(Exception):
    """A change the domain refuses; refusals.py turns it into GitHub's answer."""


class UsageRefused(StoreError):
    """A license-usage file GHEC will not take, with every problem found (`[{path, message}]`);
    nothing was written. `server_id` is the file's own when it could be read (a refused Connect
    push is recorded as that server's failed sync)."""

    def __init__(self, problems: list[dict[str, str]], server_id: str | None = None,
                 message: str = REFUSED_MESSAGE) -> None:
        """Every problem, the server the file names (if readable) and the one-line message."""
        super().__init__(message)
        self.problems, self.server_id, self.message = problems, server_id, message


class FileTooLarge(UsageRefused):
    """Over the size limit (`limit` bytes)."""

    def __init__(self, problem: str, limit: int) -> None:
        """`problem` says by how much."""
        super().__init__([{"path": "$", "message": problem}], message=TOO_LARGE_MESSAGE)
        self.limit = limit


class NoFile(UsageRefused):
    """A request that carries no file at all."""

    def __init__(self, problem: str, message: str = REFUSED_MESSAGE) -> None:
        """`problem` says where the file was expected."""
        super().__init__([{"path": "$", "message": problem}], message=message)


class NotJson(UsageRefused):
    """Bytes that are not UTF-8 JSON at all."""


class InvalidUsage(UsageRefused):
    """JSON that breaks the export format (or whose users cannot be read)."""


class NotRegistered(UsageRefused):
    """A Connect push from a server the enterprise has not registered through GitHub Connect."""

    def __init__(self, server_id: str) -> None:
        """The server that must register first."""
        super().__init__([{"path": "$.instance.server_id", "message":
                           f"server {server_id} is not registered with this enterprise through GitHub Connect"}])
        self.registering = server_id


class FromTheFuture(UsageRefused):
    """A file generated beyond the allowed clock skew in GHEC's future (file_rules.py)."""


class OlderThanKept(UsageRefused):
    """A file older than the one it would replace, and the upload did not force it (file_rules.py)."""
