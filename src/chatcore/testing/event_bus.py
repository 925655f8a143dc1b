"""The EventBus contract: every event reaches every subscription of its principal, in
order, and nobody else's; subscribers that leave or fall behind are let go."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Protocol

from chatcore.events import (
    AvatarChanged,
    DocumentFailed,
    DocumentReady,
    Event,
    QuotaWarning,
    Subscription,
)
from chatcore.kernel import TenantId

WAIT = 10.0  # generous: how long a delivered event may take, never a performance bound


class ObservableBus(Protocol):
    """An EventBus that also says how many subscriptions it holds."""

    async def publish(self, tenant_id: TenantId, principal_id: uuid.UUID, event: Event) -> None:
        """Send ``event`` to every current subscriber of the principal."""
        ...

    def subscribe(
        self, tenant_id: TenantId, principal_id: uuid.UUID
    ) -> AbstractAsyncContextManager[Subscription]:
        """Listen to the principal's events while the block is open."""
        ...

    def subscribers(self, tenant_id: TenantId, principal_id: uuid.UUID) -> int:
        """How many subscriptions of the principal this bus holds open."""
        ...

    async def close(self) -> None:
        """End every subscription and let go of connections."""
        ...


def ids() -> tuple[TenantId, uuid.UUID]:
    """A fresh tenant id and principal id."""
    return TenantId(uuid.uuid4()), uuid.uuid4()


async def take(subscription: Subscription, count: int) -> list[Event]:
    """The next ``count`` events (fewer if the subscription ends), or fail after WAIT."""
    events: list[Event] = []
    async with asyncio.timeout(WAIT):
        async for event in subscription:
            events.append(event)
            if len(events) == count:
                break
    return events


class EventBusContract:
    """What every EventBus does.

    Needs a fixture ``bus`` returning an ``ObservableBus`` (the port plus
    ``subscribers()``), closed by the fixture after the test.
    """

    async def test_every_kind_of_event_arrives_intact(self, bus: ObservableBus) -> None:
        tenant, user = ids()
        events: list[Event] = [
            AvatarChanged(avatar_url="https://example.com/v1/avatars/a.png"),
            AvatarChanged(avatar_url=None),
            DocumentReady(document_id=uuid.uuid4()),
            DocumentFailed(document_id=uuid.uuid4(), error="The PDF is encrypted. ☹"),
            QuotaWarning(total_tokens=800, quota_tokens=1000,
                         period_end=datetime(2026, 4, 1, tzinfo=UTC)),
        ]  # fmt: skip
        async with bus.subscribe(tenant, user) as subscription:
            for event in events:
                await bus.publish(tenant, user, event)
            assert await take(subscription, len(events)) == events

    async def test_events_of_one_user_keep_their_order(self, bus: ObservableBus) -> None:
        tenant, user = ids()
        documents = [uuid.uuid4() for _ in range(100)]
        async with bus.subscribe(tenant, user) as subscription:
            for document_id in documents:
                await bus.publish(tenant, user, DocumentReady(document_id=document_id))
            received = await take(subscription, len(documents))
        assert received == [DocumentReady(document_id=d) for d in documents]

    async def test_every_subscription_of_a_user_gets_every_event(self, bus: ObservableBus) -> None:
        tenant, user = ids()
        event = AvatarChanged(avatar_url="https://example.com/v1/avatars/b.png")
        async with bus.subscribe(tenant, user) as first, bus.subscribe(tenant, user) as second:
            assert bus.subscribers(tenant, user) == 2
            await bus.publish(tenant, user, event)
            assert await take(first, 1) == [event]
            assert await take(second, 1) == [event]

    async def test_no_event_reaches_another_user_or_another_tenant(
        self, bus: ObservableBus
    ) -> None:
        tenant, user = ids()
        other_tenant, other_user = ids()
        mine = DocumentReady(document_id=uuid.uuid4())
        async with (
            bus.subscribe(tenant, user) as subscription,
            bus.subscribe(tenant, other_user) as neighbour,
            bus.subscribe(other_tenant, user) as namesake,  # same principal id, other tenant
        ):
            await bus.publish(tenant, other_user, AvatarChanged(avatar_url=None))
            await bus.publish(other_tenant, user, AvatarChanged(avatar_url=None))
            await bus.publish(tenant, user, mine)
            # Everything is published in order through one channel: when ``mine`` has
            # arrived, an event for someone else would have arrived before it.
            assert await take(subscription, 1) == [mine]
            assert await take(neighbour, 1) == [AvatarChanged(avatar_url=None)]
            assert await take(namesake, 1) == [AvatarChanged(avatar_url=None)]
            marker = DocumentReady(document_id=uuid.uuid4())
            await bus.publish(tenant, other_user, marker)
            await bus.publish(other_tenant, user, marker)
            assert await take(neighbour, 1) == [marker]
            assert await take(namesake, 1) == [marker]

    async def test_a_subscriber_that_goes_away_is_cleaned_up(self, bus: ObservableBus) -> None:
        tenant, user = ids()
        async with bus.subscribe(tenant, user):
            assert bus.subscribers(tenant, user) == 1
        assert bus.subscribers(tenant, user) == 0

        subscribed = asyncio.Event()

        async def listen() -> None:
            async with bus.subscribe(tenant, user) as subscription:
                subscribed.set()
                async for _ in subscription:
                    pass

        listener = asyncio.create_task(listen())
        async with asyncio.timeout(WAIT):
            await subscribed.wait()
        assert bus.subscribers(tenant, user) == 1
        listener.cancel()  # a socket's task ends this way when its client disconnects
        await asyncio.gather(listener, return_exceptions=True)
        assert bus.subscribers(tenant, user) == 0
        await bus.publish(tenant, user, AvatarChanged(avatar_url=None))  # nobody to tell: fine

    async def test_a_subscriber_that_falls_behind_is_ended_not_buffered_for_ever(
        self, bus: ObservableBus
    ) -> None:
        tenant, user = ids()
        async with bus.subscribe(tenant, user) as slow:
            for _ in range(1000):
                await bus.publish(tenant, user, DocumentReady(document_id=uuid.uuid4()))
            received = []
            async with asyncio.timeout(WAIT):
                async for event in slow:
                    received.append(event)
        assert len(received) < 1000
