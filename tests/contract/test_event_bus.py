"""EventBus: the public contract in one process and across processes over Postgres,
then what only the Postgres bus does."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from adapters.events import InProcessEventBus, PostgresEventBus
from adapters.events.postgres import APPLICATION_NAME
from chatcore.events import AvatarChanged, DocumentReady
from chatcore.testing import EventBusContract
from chatcore.testing.event_bus import ObservableBus, ids, take


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


class TestEventBus(EventBusContract):
    @pytest.fixture(params=["in_process", "postgres"])
    def bus(self, request: pytest.FixtureRequest) -> ObservableBus:
        """An event bus of each kind in turn."""
        chosen: ObservableBus = request.getfixturevalue(f"{request.param}_bus")
        return chosen


# What only the Postgres bus does.


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
                " WHERE application_name = $1",
                APPLICATION_NAME,
            )
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
