"""The harness docs say what the code does: examples verbatim, every control route, every fault field."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from github_http.control import SHARED_ROUTES
from github_http.faults import _FIELDS as FAULT_FIELDS

ROOT = Path(__file__).resolve().parents[2]
SECTION = ROOT / "README.md"
CONTROL_DOC = ROOT / "docs" / "control-plane.md"
EXAMPLES = sorted((ROOT / "tests" / "examples").glob("test_example_*.py"))


def _example_code(path: Path) -> str:
    """An example test without its module docstring: exactly what the README shows."""
    source = path.read_text()
    tree = ast.parse(source)
    start = tree.body[0].end_lineno if ast.get_docstring(tree) is not None else 0
    return "\n".join(source.splitlines()[start:]).strip("\n")


def _table_rows(text: str, first_cell: str) -> list[list[str]]:
    """The rows of every markdown table whose header starts with `first_cell`, as stripped cells."""
    rows, inside = [], False
    for line in text.splitlines():
        raw = [c.strip() for c in line.strip().strip("|").split("|")]
        cells = [c.strip("`") for c in raw]
        if line.startswith("|") and raw[0] == first_cell:  # a header cell is bare; a `method` row is not
            inside = True
        elif inside and line.startswith("|") and not set(cells[0]) <= {"-"}:
            rows.append(cells)
        elif not line.startswith("|"):
            inside = False
    return rows


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_appear_verbatim(example: Path) -> None:
    """The README shows the tests, not a copy that may drift."""
    code = _example_code(example)
    assert code in SECTION.read_text(), f"{SECTION.name} does not show {example.name} as it is"


def test_control_table_lists_every_route_of_both_apps(ghes: object, ghec: object) -> None:
    """One table, both apps: each route with the app(s) that serve it, nothing more or less."""
    apps = {"GHES": {(r["method"], r["path"]) for r in ghes.routes()},  # type: ignore[attr-defined]
            "GHEC": {(r["method"], r["path"]) for r in ghec.routes()}}  # type: ignore[attr-defined]
    expected = {(m, p, "both" if (m, p) in apps["GHEC"] else "GHES") for m, p in apps["GHES"]}
    expected |= {(m, p, "GHEC") for m, p in apps["GHEC"] - apps["GHES"]}
    documented = {(r[0], r[1], r[2]) for r in _table_rows(SECTION.read_text(), "method")}
    assert documented == expected


def test_control_plane_doc_lists_every_shared_route() -> None:
    """docs/control-plane.md's shared table is github_http's SHARED_ROUTES."""
    documented = {(r[0], r[1]) for r in _table_rows(CONTROL_DOC.read_text(), "method")}
    assert documented == {(m, p) for m, p, _ in SHARED_ROUTES}


@pytest.mark.parametrize("doc", [SECTION, CONTROL_DOC], ids=lambda p: p.name)
def test_fault_field_tables_list_every_field(doc: Path) -> None:
    """Every field a rule accepts is documented, and no field that it would refuse."""
    assert {r[0] for r in _table_rows(doc.read_text(), "field")} == set(FAULT_FIELDS)


def test_every_control_route_has_a_fixture_method_or_is_reachable() -> None:
    """The plugin doc names a helper (or `.control`) for the routes a test needs."""
    doc = (ROOT / "docs" / "pytest-plugin.md").read_text()
    for helper in ("reset", "load_scenario", "snapshot", "restore", "journal", "clear_journal", "add_fault",
                   "clear_faults", "clock", "advance", "set_time", "control"):
        assert re.search(rf"`\.{helper}\(", doc), helper
