"""Validating a snapshot before `PUT /_mock/snapshot` restores it: every value, all or nothing.

A restored value is served afterwards exactly as if a route had written it, so it must pass
the rules that route applies: a host name with CR/LF restored into the GHES instance would
end up in the export's `Content-Disposition` header (a 500), a `../../x` host in a file name.
`check_snapshot` applies the shape rules every table shares (known columns, rows of the right
width, cells SQLite can store, text without lone surrogates or NUL, 64-bit integers) and then
the app's own `ColumnRules` (per table and column: the same patterns and bounds its write
routes use). Every cell must also be of its column's declared type (SQLite would store text in
an INTEGER column, and the code reading it back would fail), and a time column (`at`, `*_at`)
must hold an RFC 3339 time. Every problem is listed (up to 20), each naming table, row and
column; nothing is written unless there are none.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from .faults import FaultError, normalise
from .request_guard import bad_text

#: A check of one cell: the problem with `value`, or None.
CellCheck = Callable[[Any], str | None]
#: (table, column) -> its check, for the columns an app's routes validate on writing; for the
#: control values (`mock_kv`), ("mock_kv", KEY) -> the check of that key's value.
ColumnRules = dict[tuple[str, str], CellCheck]
KV_TABLE = "mock_kv"
MAX_PROBLEMS = 20
_INT64 = range(-(2**63), 2**63)
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")


class Column(NamedTuple):
    """A column as the app's table declares it (`PRAGMA table_info`)."""

    name: str
    type: str  # INTEGER, TEXT, BLOB, REAL or "" (any)
    not_null: bool


def text(check: Callable[[str], bool], what: str, *, nullable: bool = False) -> CellCheck:
    """A text cell that `check` accepts (`what` says what it must be)."""

    def run(value: Any) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not check(value):
            return f"must be {what}"
        return None

    return run


def one_line(limit: int, *, nullable: bool = True) -> CellCheck:
    """Free text of at most `limit` characters without control characters (shown on pages, in JSON)."""
    return text(lambda v: len(v) <= limit and bad_text(v) is None,
                f"one line of text of at most {limit} characters", nullable=nullable)


def json_text(check: Callable[[Any], bool], what: str) -> CellCheck:
    """A cell holding JSON text whose parsed value `check` accepts."""

    def run(value: Any) -> str | None:
        try:
            parsed = json.loads(value) if isinstance(value, str) else None
        except (ValueError, RecursionError):
            parsed = None
        return None if parsed is not None and check(parsed) else f"must be JSON text: {what}"

    return run


def is_time(value: str) -> bool:
    """Whether `value` is an RFC 3339 time as the clock writes it (fractions and offsets allowed)."""
    if _TIME.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # 2026-13-45T...
        return False
    return True


def time_value(value: Any) -> str | None:
    """A cell check for a time column whose name does not say so (SCIM's `created`, `modified`)."""
    return None if isinstance(value, str) and is_time(value) else "must be an RFC 3339 time"


def time_column(name: str) -> bool:
    """The columns that hold times, by this project's naming (`at`, `created_at`, ...)."""
    return name == "at" or name.endswith("_at")


def _typed(value: Any, column: Column) -> str | None:
    """Whether a cell is of its column's declared type (null only where the column allows it)."""
    if value is None:
        return "must not be null" if column.not_null else None
    wanted = column.type.upper()
    if wanted == "INTEGER" and not isinstance(value, int):
        return "must be an integer"
    if wanted == "TEXT" and not isinstance(value, str):
        return "must be text"
    if wanted == "REAL" and not isinstance(value, int | float):
        return "must be a number"
    if wanted == "BLOB" and not isinstance(value, dict):
        return "must be {\"$b64\": \"<base64>\"}"
    if isinstance(value, str) and time_column(column.name) and not is_time(value):
        return "must be an RFC 3339 time such as 2026-01-01T00:00:00Z"
    return None


def fault_spec(value: Any) -> str | None:
    """A stored fault rule must be one `/_mock/faults` would accept (headers included)."""
    try:
        normalise(json.loads(value))
    except (FaultError, ValueError, TypeError, RecursionError) as error:
        return f"is not a valid fault rule ({str(error)[:200]})"
    return None


def _clock_state(value: Any) -> bool:
    """The clock's control value: {"offset": seconds, "frozen": null or a time} (clock.py)."""
    frozen = value.get("frozen") if isinstance(value, dict) else None
    return isinstance(value, dict) and set(value) == {"offset", "frozen"} \
        and isinstance(value["offset"], int | float) and not isinstance(value["offset"], bool) \
        and abs(value["offset"]) < 1e12 and (frozen is None or (isinstance(frozen, str) and is_time(frozen)))


SHARED_RULES: ColumnRules = {("mock_faults", "spec"): fault_spec,
                             (KV_TABLE, "clock"): json_text(_clock_state, '{"offset": seconds, "frozen": null|time}')}


def _shape_problems(name: str, table: Any, columns: list[str]) -> Iterator[str]:
    """What is wrong with a table's shape, before any value is looked at."""
    if not isinstance(table, dict) or not isinstance(table.get("columns"), list) \
            or not isinstance(table.get("rows"), list):
        yield f"{name}: a table is {{\"columns\": [...], \"rows\": [[...], ...]}}"
        return
    unknown = [c for c in table["columns"] if c not in columns]
    if unknown or len(set(map(str, table["columns"]))) != len(table["columns"]):
        yield f"{name}: unknown or repeated columns {', '.join(map(str, unknown))[:200]}"
    width = len(table["columns"])
    for n, row in enumerate(table["rows"]):
        if not isinstance(row, list) or len(row) != width:
            yield f"{name} row {n}: a row is a list of {width} values"


def _cell_problem(value: Any) -> str | None:
    """Whether SQLite can store a cell as a route would have written it."""
    if isinstance(value, bool) or (not isinstance(value, str | int | float | dict) and value is not None):
        return "is not a number, text, null or {\"$b64\": ...}"
    if isinstance(value, int) and value not in _INT64:
        return "is an integer beyond 64 bits"
    if isinstance(value, str):
        problem = bad_text(value, allow_control=True)
        return problem.replace("a string contains", "contains") if problem else None
    if isinstance(value, dict) and (set(value) != {"$b64"} or not isinstance(value["$b64"], str)):
        return "is an object other than {\"$b64\": \"<base64>\"}"
    return None


def check_snapshot(tables: Any, columns_of: dict[str, dict[str, Column]], rules: ColumnRules) -> list[str]:
    """Every problem (at most MAX_PROBLEMS) of a snapshot's `tables` against the app's tables
    (`columns_of`: name -> its columns by name) and its column `rules`; [] when it may be restored."""
    if not isinstance(tables, dict):
        return ["tables must be an object of table name -> {columns, rows}"]
    problems: list[str] = []
    all_rules = {**SHARED_RULES, **rules}
    for name, table in tables.items():
        declared = columns_of.get(name, {})
        shape = list(_shape_problems(name, table, list(declared)))
        problems += shape
        if shape:
            continue
        key_at = table["columns"].index("key") if name == KV_TABLE and "key" in table["columns"] else None
        for n, row in enumerate(table["rows"]):
            for column, value in zip(table["columns"], row, strict=True):
                problem = _cell_problem(value) or _typed(value, declared[column])
                rule = all_rules.get((name, column))
                if key_at is not None and column == "value" and isinstance(row[key_at], str):
                    rule = all_rules.get((name, row[key_at]))
                if problem is None and rule is not None:
                    problem = rule(value)
                if problem:
                    problems.append(f"{name} row {n} {column}: {problem}")
            if len(problems) >= MAX_PROBLEMS:
                return problems[:MAX_PROBLEMS]
    return problems[:MAX_PROBLEMS]
