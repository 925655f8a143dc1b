"""The unit of work: one transaction, its repositories, and an explicit commit.

Leaving the ``async with`` block without ``commit()`` rolls everything back, so a
use case that fails half-way leaves nothing half-written behind.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from chatcore.tenants.ports import TenantRepository


class UnitOfWork(Protocol):
    """One transaction over every repository of the core."""

    @property
    def tenants(self) -> TenantRepository:
        """Tenants in this transaction."""
        ...

    async def commit(self) -> None:
        """Make this transaction's changes durable."""
        ...

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a new unit of work; use cases receive one and call it per transaction."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A unit of work; ``read_only`` promises no writes (cheaper on some backends)."""
        ...
