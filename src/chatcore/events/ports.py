"""The bus events travel on, from the use case that causes them to every open
connection of the principal they concern."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from chatcore.events.model import Event
from chatcore.kernel import TenantId


class Subscription(Protocol):
    """One listener's events, in the order they were published; it ends (stops
    iterating) if the listener falls too far behind."""

    def __aiter__(self) -> AsyncIterator[Event]:
        """Iterate over the events as they come."""
        ...


class EventBus(Protocol):
    """Delivers events addressed to one principal to all of its subscribers."""

    async def publish(self, tenant_id: TenantId, principal_id: uuid.UUID, event: Event) -> None:
        """Send ``event`` to every current subscriber of the principal, in any process.

        Best effort, never raises: an event reports a change already committed, so a
        lost event is logged rather than failing the change."""
        ...

    def subscribe(
        self, tenant_id: TenantId, principal_id: uuid.UUID
    ) -> AbstractAsyncContextManager[Subscription]:
        """Listen to the principal's events while the block is open; every event
        published after entry arrives. Raises Unavailable if the bus cannot listen."""
        ...
