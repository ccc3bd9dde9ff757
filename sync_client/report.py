"""The verdicts `verify` hands back: one `Check` per proof obligation, and the whole report.

WHY separate from the checks: the CLI, the demo and `--json` all render these objects, and
keeping them small and plain keeps the checks module about judging, not presenting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dedupe import Dedupe

MAX_LISTED = 20  # offending values listed per check; the rest are counted


@dataclass
class Check:
    """One verdict: which check, whether it holds, a one-line summary and the offending values."""

    key: str
    title: str
    ok: bool = True
    summary: str = ""
    offending: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        """Record one offending value (the check then fails)."""
        self.ok = False
        self.offending.append(line)

    def as_json(self) -> dict[str, Any]:
        """Machine-readable verdict; long offender lists are cut with a count."""
        shown = self.offending[:MAX_LISTED]
        more = len(self.offending) - len(shown)
        return {"check": self.key, "title": self.title, "ok": self.ok, "summary": self.summary,
                "offending": shown + ([f"... and {more} more"] if more > 0 else [])}


@dataclass
class VerifyReport:
    """All four verdicts and the independently computed expectation."""

    checks: list[Check]
    expected: Dedupe | None

    @property
    def ok(self) -> bool:
        """The proof holds only when every check holds."""
        return all(c.ok for c in self.checks)

    def as_json(self) -> dict[str, Any]:
        """The whole report for `--json`."""
        return {"ok": self.ok, "checks": [c.as_json() for c in self.checks],
                "expected": self.expected.as_json() if self.expected else None}
