"""The event bus of a single server process."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.events.fanout import LocalFanout, QueueSubscription
from chatcore.events.model import Event
from chatcore.kernel import TenantId


class InProcessEventBus:
    """An EventBus within one process: publishing hands the event straight to the
    local subscribers. Use the Postgres bus when several processes serve one app."""

    def __init__(self) -> None:
        self._fanout = LocalFanout()

    async def publish(self, tenant_id: TenantId, principal_id: uuid.UUID, event: Event) -> None:
        self._fanout.dispatch(tenant_id, principal_id, event)

    @asynccontextmanager
    async def subscribe(
        self, tenant_id: TenantId, principal_id: uuid.UUID
    ) -> AsyncIterator[QueueSubscription]:
        async with self._fanout.subscribe(tenant_id, principal_id) as subscription:
            yield subscription

    def subscribers(self, tenant_id: TenantId, principal_id: uuid.UUID) -> int:
        """How many subscriptions the principal has open."""
        return self._fanout.count(tenant_id, principal_id)

    async def close(self) -> None:
        """End every open subscription."""
        self._fanout.end_all()
