"""The usage ledger and the rate limiter kept in memory. Nothing needs locking: the
unit of work already runs alone."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import msgspec

from adapters.memory.tables import Table, Tables
from chatcore.kernel import TenantId
from chatcore.usage.model import (
    Period,
    Reservation,
    UsageEntry,
    UsageTotals,
    in_window,
    slot_wait,
)

USAGE_ENTRIES: Table[tuple[TenantId, uuid.UUID], UsageEntry] = Table("usage_entries")
# Keyed by principal, or None for the whole tenant, and the period's start.
USAGE_TOTALS: Table[tuple[TenantId, uuid.UUID | None, datetime], UsageTotals] = Table(
    "usage_totals"
)
USAGE_RESERVATIONS: Table[tuple[TenantId, uuid.UUID], Reservation] = Table("usage_reservations")
RATE_WINDOWS: Table[tuple[TenantId, uuid.UUID], tuple[datetime, ...]] = Table("rate_windows")


class MemoryUsageLedger:
    """A UsageLedger over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._entries = tables[USAGE_ENTRIES]
        self._totals = tables[USAGE_TOTALS]
        self._reservations = tables[USAGE_RESERVATIONS]

    async def lock_totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, period: Period
    ) -> UsageTotals:
        return await self.totals(tenant_id, principal_id, period)

    async def totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, period: Period
    ) -> UsageTotals:
        return self._totals.get((tenant_id, principal_id, period.start), UsageTotals())

    async def reserved(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, now: datetime
    ) -> int:
        return sum(
            r.tokens
            for (t, _), r in self._reservations.items()
            if t == tenant_id and principal_id in (None, r.principal_id) and r.expires_at > now
        )

    async def reserve(self, tenant_id: TenantId, reservation: Reservation, now: datetime) -> None:
        expired = [
            key
            for key, r in self._reservations.items()
            if key[0] == tenant_id
            and r.principal_id == reservation.principal_id
            and r.expires_at <= now
        ]
        for key in expired:
            del self._reservations[key]
        self._reservations[tenant_id, reservation.id] = reservation

    async def release(self, tenant_id: TenantId, reservation_id: uuid.UUID) -> bool:
        return self._reservations.pop((tenant_id, reservation_id), None) is not None

    async def record(self, tenant_id: TenantId, entry: UsageEntry) -> None:
        self._entries[tenant_id, entry.id] = entry
        start = Period.containing(entry.at).start
        for key in ((tenant_id, entry.principal_id, start), (tenant_id, None, start)):
            totals = self._totals.get(key, UsageTotals())
            self._totals[key] = msgspec.structs.replace(
                totals,
                prompt_tokens=totals.prompt_tokens + entry.prompt_tokens,
                completion_tokens=totals.completion_tokens + entry.completion_tokens,
            )

    async def entries(
        self, tenant_id: TenantId, principal_id: uuid.UUID, period: Period
    ) -> list[UsageEntry]:
        found = [
            e
            for (t, _), e in self._entries.items()
            if t == tenant_id
            and e.principal_id == principal_id
            and period.start <= e.at < period.end
        ]
        return sorted(found, key=lambda e: (e.at, e.id))

    async def key_totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID, period: Period
    ) -> dict[uuid.UUID, int]:
        tokens: dict[uuid.UUID, int] = {}
        for entry in await self.entries(tenant_id, principal_id, period):
            if entry.api_key_id is not None:
                spent = entry.prompt_tokens + entry.completion_tokens
                tokens[entry.api_key_id] = tokens.get(entry.api_key_id, 0) + spent
        return tokens

    async def delete_owned(self, tenant_id: TenantId, principal_id: uuid.UUID) -> None:
        for key in [k for k, e in self._entries.items() if _owned(k, e, tenant_id, principal_id)]:
            del self._entries[key]
        for key in [
            k for k, r in self._reservations.items() if _owned(k, r, tenant_id, principal_id)
        ]:
            del self._reservations[key]
        for totals_key in [k for k in self._totals if k[:2] == (tenant_id, principal_id)]:
            del self._totals[totals_key]


def _owned(
    key: tuple[TenantId, uuid.UUID],
    row: UsageEntry | Reservation,
    tenant_id: TenantId,
    principal_id: uuid.UUID,
) -> bool:
    return key[0] == tenant_id and row.principal_id == principal_id


class MemoryRateLimiter:
    """A RateLimiter over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._windows = tables[RATE_WINDOWS]

    async def acquire(
        self,
        tenant_id: TenantId,
        subject_id: uuid.UUID,
        limit: int,
        window: timedelta,
        now: datetime,
    ) -> int:
        hits = self._windows.get((tenant_id, subject_id), ())
        wait = slot_wait(hits, limit, window, now)
        if not wait:
            self._windows[tenant_id, subject_id] = (*in_window(hits, window, now), now)
        return wait

    async def count(
        self, tenant_id: TenantId, subject_id: uuid.UUID, window: timedelta, now: datetime
    ) -> int:
        return len(in_window(self._windows.get((tenant_id, subject_id), ()), window, now))

    async def forget(self, tenant_id: TenantId, subject_id: uuid.UUID) -> None:
        self._windows.pop((tenant_id, subject_id), None)
