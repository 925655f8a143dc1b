"""The events a principal can be told about. Each encodes to one JSON object whose
``type`` names it, which is exactly the frame ``WS /v1/ws`` sends."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class Notification(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Base of every event; the subclass's tag becomes the ``type`` field."""


class AvatarChanged(Notification, frozen=True, tag="avatar_changed"):
    """The user's avatar was replaced (a new URL) or removed (None)."""

    avatar_url: str | None


class DocumentReady(Notification, frozen=True, tag="document_ready"):
    """An uploaded document finished processing and can be searched."""

    document_id: uuid.UUID


class DocumentFailed(Notification, frozen=True, tag="document_failed"):
    """An uploaded document could not be processed; ``error`` says why."""

    document_id: uuid.UUID
    error: str


class QuotaWarning(Notification, frozen=True, tag="quota_warning"):
    """The principal has used most of this period's token quota."""

    total_tokens: int
    quota_tokens: int
    period_end: datetime


Event = AvatarChanged | DocumentReady | DocumentFailed | QuotaWarning
