"""The usage ledger and the rate limiter in SQL.

A read-check-write starts with one statement that makes sure the row it checks
exists and locks and reads it: an insert that, on conflict, updates the row to
itself and returns it. On Postgres that update takes the row lock ``FOR UPDATE``
would, and concurrent transactions queue on it, in any process; on SQLite the
write transaction (``BEGIN IMMEDIATE``) already runs alone.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert

from adapters.sql.dialect import Upsert, upsert
from adapters.sql.tables import rate_windows, usage_entries, usage_reservations, usage_totals
from chatcore.kernel import TenantId
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
        lock = _totals_lock(self._db.dialect)
        row = (
            await self._db.execute(lock, {**key, "prompt_tokens": 0, "completion_tokens": 0})
        ).one()
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
        values = {"tenant": tenant_id, "now": now, "principal": principal_id}
        query = _TENANT_HELD if principal_id is None else _PRINCIPAL_HELD
        return int((await self._db.execute(query, values)).scalar_one())

    async def reserve(self, tenant_id: TenantId, reservation: Reservation, now: datetime) -> None:
        await self._db.execute(
            _DROP_EXPIRED,
            {"tenant": tenant_id, "principal": reservation.principal_id, "now": now},
        )
        await self._db.execute(
            usage_reservations.insert(),
            {
                "id": reservation.id,
                "tenant_id": tenant_id,
                "principal_id": reservation.principal_id,
                "tokens": reservation.tokens,
                "expires_at": reservation.expires_at,
            },
        )

    async def release(self, tenant_id: TenantId, reservation_id: uuid.UUID) -> bool:
        result = await self._db.execute(_RELEASE, {"tenant": tenant_id, "id": reservation_id})
        return bool(result.rowcount)

    async def record(self, tenant_id: TenantId, entry: UsageEntry) -> None:
        await self._db.execute(
            usage_entries.insert(),
            {
                "id": entry.id,
                "tenant_id": tenant_id,
                "principal_id": entry.principal_id,
                "dialog_id": entry.dialog_id,
                "model": entry.model,
                "prompt_tokens": entry.prompt_tokens,
                "completion_tokens": entry.completion_tokens,
                "at": entry.at,
                "api_key_id": entry.api_key_id,
            },
        )
        start = Period.containing(entry.at).start
        # The principal's row before the tenant's: the order admissions lock them in.
        for principal_id in (entry.principal_id, None):
            await self._db.execute(
                _totals_add(self._db.dialect),
                {
                    **_totals_key(tenant_id, principal_id, start),
                    "prompt_tokens": entry.prompt_tokens,
                    "completion_tokens": entry.completion_tokens,
                },
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
                api_key_id=row.api_key_id,
            )
            for row in await self._db.execute(query)
        ]

    async def key_totals(
        self, tenant_id: TenantId, principal_id: uuid.UUID, period: Period
    ) -> dict[uuid.UUID, int]:
        e = usage_entries.c
        query = (
            sa.select(e.api_key_id, sa.func.sum(e.prompt_tokens + e.completion_tokens))
            .where(
                e.tenant_id == tenant_id,
                e.principal_id == principal_id,
                e.at >= period.start,
                e.at < period.end,
                e.api_key_id.is_not(None),
            )
            .group_by(e.api_key_id)
        )
        return {key_id: int(tokens) for key_id, tokens in await self._db.execute(query)}

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
        lock = _window_lock(self._db.dialect)
        hits = _decode((await self._db.execute(lock, {**key, "hits": []})).scalar_one())
        wait = slot_wait(hits, limit, window, now)
        if not wait:
            hits_now = _encode([*in_window(hits, window, now), now])
            await self._db.execute(
                _WINDOW_UPDATE, {"tenant": tenant_id, "subject": subject_id, "hits_now": hits_now}
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


# The statements of every chat take their values as parameters and are built once (per
# dialect, for upserts): SQLAlchemy then finds them in its cache without walking them.
_TOTALS_KEY = ["tenant_id", "subject_id", "period_start"]


@functools.cache
def _totals_lock(dialect: Dialect) -> ReturningInsert[Any]:
    c = usage_totals.c
    return _lock_row(upsert(dialect, usage_totals), _TOTALS_KEY, c.prompt_tokens).returning(
        c.prompt_tokens, c.completion_tokens
    )


@functools.cache
def _window_lock(dialect: Dialect) -> ReturningInsert[Any]:
    lock = _lock_row(
        upsert(dialect, rate_windows), ["tenant_id", "subject_id"], rate_windows.c.hits
    )
    return lock.returning(rate_windows.c.hits)


@functools.cache
def _totals_add(dialect: Dialect) -> Upsert:
    insert, c = upsert(dialect, usage_totals), usage_totals.c
    return insert.on_conflict_do_update(
        index_elements=_TOTALS_KEY,
        set_={
            "prompt_tokens": c.prompt_tokens + insert.excluded.prompt_tokens,
            "completion_tokens": c.completion_tokens + insert.excluded.completion_tokens,
        },
    )


_r = usage_reservations.c
_TENANT_HELD = sa.select(sa.func.coalesce(sa.func.sum(_r.tokens), 0)).where(
    _r.tenant_id == sa.bindparam("tenant"),
    _r.expires_at > sa.bindparam("now", type_=_r.expires_at.type),
)
_PRINCIPAL_HELD = _TENANT_HELD.where(_r.principal_id == sa.bindparam("principal"))
_DROP_EXPIRED = usage_reservations.delete().where(
    _r.tenant_id == sa.bindparam("tenant"),
    _r.principal_id == sa.bindparam("principal"),
    _r.expires_at <= sa.bindparam("now", type_=_r.expires_at.type),
)
_RELEASE = usage_reservations.delete().where(
    _r.tenant_id == sa.bindparam("tenant"), _r.id == sa.bindparam("id")
)
_WINDOW_UPDATE = (
    rate_windows.update()
    .where(
        rate_windows.c.tenant_id == sa.bindparam("tenant"),
        rate_windows.c.subject_id == sa.bindparam("subject"),
    )
    .values(hits=sa.bindparam("hits_now", type_=rate_windows.c.hits.type))
)


def _lock_row(insert: Upsert, key: list[str], column: sa.Column[Any]) -> Upsert:
    """``insert``, or on conflict with the row at ``key``, an update of ``column`` to
    itself: either way the row exists and is locked, and RETURNING reads it."""
    return insert.on_conflict_do_update(index_elements=key, set_={column.name: column})


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
