"""The job queue in SQL. On Postgres a claim takes rows ``FOR UPDATE SKIP LOCKED``,
so that workers claiming at the same moment take different jobs without waiting on
each other; on SQLite the write transaction (``BEGIN IMMEDIATE``) already runs
alone, and SQLAlchemy leaves the clause out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.dialect import upsert
from adapters.sql.tables import jobs
from chatcore.jobs.model import Job, JobId


class SqlJobQueue:
    """A JobQueue on the ``jobs`` table."""

    def __init__(self, db: AsyncConnection) -> None:
        self._db = db

    async def enqueue(
        self, kind: str, key: str, payload: dict[str, str], *, run_at: datetime
    ) -> bool:
        insert = upsert(self._db.dialect, jobs).values(
            id=uuid.uuid4(),
            kind=kind,
            key=key,
            payload=payload,
            attempts=0,
            run_at=run_at,
            created_at=datetime.now(UTC),
        )
        result = await self._db.execute(
            insert.on_conflict_do_nothing(index_elements=["kind", "key"])
        )
        return bool(result.rowcount)

    async def claim(
        self, worker: str, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[Job]:
        due = (
            sa.select(jobs.c.id)
            .where(jobs.c.run_at <= now, _unheld(now))
            .order_by(jobs.c.run_at, jobs.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = (
            sa.update(jobs)
            .where(jobs.c.id.in_(due.scalar_subquery()))
            .values(lease_owner=worker, lease_until=lease_until, attempts=jobs.c.attempts + 1)
            .returning(*jobs.c)
        )
        rows = (await self._db.execute(claimed)).mappings().all()
        return sorted((_job(row) for row in rows), key=lambda job: job.run_at)

    async def renew(
        self, worker: str, job_ids: Sequence[JobId], *, lease_until: datetime
    ) -> list[JobId]:
        if not job_ids:
            return []
        renewed = (
            sa.update(jobs)
            .where(jobs.c.id.in_(job_ids), jobs.c.lease_owner == worker)
            .values(lease_until=lease_until)
            .returning(jobs.c.id)
        )
        return [JobId(i) for i in (await self._db.execute(renewed)).scalars()]

    async def finish(self, worker: str, job_id: JobId) -> bool:
        result = await self._db.execute(
            sa.delete(jobs).where(jobs.c.id == job_id, jobs.c.lease_owner == worker)
        )
        return bool(result.rowcount)

    async def release(
        self,
        worker: str,
        job_id: JobId,
        *,
        run_at: datetime,
        error: str | None,
        attempts: int,
    ) -> bool:
        result = await self._db.execute(
            sa.update(jobs)
            .where(jobs.c.id == job_id, jobs.c.lease_owner == worker)
            .values(
                run_at=run_at,
                last_error=error,
                attempts=attempts,
                lease_owner=None,
                lease_until=None,
            )
        )
        return bool(result.rowcount)

    async def due(self, now: datetime) -> int:
        count = sa.select(sa.func.count()).where(jobs.c.run_at <= now, _unheld(now))
        return int((await self._db.execute(count)).scalar_one())


def _unheld(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(jobs.c.lease_until.is_(None), jobs.c.lease_until < now)


def _job(row: Any) -> Job:
    return Job(
        id=JobId(row["id"]),
        kind=row["kind"],
        key=row["key"],
        payload=dict(row["payload"]),
        attempts=row["attempts"],
        run_at=row["run_at"],
        last_error=row["last_error"],
    )
