"""Notifications: small events addressed to one principal, delivered to every
connection that principal has open, whichever server process produced them."""

from chatcore.events.model import (
    AvatarChanged,
    DocumentFailed,
    DocumentReady,
    Event,
    QuotaWarning,
)
from chatcore.events.ports import EventBus, Subscription

__all__ = [
    "AvatarChanged",
    "DocumentFailed",
    "DocumentReady",
    "Event",
    "EventBus",
    "QuotaWarning",
    "Subscription",
]
