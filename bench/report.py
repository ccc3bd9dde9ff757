"""The bench table: each figure with its target, what was measured, and pass/fail."""
from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Figure:
    """One measured figure; `pass` is computed by the measuring code against its target."""

    figure: str
    target: str
    measured: float
    unit: str
    passed: bool
    note: str = ""

    def as_json(self) -> dict:
        """The results.json shape: figure, target, measured, unit, pass (+ note)."""
        data = asdict(self)
        data["pass"] = data.pop("passed")
        if data["measured"] != data["measured"]:  # NaN (nothing measured) is not JSON: null
            data["measured"] = None
        return data


def machine() -> str:
    """A one-line description of where the figures were measured."""
    import os
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def publish(figures: list[Figure], console: Console | None = None) -> None:
    """Print the table and write results.json."""
    console = console or Console()
    table = Table(title=f"make bench — {machine()}")
    for column in ("figure", "target", "measured", "pass"):
        table.add_column(column)
    for fig in figures:
        measured = f"{fig.measured:,.3f} {fig.unit}" + (f" ({fig.note})" if fig.note else "")
        table.add_row(fig.figure, fig.target, measured, "[green]pass[/]" if fig.passed else "[red]FAIL[/]")
    console.print(table)
    RESULTS.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
    console.print(f"written to {RESULTS}")
