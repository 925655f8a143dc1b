"""Which SQL class serves each repository that ``chatcore.unit_of_work.UnitOfWork``
lists; the unit of work builds them from here, and a test keeps the names in step."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.api_keys import SqlApiKeyRepository
from adapters.sql.dialogs import SqlDialogRepository, SqlMessageRepository
from adapters.sql.documents import SqlChunkIndex, SqlDocumentRepository
from adapters.sql.identity import SqlSessionRepository, SqlUserRepository
from adapters.sql.identity_codes import (
    SqlAuthThrottleRepository,
    SqlEmailConfirmationRepository,
    SqlOtpChallengeRepository,
)
from adapters.sql.jobs import SqlJobQueue
from adapters.sql.profile import SqlProfileRepository, SqlSavedItemRepository
from adapters.sql.replies import SqlReplyRepository
from adapters.sql.tenants import SqlTenantRepository
from adapters.sql.usage import SqlRateLimiter, SqlUsageLedger

REPOSITORIES: dict[str, Callable[[AsyncConnection], object]] = {
    "tenants": SqlTenantRepository,
    "dialogs": SqlDialogRepository,
    "messages": SqlMessageRepository,
    "replies": SqlReplyRepository,
    "users": SqlUserRepository,
    "sessions": SqlSessionRepository,
    "api_keys": SqlApiKeyRepository,
    "otp_challenges": SqlOtpChallengeRepository,
    "email_confirmations": SqlEmailConfirmationRepository,
    "auth_throttles": SqlAuthThrottleRepository,
    "usage": SqlUsageLedger,
    "rate_limiter": SqlRateLimiter,
    "profiles": SqlProfileRepository,
    "saved_items": SqlSavedItemRepository,
    "documents": SqlDocumentRepository,
    "chunks": SqlChunkIndex,
    "jobs": SqlJobQueue,
}
