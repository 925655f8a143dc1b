"""JobQueue: the public contract on memory, SQLite and Postgres, then what only
Postgres does: workers claiming at the same moment never take the same job."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from chatcore.testing import JobQueueContract
from chatcore.testing._support import T0


class TestJobQueue(JobQueueContract):
    pass


async def test_simultaneous_claims_on_postgres_take_different_jobs(
    postgres_engine: AsyncEngine,
) -> None:
    uow = SqlUnitOfWorkFactory(postgres_engine)
    async with uow() as tx:
        for n in range(40):
            await tx.jobs.enqueue("k", f"job-{n}", {}, run_at=T0)
        await tx.commit()
    held = asyncio.Event()

    async def claim(worker: str) -> list[str]:
        async with uow() as tx:
            jobs = await tx.jobs.claim(
                worker, now=T0, lease_until=T0 + timedelta(minutes=1), limit=15
            )
            if worker == "first":
                held.set()
                await asyncio.sleep(0.2)  # its rows stay locked while the others claim
            await tx.commit()
        return [job.key for job in jobs]

    first = asyncio.create_task(claim("first"))
    await held.wait()
    others = await asyncio.gather(claim("second"), claim("third"))
    claimed = [await first, *others]
    keys = [key for batch in claimed for key in batch]
    assert sorted(len(batch) for batch in claimed) == [10, 15, 15]
    assert len(set(keys)) == 40
