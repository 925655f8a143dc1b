"""One listener of a reply: the events from an offset on, as ``ChatService.start`` and
``ResumeReply`` hand them to the shell."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from chatcore.dialogs.buffer import ReplyBuffer
from chatcore.dialogs.events import ChatEvent, Delta, Meta


class ChatStream:
    """The events of one reply for one listener: Meta, then (``catch_up``, as a resume
    does) one Delta with all the text after the offset so far, then a Delta per
    piece the model writes, and the events that end it. Iterate it once.

    ``offset`` is the reply's length in characters up to and including the event
    last returned: the SSE id. ``cancel()`` stops the reply for every listener (it
    still ends with Usage and Done("cancelled")); ``aclose()`` only stops listening.
    """

    def __init__(
        self,
        meta: Meta,
        buffer: ReplyBuffer,
        offset: int,
        *,
        catch_up: bool = True,
        stop: Callable[[], object],
        leave: Callable[[], Awaitable[None]],
    ) -> None:
        self.meta = meta
        self.offset = offset
        self._buffer, self._stop, self._leave = buffer, stop, leave
        self._index = self._base = 0  # pieces read, and the characters they hold
        self._catch_up = catch_up
        self._ending_read = -1  # -1 until Meta is returned
        self._closed = False

    def __aiter__(self) -> ChatStream:
        return self

    async def __anext__(self) -> ChatEvent:
        while (event := self.ready()) is None:
            if self._closed:
                raise StopAsyncIteration
            await self._buffer.changed()
        return event

    async def next_event(self, idle_seconds: float) -> ChatEvent | None:
        """The next event, or None after ``idle_seconds`` with none (a keep-alive's
        moment); a timer is armed only when the listener must wait."""
        if (event := self.ready()) is not None:
            return event
        try:
            async with asyncio.timeout(idle_seconds):
                return await self.__anext__()
        except TimeoutError:
            return None

    def ready(self) -> ChatEvent | None:
        """The next event if it is there already; raises StopAsyncIteration at the end."""
        buffer = self._buffer
        if self._ending_read < 0:
            self._ending_read = 0
            return self.meta
        if buffer.length > self.offset:
            if self._catch_up or self.offset != self._base:
                self._catch_up = False
                text = "".join(buffer.pieces[self._index :])[self.offset - self._base :]
                self._index, self._base = len(buffer.pieces), buffer.length
            else:
                text = buffer.pieces[self._index]
                self._index += 1
                self._base += len(text)
            self.offset = self._base
            return Delta(text)
        if buffer.ended:
            if self._ending_read == len(buffer.ending) or self._closed:
                raise StopAsyncIteration
            self._ending_read += 1
            return buffer.ending[self._ending_read - 1]
        if self._closed:
            raise StopAsyncIteration
        return None

    def cancel(self) -> None:
        """Stop the reply: every listener's stream goes on to Usage and Done("cancelled")."""
        self._stop()

    async def aclose(self) -> None:
        """Stop listening; the reply goes on (unless the deployment cancels replies whose
        every listener left)."""
        if not self._closed:
            self._closed = True
            await self._leave()
