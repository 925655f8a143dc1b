"""The unit of work: one transaction, its repositories, and an explicit commit.

Leaving the ``async with`` block without ``commit()`` rolls everything back, so a
use case that fails half-way leaves nothing half-written behind.

``UnitOfWork`` is the registry of repositories: each property names one and its
port. Each adapter family maps the same names to its classes (``REPOSITORIES`` in
``adapters.memory.repositories`` and ``adapters.sql.repositories``) and its unit of
work builds them from there; ``tests/unit/test_repository_registry.py`` keeps the
three in step. Adding a repository: a property here, an entry in each mapping.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Protocol

from chatcore.dialogs.ports import DialogRepository, MessageRepository, ReplyRepository
from chatcore.documents.ports import ChunkIndex, DocumentRepository
from chatcore.identity.ports import (
    ApiKeyRepository,
    AuthThrottleRepository,
    EmailConfirmationRepository,
    OtpChallengeRepository,
    SessionRepository,
    UserRepository,
)
from chatcore.jobs.ports import JobQueue
from chatcore.profile.ports import ProfileRepository, SavedItemRepository
from chatcore.tenants.ports import TenantRepository
from chatcore.usage.ports import RateLimiter, UsageLedger

__all__ = [
    "UnitOfWork",
    "UnitOfWorkFactory",
]


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
    def replies(self) -> ReplyRepository:
        """Assistant replies in progress and as they end, in this transaction."""
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
    def api_keys(self) -> ApiKeyRepository:
        """Users' API keys in this transaction."""
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

    @property
    def usage(self) -> UsageLedger:
        """The usage ledger in this transaction."""
        ...

    @property
    def rate_limiter(self) -> RateLimiter:
        """Chat request counters in this transaction."""
        ...

    @property
    def profiles(self) -> ProfileRepository:
        """Users' profiles in this transaction."""
        ...

    @property
    def saved_items(self) -> SavedItemRepository:
        """Saved items in this transaction."""
        ...

    @property
    def documents(self) -> DocumentRepository:
        """Uploaded documents in this transaction."""
        ...

    @property
    def chunks(self) -> ChunkIndex:
        """Documents' chunks and their vectors in this transaction."""
        ...

    @property
    def jobs(self) -> JobQueue:
        """Background jobs queued in this transaction."""
        ...

    async def commit(self) -> None:
        """Make this transaction's changes durable, then run the ``after_commit`` actions."""
        ...

    def after_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run ``action`` once this transaction has committed, never if it rolls back
        (removing files that rows referred to, say). It must not open a unit of work."""
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
