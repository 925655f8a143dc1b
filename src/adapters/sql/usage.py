"""The usage ledger and the rate limiter in SQL.

A read-check-write starts by making sure the row it checks exists (an insert that
does nothing on conflict) and then reads it ``FOR UPDATE``: on Postgres concurrent
transactions queue on that row lock, in any process; on SQLite the write
transaction (``BEGIN IMMEDIATE``) already runs alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import rate_windows, usage_entries, usage_reservations, usage_totals
from adapters.sql.types import upsert
from chatcore.tenants.model import TenantId
from chatcore.usage.model import (
    Period,
    Reservation,
    UsageEntry,
    UsageTotals,
    in_window,
    slot_wait,
)


class SqlUsageLedger:
    """A UsageLedger on the ``usage_*`` tables."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def lock_totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, period: Period
    ) -> UsageTotals:
        key = _totals_key(tenant_id, principal_id, period.start)
        await self._db.execute(
            upsert(self._db.dialect, usage_totals)
            .values(**key, prompt_tokens=0, completion_tokens=0)
            .on_conflict_do_nothing()
        )
        row = (await self._db.execute(_totals_query(key).with_for_update())).one()
        return UsageTotals(prompt_tokens=row.prompt_tokens, completion_tokens=row.completion_tokens)

    async def totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, period: Period
    ) -> UsageTotals:
        key = _totals_key(tenant_id, principal_id, period.start)
        row = (await self._db.execute(_totals_query(key))).first()
        if row is None:
            return UsageTotals()
        return UsageTotals(prompt_tokens=row.prompt_tokens, completion_tokens=row.completion_tokens)

    async def reserved(
        self, tenant_id: TenantId, principal_id: uuid.UUID | None, now: datetime
    ) -> int:
        r = usage_reservations.c
        query = sa.select(sa.func.coalesce(sa.func.sum(r.tokens), 0)).where(
            r.tenant_id == tenant_id, r.expires_at > now
        )
        if principal_id is not None:
            query = query.where(r.principal_id == principal_id)
        return int((await self._db.execute(query)).scalar_one())

    async def reserve(self, tenant_id: TenantId, reservation: Reservation, now: datetime) -> None:
        r = usage_reservations.c
        await self._db.execute(
            usage_reservations.delete().where(
                r.tenant_id == tenant_id,
                r.principal_id == reservation.principal_id,
                r.expires_at <= now,
            )
        )
        await self._db.execute(
            usage_reservations.insert().values(
                id=reservation.id,
                tenant_id=tenant_id,
                principal_id=reservation.principal_id,
                tokens=reservation.tokens,
                expires_at=reservation.expires_at,
            )
        )

    async def release(self, tenant_id: TenantId, reservation_id: uuid.UUID) -> bool:
        r = usage_reservations.c
        result = await self._db.execute(
            usage_reservations.delete().where(r.tenant_id == tenant_id, r.id == reservation_id)
        )
        return bool(result.rowcount)

    async def record(self, tenant_id: TenantId, entry: UsageEntry) -> None:
        await self._db.execute(
            usage_entries.insert().values(
                id=entry.id,
                tenant_id=tenant_id,
                principal_id=entry.principal_id,
                dialog_id=entry.dialog_id,
                model=entry.model,
                prompt_tokens=entry.prompt_tokens,
                completion_tokens=entry.completion_tokens,
                at=entry.at,
            )
        )
        start = Period.containing(entry.at).start
        # The principal's row before the tenant's: the order admissions lock them in.
        for principal_id in (entry.principal_id, None):
            insert = upsert(self._db.dialect, usage_totals).values(
                **_totals_key(tenant_id, principal_id, start),
                prompt_tokens=entry.prompt_tokens,
                completion_tokens=entry.completion_tokens,
            )
            await self._db.execute(
                insert.on_conflict_do_update(
                    index_elements=["tenant_id", "subject_id", "period_start"],
                    set_={
                        "prompt_tokens": usage_totals.c.prompt_tokens
                        + insert.excluded.prompt_tokens,
                        "completion_tokens": usage_totals.c.completion_tokens
                        + insert.excluded.completion_tokens,
                    },
                )
            )

    async def entries(
        self, tenant_id: TenantId, principal_id: uuid.UUID, period: Period
    ) -> list[UsageEntry]:
        e = usage_entries.c
        query = (
            usage_entries.select()
            .where(
                e.tenant_id == tenant_id,
                e.principal_id == principal_id,
                e.at >= period.start,
                e.at < period.end,
            )
            .order_by(e.at, e.id)
        )
        return [
            UsageEntry(
                id=row.id,
                principal_id=row.principal_id,
                dialog_id=row.dialog_id,
                model=row.model,
                prompt_tokens=row.prompt_tokens,
                completion_tokens=row.completion_tokens,
                at=row.at,
            )
            for row in await self._db.execute(query)
        ]

    async def delete_owned(self, tenant_id: TenantId, principal_id: uuid.UUID) -> None:
        for table, column in (
            (usage_reservations, usage_reservations.c.principal_id),
            (usage_entries, usage_entries.c.principal_id),
            (usage_totals, usage_totals.c.subject_id),
        ):
            await self._db.execute(
                table.delete().where(table.c.tenant_id == tenant_id, column == principal_id)
            )


class SqlRateLimiter:
    """A RateLimiter on the ``rate_windows`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def acquire(
        self,
        tenant_id: TenantId,
        subject_id: uuid.UUID,
        limit: int,
        window: timedelta,
        now: datetime,
    ) -> int:
        key = {"tenant_id": tenant_id, "subject_id": subject_id}
        await self._db.execute(
            upsert(self._db.dialect, rate_windows).values(**key, hits=[]).on_conflict_do_nothing()
        )
        row = (await self._db.execute(_window_query(key).with_for_update())).one()
        hits = _decode(row.hits)
        wait = slot_wait(hits, limit, window, now)
        if not wait:
            await self._db.execute(
                rate_windows.update()
                .where(*_matching(rate_windows, key))
                .values(hits=_encode([*in_window(hits, window, now), now]))
            )
        return wait

    async def count(
        self, tenant_id: TenantId, subject_id: uuid.UUID, window: timedelta, now: datetime
    ) -> int:
        key = {"tenant_id": tenant_id, "subject_id": subject_id}
        row = (await self._db.execute(_window_query(key))).first()
        return len(in_window(_decode(row.hits), window, now)) if row else 0

    async def forget(self, tenant_id: TenantId, subject_id: uuid.UUID) -> None:
        key = {"tenant_id": tenant_id, "subject_id": subject_id}
        await self._db.execute(rate_windows.delete().where(*_matching(rate_windows, key)))


def _totals_key(
    tenant_id: TenantId, principal_id: uuid.UUID | None, period_start: datetime
) -> dict[str, Any]:
    subject_id = tenant_id if principal_id is None else principal_id
    return {"tenant_id": tenant_id, "subject_id": subject_id, "period_start": period_start}


def _totals_query(key: dict[str, Any]) -> sa.Select[Any]:
    return sa.select(usage_totals.c.prompt_tokens, usage_totals.c.completion_tokens).where(
        *_matching(usage_totals, key)
    )


def _window_query(key: dict[str, Any]) -> sa.Select[Any]:
    return sa.select(rate_windows.c.hits).where(*_matching(rate_windows, key))


def _matching(table: sa.Table, key: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    return [table.c[name] == value for name, value in key.items()]


def _encode(hits: list[datetime]) -> list[str]:
    return [hit.isoformat() for hit in hits]


def _decode(raw: list[str]) -> list[datetime]:
    return [datetime.fromisoformat(hit) for hit in raw]
