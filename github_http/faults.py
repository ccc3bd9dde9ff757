"""Fault rules: make a route slow, fail, rate-limit, drop the connection or truncate its body.

Rules live in the database so every worker applies them, with counters (`times`, `after`)
updated in the same transaction that picks a rule: "fail twice, then succeed" holds exactly
even under parallel clients.
"""
from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from .storage import Database

ACTIONS = ("status", "rate_limit", "drop", "truncate", "latency")
_FIELDS = {"method", "path", "action", "status", "body", "headers", "latency_ms",
           "rate_limit", "retry_after", "times", "after"}
#: The upper bound of each number a rule can ask for (docs/control-plane.md, docs/security.md): 422 beyond.
#: WHY these: a rule sleeps `latency_ms` for real (at most a minute), `retry_after` goes into headers
#: (a day), and the counters are stored as 64-bit integers (2**70 was a 500).
BOUNDS = {"latency_ms": 60_000, "retry_after": 86_400, "times": 1_000_000, "after": 1_000_000}
MAX_PATH_CHARS = 2048


class FaultError(ValueError):
    """A fault rule that cannot be applied as written."""


#: An HTTP header name (RFC 9110 token) and a value without CR, LF or NUL (no header splitting).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_HEADER_VALUE = re.compile(r"[^\r\n\x00]{0,8192}")


def header_problems(headers: dict[str, Any]) -> list[str]:
    """What is wrong with a rule's extra response headers (a header a rule adds must not be able
    to split the response: `b\r\nSet-Cookie: x=y` would add a cookie to every answer)."""
    problems = []
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            problems.append(f"header name {name[:40]!r} is not an HTTP token")
        if not isinstance(value, str | int | float) or isinstance(value, bool) \
                or not _HEADER_VALUE.fullmatch(str(value)):
            problems.append(f"header {name[:40]!r}: the value is text of at most 8192 characters "
                            "without CR, LF or NUL")
    return problems


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    """Check a rule from `/_mock/faults` and fill its defaults, with one message per problem."""
    if not isinstance(spec, dict):
        raise FaultError("a fault rule is a JSON object")
    problems = [f"unknown field {k!r}" for k in spec if k not in _FIELDS]
    rule = {"method": "*", "path": "*", "action": "status", "status": 500, "body": None,
            "headers": {}, "latency_ms": 0, "rate_limit": "primary", "retry_after": 60,
            "times": None, "after": 0, **spec}
    if rule["action"] not in ACTIONS:
        problems.append(f"action must be one of {', '.join(ACTIONS)}")
    if not isinstance(rule["path"], str) or not rule["path"].startswith(("/", "*")):
        problems.append("path is a glob starting with / (e.g. /enterprises/*/consumed-licenses)")
    if not isinstance(rule["method"], str):
        problems.append("method is a string such as GET or *")
    if not isinstance(rule["status"], int) or not 100 <= rule["status"] <= 599:
        problems.append("status is an HTTP status code")
    if rule["rate_limit"] not in ("primary", "secondary"):
        problems.append("rate_limit is primary (403) or secondary (429)")
    for key, high in BOUNDS.items():
        value = rule[key]
        if key == "times" and value is None:
            continue
        low = 1 if key == "times" else 0
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high \
                or (key in ("times", "after") and not isinstance(value, int)):
            kind = "a whole number" if key in ("times", "after") else "a number"
            problems.append(f"{key} is {kind} from {low} to {high:,}" + (", or null for always" if key == "times"
                                                                        else ""))
    if isinstance(rule["path"], str) and len(rule["path"]) > MAX_PATH_CHARS:
        problems.append(f"path is at most {MAX_PATH_CHARS:,} characters")
    if not isinstance(rule["headers"], dict):
        problems.append("headers is an object")
    else:
        problems += header_problems(rule["headers"])
    if problems:
        raise FaultError("; ".join(problems))
    rule["method"] = rule["method"].upper()
    return rule


class FaultBook:
    """The active fault rules of one app."""

    def __init__(self, db: Database) -> None:
        """Rules are rows of `mock_faults`."""
        self._db = db

    def add(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Store a rule; returns it with its id."""
        rule = normalise(spec)
        cur = self._db.execute(
            "INSERT INTO mock_faults(spec, skip_remaining, times_remaining) VALUES (?, ?, ?)",
            (json.dumps(rule), int(rule["after"]), rule["times"]))
        return {"id": cur.lastrowid, **rule, "hits": 0}

    def list(self) -> list[dict[str, Any]]:
        """Every rule with its live counters."""
        return [{"id": r["id"], **json.loads(r["spec"]), "hits": r["hits"],
                 "times_remaining": r["times_remaining"], "after_remaining": r["skip_remaining"]}
                for r in self._db.query("SELECT * FROM mock_faults ORDER BY id")]

    def remove(self, fault_id: int) -> bool:
        """Delete one rule; False if it did not exist."""
        if not 0 < fault_id < 2**63:  # past SQLite's 64-bit range no rule can exist (and binding it would fail)
            return False
        return self._db.execute("DELETE FROM mock_faults WHERE id = ?", (fault_id,)).rowcount > 0

    def clear(self) -> None:
        """Delete every rule."""
        self._db.execute("DELETE FROM mock_faults")

    def _any(self) -> bool:
        """Whether any rule is stored."""
        return self._db.one("SELECT 1 FROM mock_faults LIMIT 1") is not None

    def take(self, method: str, path: str) -> dict[str, Any] | None:
        """The first rule that fires for this request, its counters consumed atomically."""
        if not self._db.cached_read("any fault", self._any):
            return None  # the common case: no rule, known since the last write
        with self._db.transaction() as conn:
            for row in conn.execute("SELECT * FROM mock_faults ORDER BY id").fetchall():
                rule = json.loads(row["spec"])
                if rule["method"] not in ("*", method) or not fnmatch.fnmatchcase(path, rule["path"]):
                    continue
                if row["skip_remaining"] > 0:
                    conn.execute("UPDATE mock_faults SET skip_remaining = skip_remaining - 1 "
                                 "WHERE id = ?", (row["id"],))
                    continue
                if row["times_remaining"] is not None and row["times_remaining"] <= 0:
                    continue
                conn.execute("UPDATE mock_faults SET hits = hits + 1, times_remaining = "
                             "CASE WHEN times_remaining IS NULL THEN NULL ELSE times_remaining - 1 END "
                             "WHERE id = ?", (row["id"],))
                return {"id": row["id"], **rule}
        return None
