"""The JobQueue contract: one queued job per kind and key, leases that keep a job to
one worker until they run out, and work handed back or finished only by its holder."""

from __future__ import annotations

from datetime import timedelta

from chatcore.testing._support import T0
from chatcore.unit_of_work import UnitOfWorkFactory

LEASE = timedelta(seconds=30)


class JobQueueContract:
    """What every JobQueue does. Needs a fixture ``uow`` (a UnitOfWorkFactory over an
    empty schema)."""

    async def test_one_job_per_kind_and_key_is_queued(self, uow: UnitOfWorkFactory) -> None:
        async with uow() as tx:
            assert await tx.jobs.enqueue("ingest", "doc-1", {"id": "1"}, run_at=T0)
            assert not await tx.jobs.enqueue("ingest", "doc-1", {"id": "other"}, run_at=T0)
            assert await tx.jobs.enqueue("reindex", "doc-1", {}, run_at=T0)
            await tx.commit()
        async with uow() as tx:
            claimed = await tx.jobs.claim("a", now=T0, lease_until=T0 + LEASE, limit=10)
            await tx.commit()
        assert sorted((j.kind, j.key, j.payload["id"] if j.payload else "") for j in claimed) == [
            ("ingest", "doc-1", "1"),
            ("reindex", "doc-1", ""),
        ]

    async def test_due_jobs_are_claimed_oldest_first_and_held_until_the_lease_ends(
        self, uow: UnitOfWorkFactory
    ) -> None:
        async with uow() as tx:
            await tx.jobs.enqueue("k", "later", {}, run_at=T0 + timedelta(minutes=5))
            await tx.jobs.enqueue("k", "second", {}, run_at=T0 - timedelta(seconds=1))
            await tx.jobs.enqueue("k", "first", {}, run_at=T0 - timedelta(seconds=2))
            await tx.commit()
        async with uow() as tx:
            assert await tx.jobs.due(T0) == 2
            first = await tx.jobs.claim("a", now=T0, lease_until=T0 + LEASE, limit=1)
            await tx.commit()
        assert [(j.key, j.attempts) for j in first] == [("first", 1)]
        async with uow() as tx:
            second = await tx.jobs.claim("b", now=T0, lease_until=T0 + LEASE, limit=5)
            assert await tx.jobs.due(T0) == 0
            await tx.commit()
        assert [j.key for j in second] == ["second"]

        # Worker a died: once its lease is over, another takes the job up.
        after = T0 + LEASE + timedelta(seconds=1)
        async with uow() as tx:
            taken_up = await tx.jobs.claim("c", now=after, lease_until=after + LEASE, limit=1)
            await tx.commit()
        assert [(j.key, j.attempts) for j in taken_up] == [("first", 2)]

    async def test_only_the_holder_renews_finishes_or_hands_back_a_job(
        self, uow: UnitOfWorkFactory
    ) -> None:
        async with uow() as tx:
            await tx.jobs.enqueue("k", "one", {}, run_at=T0)
            await tx.commit()
        async with uow() as tx:
            (job,) = await tx.jobs.claim("a", now=T0, lease_until=T0 + LEASE, limit=1)
            assert await tx.jobs.renew("b", [job.id], lease_until=T0 + 2 * LEASE) == []
            assert await tx.jobs.renew("a", [job.id], lease_until=T0 + 2 * LEASE) == [job.id]
            assert not await tx.jobs.finish("b", job.id)
            assert not await tx.jobs.release("b", job.id, run_at=T0, error=None, attempts=0)
            await tx.commit()
        # Renewed: still held after the first lease would have ended.
        async with uow() as tx:
            assert await tx.jobs.claim("b", now=T0 + LEASE, lease_until=T0, limit=1) == []
            retry_at = T0 + timedelta(minutes=1)
            assert await tx.jobs.release("a", job.id, run_at=retry_at, error="boom", attempts=1)
            await tx.commit()
        async with uow() as tx:
            assert await tx.jobs.due(T0) == 0
            (again,) = await tx.jobs.claim("b", now=retry_at, lease_until=retry_at + LEASE, limit=1)
            assert (again.id, again.attempts, again.last_error) == (job.id, 2, "boom")
            assert await tx.jobs.finish("b", again.id)
            await tx.commit()
        async with uow() as tx:
            assert await tx.jobs.due(retry_at + timedelta(days=1)) == 0
            assert await tx.jobs.enqueue("k", "one", {}, run_at=T0)  # the key is free again

    async def test_a_job_queued_in_a_transaction_rolled_back_is_not_there(
        self, uow: UnitOfWorkFactory
    ) -> None:
        async with uow() as tx:
            await tx.jobs.enqueue("k", "never", {}, run_at=T0)
        async with uow() as tx:
            assert await tx.jobs.due(T0) == 0
