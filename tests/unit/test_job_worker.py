"""The job worker on the in-memory queue: a job of a worker that died is taken up by
another once its lease is over; a stop hands running jobs back uncounted; a job of
an unknown kind, or one that keeps failing, is given up."""

from __future__ import annotations

import asyncio
from datetime import datetime

from adapters.memory import MemoryDatabase
from chatcore.jobs.model import Job, JobPolicy
from chatcore.jobs.use_cases import JobWorker
from tests.unit.fakes import T0, FakeClock


class Recorder:
    """A handler that records the jobs it ran; ``block`` makes it wait for ever."""

    def __init__(self, *, block: bool = False, fail: bool = False) -> None:
        self.ran: list[Job] = []
        self.given_up: list[tuple[Job, Exception]] = []
        self.started = asyncio.Event()
        self._block, self._fail = block, fail

    async def run(self, job: Job) -> datetime | None:
        self.ran.append(job)
        self.started.set()
        if self._block:
            await asyncio.Event().wait()
        if self._fail:
            raise RuntimeError("it broke")
        return None

    async def give_up(self, job: Job, error: Exception) -> None:
        self.given_up.append((job, error))


async def queued(database: MemoryDatabase, kind: str = "k", key: str = "one") -> None:
    async with database.unit_of_work() as uow:
        await uow.jobs.enqueue(kind, key, {}, run_at=T0)
        await uow.commit()


async def remaining(database: MemoryDatabase, clock: FakeClock) -> int:
    async with database.unit_of_work() as uow:
        return await uow.jobs.due(clock.now())


async def test_a_job_whose_worker_died_is_taken_up_once_the_lease_is_over() -> None:
    database, clock = MemoryDatabase(), FakeClock()
    await queued(database)
    dying, finishing = Recorder(block=True), Recorder()
    policy = JobPolicy(lease_seconds=30, poll_seconds=0.001)
    first = JobWorker(database.unit_of_work, clock, {"k": dying}, policy)
    first.start()
    await asyncio.wait_for(dying.started.wait(), 5)  # and then it hangs, as if dead

    second = JobWorker(database.unit_of_work, clock, {"k": finishing}, policy)
    await second.work_until_idle()
    assert finishing.ran == []  # still leased
    clock.advance(31)
    await second.work_until_idle()
    assert [job.attempts for job in finishing.ran] == [2]
    assert await remaining(database, clock) == 0
    await first.stop()


async def test_a_stopped_worker_hands_its_jobs_back_uncounted() -> None:
    database, clock = MemoryDatabase(), FakeClock()
    await queued(database)
    busy = Recorder(block=True)
    worker = JobWorker(database.unit_of_work, clock, {"k": busy}, JobPolicy(poll_seconds=0.001))
    worker.start()
    await asyncio.wait_for(busy.started.wait(), 5)
    await worker.stop()

    done = Recorder()
    await JobWorker(database.unit_of_work, clock, {"k": done}).work_until_idle()
    assert [job.attempts for job in done.ran] == [1]


async def test_failing_and_unknown_jobs_are_given_up_after_the_last_attempt() -> None:
    database, clock = MemoryDatabase(), FakeClock()
    await queued(database, "k")
    await queued(database, "nobody-knows")
    failing = Recorder(fail=True)
    policy = JobPolicy(max_attempts=3, first_retry_seconds=1, poll_seconds=0.001)
    worker = JobWorker(database.unit_of_work, clock, {"k": failing}, policy)
    for _ in range(3):
        await worker.work_until_idle()
        clock.advance(10)
    assert [job.attempts for job in failing.ran] == [1, 2, 3]
    assert [(job.attempts, str(error)) for job, error in failing.given_up] == [(3, "it broke")]
    assert failing.ran[-1].last_error == "RuntimeError: it broke"
    assert await remaining(database, clock) == 0


def test_the_backoff_doubles_up_to_its_cap() -> None:
    policy = JobPolicy(first_retry_seconds=2, longest_retry_seconds=10)
    assert [policy.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 10]
