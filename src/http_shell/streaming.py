"""Relaying a chat stream to a client that may be slow or may go away.

A producer task reads the core's stream into a small queue; the response reads the
queue. The response can then send keep-alive comments while the model is quiet,
and cancelling the producer is all it takes to stop the model when the client
leaves, whatever the response was doing at that moment.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Final, cast

from chatcore.dialogs.events import ChatEvent
from chatcore.dialogs.stream import ChatStream

log = logging.getLogger("chatcore.http")

KEEPALIVE_SECONDS = 15.0  # read at every wait, so tests can shorten it
_QUEUE_SIZE: Final = 256  # back-pressure: a stalled client slows the model, not memory
_END: Final = object()


class StreamRelay:
    """Reads a ChatStream in its own task; ``batches()`` yields what it read."""

    def __init__(self, stream: ChatStream) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[object] = asyncio.Queue(_QUEUE_SIZE)
        self._stopped = False
        self._producer = asyncio.create_task(self._produce())

    def cancel(self) -> None:
        """Ask the model to stop; the stream still ends with usage and done."""
        self._stream.cancel()

    def stop(self) -> None:
        """Abandon the stream (the client left); the reply so far is stored."""
        # Once only: a second cancel would interrupt the producer's cleanup, and a
        # database connection cut off while closing is torn down, not returned.
        if not self._stopped:
            self._stopped = True
            self._producer.cancel()

    async def abandon(self) -> None:
        """``stop()`` as a coroutine, for hooks that run after a response ends."""
        self.stop()

    async def finished(self) -> None:
        """Wait until the producer has ended, however it ended."""
        await asyncio.wait({self._producer})

    async def batches(self) -> AsyncIterator[list[ChatEvent] | None]:
        """The stream's events in order, every event already waiting in one batch, and
        None after every ``KEEPALIVE_SECONDS`` of silence.

        A client that keeps up gets one event at a time; one that falls behind the
        model gets fewer, bigger writes instead of a write and a wake-up per delta.
        """
        queue = self._queue
        try:
            while True:
                if queue.empty():
                    try:
                        async with asyncio.timeout(KEEPALIVE_SECONDS):
                            first = await queue.get()
                    except TimeoutError:
                        yield None
                        continue
                else:
                    # The hot path: events are waiting, so no timer is needed.
                    first = queue.get_nowait()
                batch = [first, *(queue.get_nowait() for _ in range(queue.qsize()))]
                if batch[-1] is _END:  # the producer puts nothing after it
                    if len(batch) > 1:
                        yield cast(list[ChatEvent], batch[:-1])
                    return
                yield cast(list[ChatEvent], batch)
        finally:
            self.stop()

    async def _produce(self) -> None:
        try:
            async for event in self._stream:
                await self._queue.put(event)
        except Exception:
            log.exception("chat stream failed")
        finally:
            await self._stream.aclose()
        # Reached only when not cancelled, that is while someone still reads.
        await self._queue.put(_END)
