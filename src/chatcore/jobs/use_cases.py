"""The job worker: this process's share of the job queue.

It takes due jobs up to its concurrency, runs each under a lease it renews while the
job runs (so a job of a process that died is taken up by another once the lease
runs out), and ends each: finished, due again (periodic work), retried after a
backoff, or given up after the last attempt. Tasks are referenced until done (the
event loop keeps only weak references). At stop, the running jobs are cancelled
and handed back, due at once and that attempt not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from chatcore.jobs.model import Job, JobId, JobPolicy
from chatcore.jobs.ports import JobHandler
from chatcore.kernel import Clock
from chatcore.unit_of_work import UnitOfWorkFactory

__all__ = ["JobWorker"]

log = logging.getLogger("chatcore.jobs")

MAX_ERROR = 500


class JobWorker:
    """Works the queue's jobs in this process (a JobSignal)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        handlers: Mapping[str, JobHandler],
        policy: JobPolicy | None = None,
    ) -> None:
        self._uow, self._clock, self._handlers = uow, clock, dict(handlers)
        self._policy = policy or JobPolicy()
        self.name = f"worker-{uuid.uuid4().hex[:12]}"
        self._running: dict[JobId, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start working jobs in the background (nothing with a concurrency of 0)."""
        if self._loops or self._policy.concurrency <= 0:
            return
        self._loops = [
            asyncio.create_task(self._take_jobs(), name=f"{self.name} takes jobs"),
            asyncio.create_task(self._renew_leases(), name=f"{self.name} renews leases"),
        ]

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Stop taking jobs; cancel the running ones and hand them back."""
        loops, self._loops = self._loops, []
        for task in [*loops, *self._running.values()]:
            task.cancel()
        await asyncio.gather(*loops, *self._running.values(), return_exceptions=True)

    async def work_until_idle(self) -> None:
        """Work jobs here, whether started or not (then one at a time, whatever the
        concurrency), until none is due or running here."""
        while True:
            if not self._running:
                await self._claim(max(self._policy.concurrency, 1))
            if not self._running:
                async with self._uow(read_only=True) as uow:
                    due = await uow.jobs.due(self._clock.now())
                if not due and not self._running:
                    return
            await self._settle()

    async def _settle(self) -> None:
        """Wait for the running jobs (or a moment, if none runs here)."""
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
        else:
            await asyncio.sleep(self._policy.poll_seconds)

    async def _take_jobs(self) -> None:
        while True:
            self._wake.clear()
            try:
                claimed = await self._claim(self._policy.concurrency)
            except Exception:
                log.exception("Taking jobs failed; trying again shortly")
                claimed = []
            if claimed and len(self._running) < self._policy.concurrency:
                continue  # there may be more
            # asyncio.timeout, not wait_for: no task per poll (wait_for wraps the
            # wait in one, a new one every second in every idle process).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._policy.poll_seconds):
                    await self._wake.wait()

    async def _claim(self, slots: int) -> list[Job]:
        free = slots - len(self._running)
        if free <= 0:
            return []
        now = self._clock.now()
        async with self._uow() as uow:
            jobs = await uow.jobs.claim(
                self.name, now=now, lease_until=self._lease_end(), limit=free
            )
            await uow.commit()
            # Registered before anything else runs: whoever looks next sees them running.
            for job in jobs:
                task = asyncio.create_task(self._run(job), name=f"job {job.kind} {job.key}")
                self._running[job.id] = task
                task.add_done_callback(functools.partial(self._done, job.id))
        return jobs

    def _done(self, job_id: JobId, _: asyncio.Task[None]) -> None:
        self._running.pop(job_id, None)
        self._wake.set()  # a slot is free

    async def _run(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for jobs of kind {job.kind!r}")
            if job.attempts > self._policy.max_attempts:
                # Taken again after its worker died on every attempt.
                raise RuntimeError(job.last_error or "the worker running it stopped")
            again = await handler.run(job)
        except asyncio.CancelledError:
            await self._hand_back(job)
            raise
        except Exception as exc:
            await self._failed(job, handler, exc)
        else:
            async with self._uow() as uow:
                if again is None:
                    await uow.jobs.finish(self.name, job.id)
                else:
                    await uow.jobs.release(self.name, job.id, run_at=again, error=None, attempts=0)
                await uow.commit()

    async def _failed(self, job: Job, handler: JobHandler | None, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"[:MAX_ERROR]
        if handler is None or job.attempts >= self._policy.max_attempts:
            log.error("Job %s %s failed for good: %s", job.kind, job.key, message)
            if handler is not None:
                await handler.give_up(job, error)
            async with self._uow() as uow:
                await uow.jobs.finish(self.name, job.id)
                await uow.commit()
            return
        delay = self._policy.retry_delay(job.attempts)
        log.warning("Job %s %s failed (%s); retrying in %s", job.kind, job.key, message, delay)
        async with self._uow() as uow:
            await uow.jobs.release(
                self.name,
                job.id,
                run_at=self._clock.now() + delay,
                error=message,
                attempts=job.attempts,
            )
            await uow.commit()

    async def _hand_back(self, job: Job) -> None:
        """A stop is no failure of the job: due at once, this attempt not counted."""
        with contextlib.suppress(Exception):
            async with self._uow() as uow:
                await uow.jobs.release(
                    self.name,
                    job.id,
                    run_at=self._clock.now(),
                    error=job.last_error,
                    attempts=job.attempts - 1,
                )
                await uow.commit()

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self._policy.lease_seconds / 3)
            if not self._running:
                continue
            try:
                async with self._uow() as uow:
                    held = set(
                        await uow.jobs.renew(
                            self.name, list(self._running), lease_until=self._lease_end()
                        )
                    )
                    await uow.commit()
            except Exception:
                log.exception("Renewing job leases failed; trying again shortly")
                continue
            for job_id, task in list(self._running.items()):
                if job_id not in held:  # taken up elsewhere: this run's result is not wanted
                    task.cancel()

    def _lease_end(self) -> datetime:
        return self._clock.now() + timedelta(seconds=self._policy.lease_seconds)
