"""The job queue kept in memory (one process; the unit of work already runs alone)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import msgspec

from adapters.memory.tables import Table, Tables
from chatcore.jobs.model import Job, JobId


class _Queued(msgspec.Struct, frozen=True, kw_only=True):
    job: Job
    worker: str | None = None
    lease_until: datetime | None = None
    created: int = 0  # insertion order, for "oldest first" among equal run_at


JOBS: Table[JobId, _Queued] = Table("jobs")


class MemoryJobQueue:
    """A JobQueue over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._jobs = tables[JOBS]

    async def enqueue(
        self, kind: str, key: str, payload: dict[str, str], *, run_at: datetime
    ) -> bool:
        if any(q.job.kind == kind and q.job.key == key for q in self._jobs.values()):
            return False
        job = Job(
            id=JobId(uuid.uuid4()), kind=kind, key=key, payload=payload, attempts=0, run_at=run_at
        )
        order = max((q.created for q in self._jobs.values()), default=0) + 1
        self._jobs[job.id] = _Queued(job=job, created=order)
        return True

    async def claim(
        self, worker: str, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[Job]:
        free = [q for q in self._jobs.values() if _free(q, now)]
        free.sort(key=lambda q: (q.job.run_at, q.created))
        claimed = []
        for queued in free[:limit]:
            job = msgspec.structs.replace(queued.job, attempts=queued.job.attempts + 1)
            self._jobs[job.id] = msgspec.structs.replace(
                queued, job=job, worker=worker, lease_until=lease_until
            )
            claimed.append(job)
        return claimed

    async def renew(
        self, worker: str, job_ids: Sequence[JobId], *, lease_until: datetime
    ) -> list[JobId]:
        held = [i for i in job_ids if i in self._jobs and self._jobs[i].worker == worker]
        for job_id in held:
            self._jobs[job_id] = msgspec.structs.replace(
                self._jobs[job_id], lease_until=lease_until
            )
        return held

    async def finish(self, worker: str, job_id: JobId) -> bool:
        queued = self._jobs.get(job_id)
        if queued is None or queued.worker != worker:
            return False
        del self._jobs[job_id]
        return True

    async def release(
        self,
        worker: str,
        job_id: JobId,
        *,
        run_at: datetime,
        error: str | None,
        attempts: int,
    ) -> bool:
        queued = self._jobs.get(job_id)
        if queued is None or queued.worker != worker:
            return False
        job = msgspec.structs.replace(
            queued.job, run_at=run_at, last_error=error, attempts=attempts
        )
        self._jobs[job_id] = msgspec.structs.replace(queued, job=job, worker=None, lease_until=None)
        return True

    async def due(self, now: datetime) -> int:
        return sum(1 for q in self._jobs.values() if _free(q, now))


def _free(queued: _Queued, now: datetime) -> bool:
    lease_over = queued.lease_until is None or queued.lease_until < now
    return queued.job.run_at <= now and lease_over
