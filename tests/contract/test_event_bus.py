"""EventBus: the same behaviour in one process and across processes over Postgres."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Protocol

import asyncpg
import pytest
import pytest_asyncio

from adapters.events import InProcessEventBus, PostgresEventBus
from adapters.events.postgres import APPLICATION_NAME
from chatcore.events import (
    AvatarChanged,
    DocumentFailed,
    DocumentReady,
    Event,
    QuotaWarning,
    Subscription,
)
from chatcore.tenants.model import TenantId

WAIT = 10.0  # generous: how long a delivered event may take, never a performance bound


class ObservableBus(Protocol):
    """An EventBus that also says how many subscriptions it holds."""

    async def publish(self, tenant_id: TenantId, principal_id: uuid.UUID, event: Event) -> None: ...

    def subscribe(
        self, tenant_id: TenantId, principal_id: uuid.UUID
    ) -> AbstractAsyncContextManager[Subscription]: ...

    def subscribers(self, tenant_id: TenantId, principal_id: uuid.UUID) -> int: ...

    async def close(self) -> None: ...


def plain_dsn(postgres_url: str) -> str:
    return postgres_url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest_asyncio.fixture
async def in_process_bus() -> AsyncIterator[ObservableBus]:
    bus = InProcessEventBus()
    yield bus
    await bus.close()


@pytest_asyncio.fixture
async def postgres_bus(postgres_url: str) -> AsyncIterator[ObservableBus]:
    bus = PostgresEventBus(plain_dsn(postgres_url), retry_delays=(0.05, 0.5))
    yield bus
    await bus.close()


@pytest.fixture(params=["in_process", "postgres"])
def bus(request: pytest.FixtureRequest) -> ObservableBus:
    """An event bus of each kind in turn."""
    return request.getfixturevalue(f"{request.param}_bus")  # type: ignore[no-any-return]


def ids() -> tuple[TenantId, uuid.UUID]:
    return TenantId(uuid.uuid4()), uuid.uuid4()


async def take(subscription: Subscription, count: int) -> list[Event]:
    """The next ``count`` events, or fail after WAIT seconds."""
    events: list[Event] = []
    async with asyncio.timeout(WAIT):
        async for event in subscription:
            events.append(event)
            if len(events) == count:
                break
    return events


async def test_every_kind_of_event_arrives_intact(bus: ObservableBus) -> None:
    tenant, user = ids()
    events: list[Event] = [
        AvatarChanged(avatar_url="https://example.com/v1/avatars/a.png"),
        AvatarChanged(avatar_url=None),
        DocumentReady(document_id=uuid.uuid4()),
        DocumentFailed(document_id=uuid.uuid4(), error="The PDF is encrypted. ☹"),
        QuotaWarning(total_tokens=800, quota_tokens=1000,
                     period_end=datetime(2026, 4, 1, tzinfo=UTC)),
    ]
    async with bus.subscribe(tenant, user) as subscription:
        for event in events:
            await bus.publish(tenant, user, event)
        assert await take(subscription, len(events)) == events


async def test_events_of_one_user_keep_their_order(bus: ObservableBus) -> None:
    tenant, user = ids()
    documents = [uuid.uuid4() for _ in range(100)]
    async with bus.subscribe(tenant, user) as subscription:
        for document_id in documents:
            await bus.publish(tenant, user, DocumentReady(document_id=document_id))
        received = await take(subscription, len(documents))
    assert received == [DocumentReady(document_id=d) for d in documents]


async def test_every_subscription_of_a_user_gets_every_event(bus: ObservableBus) -> None:
    tenant, user = ids()
    event = AvatarChanged(avatar_url="https://example.com/v1/avatars/b.png")
    async with bus.subscribe(tenant, user) as first, bus.subscribe(tenant, user) as second:
        assert bus.subscribers(tenant, user) == 2
        await bus.publish(tenant, user, event)
        assert await take(first, 1) == [event]
        assert await take(second, 1) == [event]


async def test_no_event_reaches_another_user_or_another_tenant(bus: ObservableBus) -> None:
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


async def test_a_subscriber_that_goes_away_is_cleaned_up(bus: ObservableBus) -> None:
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
    bus: ObservableBus,
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


async def test_an_event_published_on_one_bus_reaches_a_subscriber_of_another(
    postgres_url: str, postgres_bus: ObservableBus
) -> None:
    # Two buses on one database stand for two server processes.
    publisher = PostgresEventBus(plain_dsn(postgres_url))
    tenant, user = ids()
    event = AvatarChanged(avatar_url="https://example.com/v1/avatars/c.png")
    try:
        async with postgres_bus.subscribe(tenant, user) as subscription:
            await publisher.publish(tenant, user, event)
            assert await take(subscription, 1) == [event]
    finally:
        await publisher.close()


async def test_the_postgres_bus_reconnects_after_losing_its_connection(
    postgres_url: str, postgres_bus: ObservableBus
) -> None:
    tenant, user = ids()
    async with postgres_bus.subscribe(tenant, user) as subscription:
        admin = await asyncpg.connect(plain_dsn(postgres_url))
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = $1", APPLICATION_NAME)
        finally:
            await admin.close()
        assert killed >= 1
        # Events sent while nobody listened are lost, so the subscription ends
        # rather than pretend it saw everything.
        assert await take(subscription, 1) == []
    event = DocumentReady(document_id=uuid.uuid4())
    async with postgres_bus.subscribe(tenant, user) as subscription:
        await postgres_bus.publish(tenant, user, event)
        assert await take(subscription, 1) == [event]
