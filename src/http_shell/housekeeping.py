"""The periodic purge of expired rows, as a job of the durable queue: one job, due
every interval, that whichever process takes it runs (so one at a time, however
many processes serve)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import msgspec

from chatcore.identity.use_cases.housekeeping import PurgeReport
from chatcore.jobs.model import Job
from chatcore.kernel import Clock
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.housekeeping")

PURGE = "purge"


class PeriodicPurge:
    """Runs the purge job (a JobHandler): purge, then due again one interval later
    (never, for an interval of 0)."""

    def __init__(
        self,
        purge: Callable[[], Awaitable[PurgeReport]],
        clock: Clock,
        interval_minutes: float,
    ) -> None:
        self._purge, self._clock = purge, clock
        self._interval = timedelta(minutes=interval_minutes)

    async def run(self, job: Job) -> datetime | None:
        """Purge; a failure is logged and the next purge runs on time (a database
        outage must not end housekeeping, nor pile up retries)."""
        try:
            report = await self._purge()
        except Exception:
            log.exception("purge of expired rows failed; retrying in %s", self._interval)
        else:
            if report.total:
                removed = {kind: n for kind, n in msgspec.structs.asdict(report).items() if n}
                log.info("purged expired rows: %s", removed)
        return self._clock.now() + self._interval if self._interval else None

    async def give_up(self, job: Job, error: Exception) -> None:
        log.error("the periodic purge stopped: %s", error)

    async def schedule(self, uow: UnitOfWorkFactory) -> None:
        """Queue the purge one interval from now, unless it is queued already."""
        if not self._interval:
            return
        async with uow() as tx:
            await tx.jobs.enqueue(PURGE, PURGE, {}, run_at=self._clock.now() + self._interval)
            await tx.commit()
