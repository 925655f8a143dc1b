"""The rows an in-memory database holds, one dict per table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from chatcore.dialogs.model import Dialog, Message, MessageId
from chatcore.documents.model import Chunk, ChunkId, Document, DocumentId
from chatcore.identity.model import (
    AuthThrottle,
    EmailConfirmation,
    OtpChallenge,
    Session,
    SessionId,
    ThrottleScope,
    User,
)
from chatcore.kernel import DialogId, TenantId, UserId
from chatcore.profile.model import Profile, SavedItem, SavedItemId
from chatcore.tenants.model import Tenant
from chatcore.usage.model import Reservation, UsageEntry, UsageTotals


@dataclass(frozen=True)
class IndexedChunk:
    """A chunk and its vector, as the chunk index keeps them."""

    chunk: Chunk
    vector: tuple[float, ...]


@dataclass
class Tables:
    """Every table, keyed by primary key; entities are frozen, so copies are cheap."""

    tenants: dict[TenantId, Tenant] = field(default_factory=dict)
    dialogs: dict[DialogId, Dialog] = field(default_factory=dict)
    documents: dict[DocumentId, Document] = field(default_factory=dict)
    chunks: dict[ChunkId, IndexedChunk] = field(default_factory=dict)
    messages: dict[MessageId, Message] = field(default_factory=dict)
    users: dict[tuple[TenantId, UserId], User] = field(default_factory=dict)
    sessions: dict[tuple[TenantId, SessionId], Session] = field(default_factory=dict)
    otp_challenges: dict[tuple[TenantId, str], OtpChallenge] = field(default_factory=dict)
    email_confirmations: dict[tuple[TenantId, str], EmailConfirmation] = field(default_factory=dict)
    auth_throttles: dict[tuple[TenantId, ThrottleScope, str], AuthThrottle] = field(
        default_factory=dict
    )
    profiles: dict[tuple[TenantId, UserId], Profile] = field(default_factory=dict)
    saved_items: dict[SavedItemId, SavedItem] = field(default_factory=dict)
    usage_entries: dict[tuple[TenantId, uuid.UUID], UsageEntry] = field(default_factory=dict)
    # Keyed by principal, or None for the whole tenant, and the period's start.
    usage_totals: dict[tuple[TenantId, uuid.UUID | None, datetime], UsageTotals] = field(
        default_factory=dict
    )
    usage_reservations: dict[tuple[TenantId, uuid.UUID], Reservation] = field(default_factory=dict)
    rate_windows: dict[tuple[TenantId, uuid.UUID], tuple[datetime, ...]] = field(
        default_factory=dict
    )
