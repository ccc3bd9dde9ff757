"""The errors a user of `license-sync` meets, each with one clear line and an exit code.

WHY a small hierarchy instead of letting `requests` exceptions escape: the CLI promises one
readable line and a non-zero exit for every failure a user can cause or meet (unreachable
server, bad token, wrong enterprise, refused upload), never a traceback. Each class carries
the exit code the CLI returns, so the mapping lives in one place and docs/sync-client.md can
list it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1  # the thing checked is wrong: invalid file, a verify check failed
EXIT_USAGE = 2  # bad flags, missing URL or token (argparse uses 2 as well)
EXIT_UNREACHABLE = 3  # connection refused, DNS, timeout, rate limit beyond the cap
EXIT_AUTH = 4  # 401 bad token, 403 not allowed, 404 wrong enterprise / route
EXIT_REFUSED = 5  # the server understood and refused (e.g. GHEC refusing an upload), or 5xx
EXIT_INTERNAL = 70  # a bug in license-sync itself (EX_SOFTWARE); one line, no traceback


class SyncError(Exception):
    """Base of every error the CLI turns into one line and an exit code."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str) -> None:
        """Keep the one-line message the CLI prints."""
        super().__init__(message)
        self.message = message

    def details(self) -> list[str]:
        """Extra lines worth showing under the message (e.g. a refused file's problems)."""
        return []

    def as_json(self) -> dict[str, Any]:
        """The machine-readable form printed under `--json`."""
        return {"error": type(self).__name__, "message": self.message, "exit_code": self.exit_code}


class UsageError(SyncError):
    """A required URL, token or file was not given, or a flag value is unusable."""

    exit_code = EXIT_USAGE


class WrongServer(SyncError):
    """The URL answers, but it is not the kind of server asked for (not a GHEC API root, not a GHES)."""

    exit_code = EXIT_AUTH


class Unreachable(SyncError):
    """The server could not be reached at all (refused, DNS, timeout)."""

    exit_code = EXIT_UNREACHABLE


class RateLimited(SyncError):
    """The server's rate limit resets later than we are willing to wait."""

    exit_code = EXIT_UNREACHABLE


@dataclass
class Problem:
    """One problem a server or the validator listed: where and what."""

    path: str
    message: str

    def line(self) -> str:
        """`path: message`, the format `validate` promises."""
        return f"{self.path}: {self.message}" if self.path else self.message


class ApiError(SyncError):
    """An HTTP error answer from GitHub (or a mock), with GitHub's message and any problems."""

    def __init__(self, message: str, *, status: int, server: str, body: Any = None,
                 problems: list[Problem] | None = None) -> None:
        """Keep the status and parsed body so callers can react to specific answers."""
        super().__init__(message)
        self.status = status
        self.server = server
        self.body = body
        self.problems = problems or []
        self.exit_code = EXIT_AUTH if status in (401, 403, 404) else EXIT_REFUSED

    def details(self) -> list[str]:
        """The server's listed problems, one `path: message` per line."""
        return [p.line() for p in self.problems]

    def as_json(self) -> dict[str, Any]:
        """Include status and problems so scripts can tell failures apart."""
        out = super().as_json()
        out.update(status=self.status, server=self.server,
                   problems=[{"path": p.path, "message": p.message} for p in self.problems])
        return out


class InvalidExport(SyncError):
    """A local export file that does not satisfy the contract."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        """Keep the problems so `validate` and `sync` can list them."""
        super().__init__(message)
        self.problems = list(problems or [])

    def details(self) -> list[str]:
        """Every problem as `path: message`."""
        return [p.line() for p in self.problems]

    def as_json(self) -> dict[str, Any]:
        """The problems as a machine-readable list."""
        out = super().as_json()
        out["problems"] = [{"path": p.path, "message": p.message} for p in self.problems]
        return out
