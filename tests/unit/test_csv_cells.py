"""CSV cells a spreadsheet never evaluates (OWASP's advice for CSV injection)."""
from __future__ import annotations

import csv
import io

import pytest

from github_http.csv_cells import csv_text, neutralise


@pytest.mark.parametrize("value", ["=cmd|'/Ccalc.exe'!A0@evil.example", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"],
                         ids=["equals", "plus", "minus-formula", "at", "tab", "cr"])
def test_formula_starts_are_quoted(value: str) -> None:
    """A cell that a spreadsheet would run as a formula gets a leading quote."""
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["ada@corp.example", "-3", "+4.5", "", "a=b"],
                         ids=["email", "negative", "positive-decimal", "empty", "inner-equals"])
def test_data_is_left_as_it_is(value: str) -> None:
    """Plain values and numbers are written unchanged."""
    assert neutralise(value) == value


def test_csv_text_neutralises_every_cell_and_uses_crlf() -> None:
    """Header and cells go through the same rule; None is an empty cell."""
    text = csv_text(["=h"], [["=x"], [None]])
    assert text.endswith("\r\n") and text.count("\r\n") == 3
    assert list(csv.reader(io.StringIO(text))) == [["'=h"], ["'=x"], [""]]
