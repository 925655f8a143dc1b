"""A reply as a run that belongs to no connection: it reads the model in a task of its
own to the end, whoever listens, and ends the same way for every listener.

Its text lives in a ReplyBuffer that every listener reads from its own offset; the
text is stored as it grows by ``LiveReplies``, and for good by ``settle`` when the
run ends, however it ends (stopped, failed, or cancelled at shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from chatcore.dialogs.cancel import CancelRequested, CancelSwitch
from chatcore.dialogs.events import ChatEvent, Done, Error, Usage
from chatcore.dialogs.model import FinishReason
from chatcore.dialogs.ports import ChatModel, ModelRequest, TextDelta
from chatcore.dialogs.reply import ReplyDraft
from chatcore.dialogs.stream import ChatStream
from chatcore.errors import ChatcoreError

log = logging.getLogger("chatcore.dialogs")

BuildRequest = Callable[[ReplyDraft], Awaitable[ModelRequest]]
Settle = Callable[[ReplyDraft], Awaitable[None]]


class ReplyRun:
    """One reply being written: start it once, subscribe any number of listeners."""

    def __init__(
        self,
        draft: ReplyDraft,
        model: ChatModel,
        build_request: BuildRequest,
        settle: Settle,
        *,
        stop_when_unheard: bool = False,
    ) -> None:
        self.draft = draft
        self.buffer = draft.buffer
        self._model, self._build_request, self._settle = model, build_request, settle
        self._stop_when_unheard = stop_when_unheard
        self._switch = CancelSwitch()
        self._stop_reason: FinishReason = "cancelled"
        self._listeners = 0
        self.task: asyncio.Task[None] | None = None

    def start(self) -> asyncio.Task[None]:
        """Start reading the model; the task ends once the reply is settled."""
        self.task = asyncio.create_task(
            self._run(), name=f"reply {self.draft.meta.assistant_message_id}"
        )
        return self.task

    def stop(self, reason: FinishReason = "cancelled") -> None:
        """Stop the model; the reply ends with Usage and Done(``reason``) for everyone."""
        if not self._switch.requested:
            self._stop_reason = reason
        self._switch.request()

    def listen(self, offset: int | None = None) -> ChatStream:
        """A listener's stream: from the start, delta by delta; or resumed at ``offset``
        characters, the text so far after it in one delta."""
        self._listeners += 1
        return ChatStream(
            self.draft.meta,
            self.buffer,
            offset or 0,
            catch_up=offset is not None,
            stop=self.stop,
            leave=self._left,
        )

    async def _left(self) -> None:
        self._listeners -= 1
        if self._listeners == 0 and self._stop_when_unheard:
            self.stop()

    async def _run(self) -> None:
        draft, switch = self.draft, self._switch
        settled = False
        try:
            try:
                request = await switch.call(lambda: self._build_request(draft))
                draft.events = events = self._model.stream(request)
                while True:
                    event = await switch.call(events.__anext__)
                    if isinstance(event, TextDelta):
                        # Postgres text cannot hold NUL: listeners get what is stored.
                        self.buffer.append(event.text.replace("\x00", ""))
                    else:
                        draft.completion = event
            except StopAsyncIteration:
                draft.ended()
            except CancelRequested:
                draft.finish_reason = self._stop_reason
            except ChatcoreError as exc:
                draft.failed(exc)
            settled = True
            try:
                await self._settle(draft)
            except ChatcoreError as exc:
                self.buffer.end([Error(exc.code, exc.detail)])
                return
            self.buffer.end(_ending(draft))
        except BaseException as exc:
            # Cancelled at shutdown, or broken by a bug: the reply so far is stored all
            # the same, and its listeners are told it ended.
            if not settled:
                draft.finish_reason = "error" if isinstance(exc, Exception) else "interrupted"
                with contextlib.suppress(Exception):  # logged by settle
                    await asyncio.shield(self._settle(draft))
            self.buffer.end(_ending(draft))
            if isinstance(exc, Exception):
                log.exception("reply %s failed", draft.meta.assistant_message_id)
                return
            raise


def _ending(draft: ReplyDraft) -> list[ChatEvent]:
    if draft.error is not None:
        return [Error(draft.error.code, draft.error.detail)]
    prompt_tokens, completion_tokens = draft.tokens()
    ending: list[ChatEvent] = [Usage(prompt_tokens, completion_tokens), Done(draft.finish_reason)]
    return [draft.citations, *ending] if draft.citations is not None else ending
