"""Listening to one's own events: what a notifications socket holds open."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from chatcore.events.ports import EventBus, Subscription
from chatcore.identity.principal import Principal

__all__ = [
    "ListenForEvents",
]


class ListenForEvents:
    """The caller's events (a user's, or an anonymous session's) while listening."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    def __call__(self, principal: Principal) -> AbstractAsyncContextManager[Subscription]:
        """A subscription open for the block; raises Unavailable on entry if the bus
        cannot listen."""
        return self._bus.subscribe(principal.tenant_id, principal.id)
