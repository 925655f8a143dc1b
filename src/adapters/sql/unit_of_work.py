"""The SQL unit of work: one connection, one transaction, explicit commit; its
repositories are the ones ``adapters.sql.repositories`` names, built on first use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.engine import READ_ONLY
from adapters.sql.repositories import REPOSITORIES
from chatcore.errors import Unavailable

_UNREACHABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, OSError)


class SqlUnitOfWorkFactory:
    """Opens SQL units of work on one engine (a ``UnitOfWorkFactory``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # The same pool, its connections marked once rather than on every checkout.
        self._reader = engine.execution_options(**{READ_ONLY: True})

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._reader if read_only else self.engine)


class SqlUnitOfWork:
    """A transaction on a pooled connection; rolled back unless committed. An engine
    with the ``READ_ONLY`` execution option gives read-only ones."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._after_commit: list[Callable[[], Awaitable[None]]] = []
        self._repositories: dict[str, object] = {}

    def __getattr__(self, name: str) -> Any:
        """The repository ``name`` of ``UnitOfWork``, on this transaction's connection."""
        build = REPOSITORIES.get(name)
        if build is None:
            raise AttributeError(f"a unit of work has no repository {name!r}")
        if name not in self._repositories:
            self._repositories[name] = build(self._conn())
        return self._repositories[name]

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        self._after_commit.append(action)

    async def __aenter__(self) -> SqlUnitOfWork:
        try:
            connection = await self._engine.connect()
        except _UNREACHABLE as exc:
            raise Unavailable("database") from exc
        try:
            await connection.begin()
        except BaseException as exc:
            await connection.close()
            if isinstance(exc, _UNREACHABLE):
                raise Unavailable("database") from exc
            raise
        self._connection = connection
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._conn(), None
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()
        if isinstance(exc, _UNREACHABLE):
            raise Unavailable("database") from exc

    async def commit(self) -> None:
        try:
            await self._conn().commit()
        except _UNREACHABLE as exc:
            raise Unavailable("database") from exc
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            await action()

    def _conn(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._connection
