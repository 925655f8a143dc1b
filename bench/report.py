"""Results as Markdown tables, and the figures behind them as JSON."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """One scenario's outcome: a Markdown table, notes under it, and raw figures."""

    number: int
    title: str
    setup: str  # what was run, said once above the table
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: Any = None

    def markdown(self) -> str:
        lines = [f"### {self.number}. {self.title}", "", self.setup, ""]
        if self.rows:
            lines.append("| " + " | ".join(self.columns) + " |")
            lines.append(
                "|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.columns))) + "|"
            )
            lines += ["| " + " | ".join(row) + " |" for row in self.rows]
            lines.append("")
        lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "setup": self.setup,
            "columns": self.columns,
            "rows": self.rows,
            "notes": self.notes,
            "raw": self.raw,
        }


def unavailable(number: int, title: str, why: str) -> Table:
    """The table of a scenario that cannot run against this build."""
    return Table(number, title, f"not available: {why}")


def median(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def percentile(values: Iterable[float], point: float) -> float | None:
    """The nearest-rank percentile; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(point / 100 * len(ordered)) - 1)]


def ratio(value: float | None, base: float | None) -> float | None:
    return value / base if value is not None and base else None


def num(value: float | None, digits: int = 0) -> str:
    """A figure with thousands separators; "–" when there is none."""
    return "–" if value is None else f"{value:,.{digits}f}"


def times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[met]
