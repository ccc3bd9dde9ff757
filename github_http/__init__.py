"""GitHub-style HTTP plumbing shared by the mock GHES and mock GHEC.

Errors in GitHub's shape, token and Basic auth, pagination with `Link`, API-version
headers, SQLite state, the injectable clock, and the `/_mock/` control plane (journal,
faults, snapshot, scenario, clock, OpenAPI). Nothing here knows about licenses.
"""
from .appkit import MockKit, current_kit, install
from .clock import Clock, isoformat, parse_time
from .control_hooks import ControlHooks
from .errors import GitHubError
from .storage import Database

__all__ = ["Clock", "ControlHooks", "Database", "GitHubError", "MockKit", "current_kit",
           "install", "isoformat", "parse_time"]
