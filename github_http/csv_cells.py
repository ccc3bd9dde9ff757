"""CSV files that a spreadsheet opens safely: every cell is written so that it is never run.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets ("CSV injection"). OWASP's advice is followed: such a cell is
prefixed with a single quote, which spreadsheets show as text and never evaluate. Both apps'
reports are written through `csv_text`, so no report can forget it.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """The cell as text a spreadsheet will not evaluate (unchanged unless it could be a formula).

    WHY numbers are left alone: a negative number such as `-3` is data GitHub writes, and it is
    only a formula when something follows that is not part of the number.
    """
    if not value.startswith(FORMULA_STARTS):
        return value
    if value[0] in "+-" and _is_number(value[1:]):
        return value
    return "'" + value


def _is_number(text: str) -> bool:
    """Whether `text` is a plain decimal number (digits with at most one dot)."""
    return bool(text) and text.replace(".", "", 1).isdigit()


def csv_rows(rows: Iterable[Sequence[object]]) -> str:
    """CSV lines (CRLF ends, as RFC 4180 and GitHub's downloads use), every cell neutralised; None is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])
    return out.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV file: the header row, then the rows."""
    return csv_rows([header]) + csv_rows(rows)
