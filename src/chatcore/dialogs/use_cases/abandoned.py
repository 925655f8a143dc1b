"""Replies whose server process died: finished as ``interrupted`` with the text stored
so far, and billed, by any other process (a periodic job of the durable queue,
which whichever process takes it runs) or by the next start."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import msgspec

from chatcore.dialogs.ports import AbandonedReply, UsageRecorder
from chatcore.dialogs.tokens import estimate_tokens
from chatcore.jobs.model import Job
from chatcore.kernel import Clock, UsageRecord
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.dialogs")

# A run beats at least every 2 s (LiveReplies.BEAT_SECONDS); 30 s without a beat means
# its process is gone. Swept every SWEEP_INTERVAL, a reply is finished within 60 s.
ABANDONED_AFTER = timedelta(seconds=30)
SWEEP_INTERVAL = timedelta(seconds=15)
SWEEP = "finish_abandoned_replies"  # the job's kind and key
BATCH = 100
_EVER = datetime.max.replace(tzinfo=UTC)  # later than any beat


class FinishAbandonedReplies:
    """Finish the replies nobody writes any more as ``interrupted``, and bill each once."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        usage: UsageRecorder,
        clock: Clock,
        abandoned_after: timedelta = ABANDONED_AFTER,
    ) -> None:
        self._uow, self._usage, self._clock = uow, usage, clock
        self._abandoned_after = abandoned_after

    async def __call__(self, *, all_in_progress: bool = False) -> int:
        """How many were finished. ``all_in_progress`` takes every reply in progress,
        beating or not: for the start of the only process there is (SQLite)."""
        now = self._clock.now()
        before = _EVER if all_in_progress else now - self._abandoned_after
        finished = 0
        while True:
            async with self._uow(read_only=True) as uow:
                found = await uow.replies.abandoned(before, BATCH)
            done = [item for item in found if await self._finish(item)]
            finished += len(done)
            if len(found) < BATCH or not done:
                return finished

    async def _finish(self, abandoned: AbandonedReply) -> bool:
        reply = abandoned.reply
        prompt_tokens = reply.prompt_tokens
        completion_tokens = estimate_tokens(reply.content)
        ended = msgspec.structs.replace(
            reply, finish_reason="interrupted", completion_tokens=completion_tokens
        )
        async with self._uow() as uow:
            # Of processes sweeping at once, one finishes it, and only that one bills.
            if not await uow.replies.finish(reply.tenant_id, ended):
                return False
            await uow.commit()
        await self._usage.record(
            UsageRecord(
                tenant_id=reply.tenant_id,
                principal_id=reply.owner_id,
                dialog_id=reply.dialog_id,
                model=reply.model,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                at=self._clock.now(),
                reservation_id=abandoned.reservation_id,
            )
        )
        return True


class AbandonedRepliesJob:
    """Runs the sweep as a periodic job (a JobHandler): due again every SWEEP_INTERVAL."""

    def __init__(self, sweep: FinishAbandonedReplies, clock: Clock) -> None:
        self._sweep, self._clock = sweep, clock

    async def run(self, job: Job) -> datetime | None:
        """Sweep; a failure is logged and the next sweep runs on time."""
        try:
            if finished := await self._sweep():
                log.info("finished %d reply(ies) whose process stopped writing", finished)
        except Exception:
            log.exception("finishing abandoned replies failed; retrying in %s", SWEEP_INTERVAL)
        return self._clock.now() + SWEEP_INTERVAL

    async def give_up(self, job: Job, error: Exception) -> None:
        log.error("the sweep of abandoned replies stopped: %s", error)

    async def schedule(self, uow: UnitOfWorkFactory) -> None:
        """Queue the sweep one interval from now, unless it is queued already."""
        async with uow() as tx:
            await tx.jobs.enqueue(SWEEP, SWEEP, {}, run_at=self._clock.now() + SWEEP_INTERVAL)
            await tx.commit()
