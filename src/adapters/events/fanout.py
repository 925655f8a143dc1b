"""Fan-out inside one process: every subscriber of a principal gets its own queue,
so several tabs of one user each see every event."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chatcore.events.model import Event
from chatcore.kernel import TenantId

log = logging.getLogger("chatcore.events")

QUEUE_SIZE = 256
Key = tuple[TenantId, uuid.UUID]


class QueueSubscription:
    """A Subscription fed by a bounded queue; one that falls QUEUE_SIZE events behind
    ends, so a stalled reader costs bounded memory (its client reconnects)."""

    def __init__(self, size: int) -> None:
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(size)
        self._ended = False

    def offer(self, event: Event) -> None:
        """Queue an event, or end the subscription if the reader is too far behind."""
        if self._ended:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("a subscriber fell %d events behind; ending it", self._queue.maxsize)
            self.end()

    def end(self) -> None:
        """Stop the iteration once the reader reaches this point."""
        self._ended = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    def __aiter__(self) -> QueueSubscription:
        return self

    async def __anext__(self) -> Event:
        # A plain queue read, not a generator: cancelling a wait (a heartbeat
        # timeout) leaves the subscription intact.
        event = await self._queue.get()
        if event is None:
            raise StopAsyncIteration
        return event


class LocalFanout:
    """The subscribers of this process, by principal."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[Key, set[QueueSubscription]] = {}

    def dispatch(self, tenant_id: TenantId, principal_id: uuid.UUID, event: Event) -> None:
        """Hand the event to every local subscriber of the principal."""
        for subscription in tuple(self._subscribers.get((tenant_id, principal_id), ())):
            subscription.offer(event)

    @asynccontextmanager
    async def subscribe(
        self, tenant_id: TenantId, principal_id: uuid.UUID
    ) -> AsyncIterator[QueueSubscription]:
        """A subscription registered for the block, removed however the block ends."""
        key = (tenant_id, principal_id)
        subscription = QueueSubscription(self._queue_size)
        self._subscribers.setdefault(key, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers[key]
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[key]

    def count(self, tenant_id: TenantId, principal_id: uuid.UUID) -> int:
        """How many subscriptions the principal has open in this process."""
        return len(self._subscribers.get((tenant_id, principal_id), ()))

    def end_all(self) -> None:
        """End every subscription (the bus is closing)."""
        for subscribers in self._subscribers.values():
            for subscription in subscribers:
                subscription.end()
