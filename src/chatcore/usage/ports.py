"""What the usage context needs from storage. Both ports work inside the caller's
unit of work and make its read-check-write atomic (a row lock, or a write
transaction that runs alone), so concurrent chats, in any number of processes, are
counted one by one."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Protocol

from chatcore.kernel import TenantId
from chatcore.usage.model import Period, Reservation, UsageEntry, UsageTotals


class RateLimiter(Protocol):
    """Counts each subject's requests in a sliding window."""

    async def acquire(
        self,
        tenant_id: TenantId,
        subject_id: uuid.UUID,
        limit: int,
        window: timedelta,
        now: datetime,
    ) -> int:
        """Count one request and return 0 if fewer than ``limit`` were counted in the
        ``window`` before ``now``; else count nothing and return the seconds until a
        slot frees. The subject's counter stays locked until the transaction ends."""
        ...

    async def count(
        self, tenant_id: TenantId, subject_id: uuid.UUID, window: timedelta, now: datetime
    ) -> int:
        """How many requests were counted in the ``window`` before ``now``."""
        ...

    async def forget(self, tenant_id: TenantId, subject_id: uuid.UUID) -> None:
        """Drop the subject's counter."""
        ...


class UsageLedger(Protocol):
    """Model calls, their totals per month (per principal, and per tenant: principal
    None), and the tokens held for chats in flight."""

    async def lock_totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, period: Period
    ) -> UsageTotals:
        """The settled totals of the period (zero if none), locked until the
        transaction ends, so admissions against them queue."""
        ...

    async def totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, period: Period
    ) -> UsageTotals:
        """The settled totals of the period, read without a lock."""
        ...

    async def reserved(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, now: datetime
    ) -> int:
        """Tokens held by reservations that have not expired at ``now``."""
        ...

    async def reserve(self, tenant_id: TenantId, reservation: Reservation, now: datetime) -> None:
        """Hold a reservation, forgetting the principal's that expired by ``now``."""
        ...

    async def release(self, tenant_id: TenantId, reservation_id: uuid.UUID) -> bool:
        """Drop a reservation; False if it is not held (released, or never made)."""
        ...

    async def record(self, tenant_id: TenantId, entry: UsageEntry) -> None:
        """Append an entry and add its tokens to the totals of its principal and of
        the tenant, for the period its time falls in."""
        ...

    async def entries(
        self, tenant_id: TenantId, principal_id: uuid.UUID, period: Period
    ) -> list[UsageEntry]:
        """The principal's entries of the period, oldest first."""
        ...

    async def key_totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID, period: Period
    ) -> dict[uuid.UUID, int]:
        """The tokens of the principal's entries of the period, per API key (entries
        made without one are left out)."""
        ...

    async def delete_owned(self, tenant_id: TenantId, principal_id: uuid.UUID) -> None:
        """Forget the principal's entries, reservations and totals; the tenant's
        totals keep their tokens, without saying whose they were."""
        ...
