"""Which rows an UPDATE of a plain shape changed, said as its own WHERE clause (write_marks.py keeps
these marks, table_copy.py copies those rows back).

WHY: a GHES sign-in changes one row of `ghes_users`; copying that table back costs in proportion
to its rows (a 10,000-person scenario file: 5,172 rows, 5-7 ms), copying the row back a fraction
of a millisecond.

Why the WHERE clause is enough, and exact. Take a table whose every write since the kept state
(the template) was such an UPDATE (any INSERT, DELETE, other UPDATE or unknown statement marks the
whole table, see write_marks.py), none of which assigns the rowid. Every row then keeps its rowid,
and a row that differs from the template's was changed by at least one of those UPDATEs. Just
before the first one that changed it, the row was still the template's row, and that UPDATE's
WHERE was true of it. The WHERE is only `column = ?` (or an integer) terms joined by AND: it reads
nothing but the row itself, with the same schema (collations, affinities) in the template, so the
same clause with the same values, evaluated on the template, is true of the template's row. So
the rows the marks select in the template include every changed row; deleting the rows with those
rowids and inserting the template's puts every changed row back, and rewrites a few unchanged ones
as they were. What is not of this shape (a string literal, a subquery, RETURNING, OR REPLACE, ORDER
BY, a named parameter, executemany) is not a row mark: its table is copied whole.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_NAME = r'(?:"[A-Za-z_][A-Za-z0-9_]*"|[A-Za-z_][A-Za-z0-9_]*)'
#: What an assignment may assign: its value does not matter (the row is copied back whole), only
#: that its `?` can be counted (no string literal may hide one, no subquery another).
_VALUE = rf"(?:\?|NULL|-?\d+|'[^'?]*'|{_NAME}(?:\s*[-+]\s*(?:\d+|\?))?)"
_ASSIGN = rf"{_NAME}\s*=\s*{_VALUE}"
_TERM = rf"{_NAME}\s*=\s*(?:\?|-?\d+)"
_SHAPE = re.compile(rf"\s*UPDATE\s+(?:main\.)?{_NAME}\s+SET\s+(?P<sets>{_ASSIGN}(?:\s*,\s*{_ASSIGN})*)\s+"
                    rf"WHERE\s+(?P<terms>{_TERM}(?:\s+AND\s+{_TERM})*)\s*;?\s*", re.IGNORECASE)
_ASSIGNS = re.compile(rf"({_NAME})\s*=\s*({_VALUE})", re.IGNORECASE)
_TERMS = re.compile(rf"({_NAME})\s*=\s*(\?|-?\d+)", re.IGNORECASE)
#: Names that are not a column when unquoted: values of the moment (or constants), so a term naming
#: one does not read the row alone.
_NOT_COLUMNS = frozenset({"current_date", "current_time", "current_timestamp", "true", "false", "null"})
#: The value types sqlite3 binds as themselves (anything else goes through an adapter: not marked).
_PLAIN = (int, float, str, bytes, bool, type(None))


@dataclass(frozen=True, slots=True)
class RowMark:
    """Rows an UPDATE changed: those of the kept state for which `where` holds with `values`."""

    where: str  # `"column" = ?` (or `= 12`) terms joined by AND, the columns quoted
    values: tuple[Any, ...]  # one per `?` of `where`
    sets: frozenset[str]  # the columns the UPDATE assigned, lower-cased (the rowid must not be one)


@dataclass(frozen=True, slots=True)
class RowShape:
    """A statement's shape, read once per statement text: how its parameters make its RowMark."""

    where: str
    picks: tuple[int, ...]  # the statement's parameters that are `where`'s values, in order
    count: int  # how many `?` the statement has
    sets: frozenset[str]

    def mark(self, parameters: Any) -> RowMark | None:
        """The rows this run changed, or None when its parameters are not a plain sequence of
        plain values (named ones, a wrong count, a value an adapter would convert)."""
        if not isinstance(parameters, (list, tuple)) or len(parameters) != self.count:
            return None
        values = tuple(parameters[i] for i in self.picks)
        if any(type(v) not in _PLAIN for v in values):
            return None
        return RowMark(self.where, values, self.sets)


def _bare(name: str) -> str:
    """An identifier without its quotes, lower-cased (SQLite's names are case-insensitive)."""
    return name.strip('"').lower()


def row_shape(sql: str) -> RowShape | None:
    """The shape of `sql` if it is `UPDATE t SET c = v, ... WHERE k = ? AND ...`, else None."""
    found = _SHAPE.fullmatch(sql)
    if found is None:
        return None
    sets = [(_bare(m.group(1)), m.group(2)) for m in _ASSIGNS.finditer(found.group("sets"))]
    count = sum(value.count("?") for _, value in sets)
    parts, picks = [], []
    for term in _TERMS.finditer(found.group("terms")):
        column, value = _bare(term.group(1)), term.group(2)
        if column in _NOT_COLUMNS:
            return None
        if value == "?":
            picks.append(count)
            count += 1
        parts.append(f'"{column}" = {value}')
    return RowShape(" AND ".join(parts), tuple(picks), count, frozenset(c for c, _ in sets))


def values_of(marks: Sequence[RowMark]) -> list[Any]:
    """The values of `marks`' clauses joined by OR, in order (table_copy.py's statements)."""
    return [v for m in marks for v in m.values]
