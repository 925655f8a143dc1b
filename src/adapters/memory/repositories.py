"""Which in-memory class serves each repository that ``chatcore.unit_of_work.UnitOfWork``
lists; the unit of work builds them from here, and a test keeps the names in step."""

from __future__ import annotations

from collections.abc import Callable

from adapters.memory.api_keys import MemoryApiKeyRepository
from adapters.memory.dialogs import MemoryDialogRepository, MemoryMessageRepository
from adapters.memory.documents import MemoryChunkIndex, MemoryDocumentRepository
from adapters.memory.identity import (
    MemoryAuthThrottleRepository,
    MemoryEmailConfirmationRepository,
    MemoryOtpChallengeRepository,
    MemorySessionRepository,
    MemoryUserRepository,
)
from adapters.memory.jobs import MemoryJobQueue
from adapters.memory.profile import MemoryProfileRepository, MemorySavedItemRepository
from adapters.memory.replies import MemoryReplyRepository
from adapters.memory.tables import Tables
from adapters.memory.tenants import MemoryTenantRepository
from adapters.memory.usage import MemoryRateLimiter, MemoryUsageLedger

REPOSITORIES: dict[str, Callable[[Tables], object]] = {
    "tenants": MemoryTenantRepository,
    "dialogs": MemoryDialogRepository,
    "messages": MemoryMessageRepository,
    "replies": MemoryReplyRepository,
    "users": MemoryUserRepository,
    "sessions": MemorySessionRepository,
    "api_keys": MemoryApiKeyRepository,
    "otp_challenges": MemoryOtpChallengeRepository,
    "email_confirmations": MemoryEmailConfirmationRepository,
    "auth_throttles": MemoryAuthThrottleRepository,
    "usage": MemoryUsageLedger,
    "rate_limiter": MemoryRateLimiter,
    "profiles": MemoryProfileRepository,
    "saved_items": MemorySavedItemRepository,
    "documents": MemoryDocumentRepository,
    "chunks": MemoryChunkIndex,
    "jobs": MemoryJobQueue,
}
