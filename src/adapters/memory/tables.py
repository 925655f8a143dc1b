"""The rows an in-memory database holds: one dict per table, keyed by primary key.

Each repository module declares the tables it keeps (a module-level ``Table``), so
a new repository brings its own tables and adds nothing here.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

_Key = TypeVar("_Key")
_Row = TypeVar("_Row")


class Table(Generic[_Key, _Row]):
    """One table: a name to read in a debugger, and its key and row types for mypy."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Table({self.name!r})"

    def __deepcopy__(self, memo: dict[int, object]) -> Table[_Key, _Row]:
        # A table is its identity: a copy of the rows stays keyed by the same tables.
        return self


class Tables:
    """Every table's rows; entities are frozen, so copies are cheap."""

    def __init__(self) -> None:
        self._rows: dict[Table[Any, Any], dict[Any, Any]] = {}

    def __getitem__(self, table: Table[_Key, _Row]) -> dict[_Key, _Row]:
        """The rows of ``table``, empty until something is written."""
        return self._rows.setdefault(table, {})
