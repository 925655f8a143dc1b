"""Replies whose server process died: finished as ``interrupted`` with the text stored
so far, and billed, by any other process (or the next start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from chatcore.dialogs.ports import AbandonedReply, UsageRecorder
from chatcore.dialogs.tokens import estimate_tokens
from chatcore.kernel import Clock, UsageRecord
from chatcore.unit_of_work import UnitOfWorkFactory

# A run beats at least every 2 s (LiveReplies.BEAT_SECONDS); 30 s without a beat means
# its process is gone. Swept every SWEEP_SECONDS, a reply is finished within 60 s.
ABANDONED_AFTER = timedelta(seconds=30)
SWEEP_SECONDS = 15.0
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
