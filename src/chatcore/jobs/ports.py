"""What background jobs need from the outside world: a durable queue (a repository,
so that a job is queued in the same transaction as the change that needs it) and
the handlers that do each kind of work."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from chatcore.jobs.model import Job, JobId


class JobQueue(Protocol):
    """Queued jobs, each leased to one worker at a time."""

    async def enqueue(
        self, kind: str, key: str, payload: dict[str, str], *, run_at: datetime
    ) -> bool:
        """Queue a job unless one of ``kind`` and ``key`` is queued already; whether
        this call queued it."""
        ...

    async def claim(
        self, worker: str, *, now: datetime, lease_until: datetime, limit: int
    ) -> builtins.list[Job]:
        """Lease to ``worker`` up to ``limit`` jobs due by ``now`` that no live lease
        holds (a lease whose worker died expires), oldest first; never a job another
        worker claims at the same moment."""
        ...

    async def renew(
        self, worker: str, job_ids: Sequence[JobId], *, lease_until: datetime
    ) -> builtins.list[JobId]:
        """Extend the worker's leases; the jobs it still holds."""
        ...

    async def finish(self, worker: str, job_id: JobId) -> bool:
        """Remove a job the worker holds; False if it holds it no more."""
        ...

    async def release(
        self,
        worker: str,
        job_id: JobId,
        *,
        run_at: datetime,
        error: str | None,
        attempts: int,
    ) -> bool:
        """Give a held job back, to run at ``run_at`` with ``attempts`` counted (a
        retry keeps the count, a periodic job or a stop resets or lowers it)."""
        ...

    async def due(self, now: datetime) -> int:
        """How many jobs are due by ``now`` and not held."""
        ...


class JobHandler(Protocol):
    """Does one kind of job."""

    async def run(self, job: Job) -> datetime | None:
        """Do the job; when to run it again (periodic work), or None. Raises to have
        it retried."""
        ...

    async def give_up(self, job: Job, error: Exception) -> None:
        """The job failed every attempt (the last with ``error``): record that."""
        ...


class JobSignal(Protocol):
    """Tells this process's worker that jobs were queued, so it need not wait to look."""

    def wake(self) -> None:
        """Look for jobs now; returns at once."""
        ...
