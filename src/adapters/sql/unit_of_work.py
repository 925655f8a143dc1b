"""The SQL unit of work: one connection, one transaction, explicit commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cached_property
from types import TracebackType

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.dialogs import SqlDialogRepository, SqlMessageRepository
from adapters.sql.documents import SqlChunkIndex, SqlDocumentRepository
from adapters.sql.engine import READ_ONLY
from adapters.sql.identity import SqlSessionRepository, SqlUserRepository
from adapters.sql.identity_codes import (
    SqlAuthThrottleRepository,
    SqlEmailConfirmationRepository,
    SqlOtpChallengeRepository,
)
from adapters.sql.profile import SqlProfileRepository, SqlSavedItemRepository
from adapters.sql.tenants import SqlTenantRepository
from adapters.sql.usage import SqlRateLimiter, SqlUsageLedger
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

    @cached_property
    def tenants(self) -> SqlTenantRepository:
        return SqlTenantRepository(self._conn())

    @cached_property
    def dialogs(self) -> SqlDialogRepository:
        return SqlDialogRepository(self._conn())

    @cached_property
    def messages(self) -> SqlMessageRepository:
        return SqlMessageRepository(self._conn())

    @cached_property
    def users(self) -> SqlUserRepository:
        return SqlUserRepository(self._conn())

    @cached_property
    def sessions(self) -> SqlSessionRepository:
        return SqlSessionRepository(self._conn())

    @cached_property
    def otp_challenges(self) -> SqlOtpChallengeRepository:
        return SqlOtpChallengeRepository(self._conn())

    @cached_property
    def email_confirmations(self) -> SqlEmailConfirmationRepository:
        return SqlEmailConfirmationRepository(self._conn())

    @cached_property
    def auth_throttles(self) -> SqlAuthThrottleRepository:
        return SqlAuthThrottleRepository(self._conn())

    @cached_property
    def usage(self) -> SqlUsageLedger:
        return SqlUsageLedger(self._conn())

    @cached_property
    def rate_limiter(self) -> SqlRateLimiter:
        return SqlRateLimiter(self._conn())

    @cached_property
    def profiles(self) -> SqlProfileRepository:
        return SqlProfileRepository(self._conn())

    @cached_property
    def saved_items(self) -> SqlSavedItemRepository:
        return SqlSavedItemRepository(self._conn())

    @cached_property
    def documents(self) -> SqlDocumentRepository:
        return SqlDocumentRepository(self._conn())

    @cached_property
    def chunks(self) -> SqlChunkIndex:
        return SqlChunkIndex(self._conn())

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
