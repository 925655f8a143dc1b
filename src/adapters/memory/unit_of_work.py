"""An in-memory unit of work with the same transaction semantics as the SQL one.

A unit of work works on a copy of the data and writes it back only on commit, so
an abandoned unit of work rolls back; its repositories are the classes that
``adapters.memory.repositories`` names, built over that copy. Units of work run one
at a time (a lock), which makes every read-check-write in a use case atomic, as a
database transaction with row locks would.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from adapters.memory.repositories import REPOSITORIES
from adapters.memory.tables import Tables


class MemoryDatabase:
    """The committed state, shared by every unit of work made from it."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.lock = asyncio.Lock()

    def unit_of_work(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        """A new unit of work over this database (a ``UnitOfWorkFactory``)."""
        del read_only  # the lock serialises readers too; one process, no contention worth it
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork:
    """One transaction over a MemoryDatabase."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._tables: Tables | None = None
        self._after_commit: list[Callable[[], Awaitable[None]]] = []

    def __getattr__(self, name: str) -> Any:
        """The repository ``name`` of ``UnitOfWork``, over this transaction's tables."""
        build = REPOSITORIES.get(name)
        if build is None:
            raise AttributeError(f"a unit of work has no repository {name!r}")
        return build(self._working())

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        self._after_commit.append(action)

    async def __aenter__(self) -> MemoryUnitOfWork:
        await self._database.lock.acquire()
        self._tables = copy.deepcopy(self._database.tables)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tables = None
        self._database.lock.release()

    async def commit(self) -> None:
        self._database.tables = copy.deepcopy(self._working())
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            await action()

    def _working(self) -> Tables:
        if self._tables is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._tables
