"""The replies this process is writing, by id: to resume and stop them, to store their
text as it grows, and to let them end before the process does.

One task stores every growing reply in one transaction a second (a reply whose text
did not change is written only every ``beat_seconds``, as a heartbeat): never a write
per delta, and the model's reading never waits for the database. Each write also
reads whether another process asked the reply to stop.
"""

from __future__ import annotations

import asyncio
import logging
import time

from chatcore.dialogs.model import MessageId
from chatcore.dialogs.run import ReplyRun
from chatcore.kernel import Clock
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.dialogs")

FLUSH_SECONDS = 1.0
# A quiet reply is written this often too: a heartbeat well inside ABANDONED_AFTER (a
# silent model is not a dead process), and a read of stops asked by other processes.
BEAT_SECONDS = 2.0


class _Stored:
    """How much of a run's text is stored, and when it was last written."""

    def __init__(self) -> None:
        self.length = 0
        self.at = time.monotonic()


class LiveReplies:
    """The runs of this process; holds per-process state, so one per process."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        flush_seconds: float = FLUSH_SECONDS,
        beat_seconds: float = BEAT_SECONDS,
    ) -> None:
        self._uow, self._clock = uow, clock
        self._flush_seconds, self._beat_seconds = flush_seconds, beat_seconds
        self._runs: dict[MessageId, tuple[ReplyRun, _Stored]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._flusher: asyncio.Task[None] | None = None
        self._flushing = False

    def start(self, run: ReplyRun) -> None:
        """Start ``run`` and keep it here until it has ended and been stored."""
        reply_id = run.draft.meta.assistant_message_id
        self._runs[reply_id] = (run, _Stored())
        task = run.start()
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._ended(reply_id, done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_periodically(), name="reply flusher")

    def get(self, reply_id: MessageId) -> ReplyRun | None:
        """The run of this reply, if this process is writing it."""
        found = self._runs.get(reply_id)
        return found[0] if found else None

    def running(self) -> list[ReplyRun]:
        """The runs of this process, in the order they started."""
        return [run for run, _ in self._runs.values()]

    async def drain(self, grace_seconds: float | None = None) -> None:
        """Wait until every run has ended and been stored; after ``grace_seconds`` (if
        given) the ones still running are stopped as ``interrupted``."""
        if grace_seconds is not None and self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace_seconds)
            for run, _ in list(self._runs.values()):
                run.stop("interrupted")
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)

    def _ended(self, reply_id: MessageId, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._runs.pop(reply_id, None)
        if not self._runs and self._flusher is not None and not self._flushing:
            self._flusher.cancel()  # asleep: nothing left to store
            self._flusher = None

    async def _flush_periodically(self) -> None:
        try:
            while self._runs:
                await asyncio.sleep(self._flush_seconds)
                self._flushing = True
                try:
                    await self.flush()
                except Exception:
                    log.exception("storing the replies in progress failed; retrying")
                finally:
                    self._flushing = False
        finally:
            if self._flusher is asyncio.current_task():
                self._flusher = None

    async def flush(self) -> None:
        """Store the text of every run that grew, and beat for the quiet ones."""
        now = time.monotonic()
        due = [
            (run, stored, run.buffer.length)
            for run, stored in self._runs.values()
            if not run.buffer.ended
            and (run.buffer.length != stored.length or now - stored.at >= self._beat_seconds)
        ]
        if not due:
            return
        at = self._clock.now()
        stopped = []
        async with self._uow() as uow:
            for run, _, _ in due:
                draft = run.draft
                if await uow.replies.grow(
                    draft.principal.tenant_id,
                    draft.meta.assistant_message_id,
                    draft.text(),
                    draft.prompt_estimate,
                    at,
                ):
                    stopped.append(run)
            await uow.commit()
        for _, stored, length in due:
            stored.length, stored.at = length, now
        for run in stopped:  # asked by another process (StopReply)
            run.stop()
