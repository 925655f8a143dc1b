"""The unit of work: one transaction, its repositories, and an explicit commit.

Leaving the ``async with`` block without ``commit()`` rolls everything back, so a
use case that fails half-way leaves nothing half-written behind.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from chatcore.dialogs.ports import DialogRepository, MessageRepository
from chatcore.identity.ports import (
    AuthThrottleRepository,
    EmailConfirmationRepository,
    OtpChallengeRepository,
    SessionRepository,
    UserRepository,
)
from chatcore.tenants.ports import TenantRepository


class UnitOfWork(Protocol):
    """One transaction over every repository of the core."""

    @property
    def tenants(self) -> TenantRepository:
        """Tenants in this transaction."""
        ...

    @property
    def dialogs(self) -> DialogRepository:
        """Dialogs in this transaction."""
        ...

    @property
    def messages(self) -> MessageRepository:
        """Dialogs' messages in this transaction."""
        ...

    @property
    def users(self) -> UserRepository:
        """Accounts in this transaction."""
        ...

    @property
    def sessions(self) -> SessionRepository:
        """Sessions in this transaction."""
        ...

    @property
    def otp_challenges(self) -> OtpChallengeRepository:
        """One-time sign-in codes in this transaction."""
        ...

    @property
    def email_confirmations(self) -> EmailConfirmationRepository:
        """Pending email-confirmation links in this transaction."""
        ...

    @property
    def auth_throttles(self) -> AuthThrottleRepository:
        """Mail and login throttles in this transaction."""
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
