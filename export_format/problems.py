"""Problems found in an export file, addressed by JSON paths like `$.users[3].emails[0].address`.

WHY a module of its own: the validator, the decryption step and the marshmallow error
conversion all produce problems, and the bounded list that collects them is shared.
`validation.py` re-exports `Problem`, which is part of the public API.
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .limits import MAX_PROBLEMS

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass
class Problem:
    """One thing wrong with a file: where (a JSON path) and what, in words for an operator."""

    path: str
    message: str

    def __str__(self) -> str:
        """`$.users[3].id: must be an integer`: the form used in error pages and logs."""
        return f"{self.path}: {self.message}"


def json_path(base: str, parts: Iterable[str | int]) -> str:
    """Append keys and indexes to a JSON path; odd keys (spaces, quotes) use ['...'].

    WHY: unknown keys come from the file itself and may be anything, yet the path must stay
    unambiguous and printable.
    """
    out = [base]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            if len(escaped) > 80:
                escaped = escaped[:77] + "..."
            out.append(f"['{escaped}']")
    return "".join(out)


class ProblemList:
    """Collects problems, keeping the first MAX_PROBLEMS and counting the rest.

    WHY bounded: a broken million-user file would otherwise produce a million-line report
    (and spend seconds building it); the first hundred tell the operator what is wrong.
    """

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        """Start empty; `cap` is a parameter so tests can exercise the summary cheaply."""
        self.cap = cap
        self.items: list[Problem] = []
        self.more = 0
        self.unexamined_records = 0

    def __bool__(self) -> bool:
        """True when anything was found, listed or not."""
        return bool(self.items) or self.more > 0 or self.unexamined_records > 0

    @property
    def full(self) -> bool:
        """Whether further problems would only be counted, not listed."""
        return len(self.items) >= self.cap

    def add(self, path: str, message: str) -> None:
        """Record one problem (listed while under the cap, counted after)."""
        if len(self.items) < self.cap:
            self.items.append(Problem(path, message))
        else:
            self.more += 1

    def add_marshmallow(self, base: str, messages: Any) -> int:
        """Record marshmallow's nested error messages under `base`; returns how many.

        marshmallow nests messages as {field: [msg] | {index|field: ...}}, with "_schema" for
        messages about the object itself (e.g. "no primary email").
        """
        count = 0
        stack: deque[tuple[tuple[str | int, ...], Any]] = deque([((), messages)])
        while stack:
            parts, node = stack.popleft()
            if isinstance(node, dict):
                for key, value in node.items():
                    stack.append((parts if key == "_schema" else (*parts, key), value))
            elif isinstance(node, (list, tuple)):
                for item in node:
                    if isinstance(item, (dict, list, tuple)):
                        stack.append((parts, item))
                    else:
                        self.add(json_path(base, parts), str(item))
                        count += 1
            else:
                self.add(json_path(base, parts), str(node))
                count += 1
        return count

    def finish(self) -> list[Problem]:
        """The listed problems plus, when some were cut, one summary saying how many."""
        result = list(self.items)
        notes = []
        if self.more:
            notes.append(f"{self.more} more problem(s) not listed")
        if self.unexamined_records:
            notes.append(f"{self.unexamined_records} more invalid user record(s) not examined "
                         "in detail")
        if notes:
            result.append(Problem("$", "... and " + "; ".join(notes) +
                                  f" (only the first {self.cap} are listed)"))
        return result
