"""Notifications: small events addressed to one principal, delivered to every
connection that principal has open, whichever server process produced them.

This package exports the context's types: its model and its ports; its use cases
are exported by ``chatcore.events.use_cases``."""

from chatcore.events.model import (
    AvatarChanged,
    DocumentFailed,
    DocumentReady,
    Event,
    Notification,
    QuotaWarning,
)
from chatcore.events.ports import EventBus, Subscription

__all__ = [
    "AvatarChanged",
    "DocumentFailed",
    "DocumentReady",
    "Event",
    "EventBus",
    "Notification",
    "QuotaWarning",
    "Subscription",
]
