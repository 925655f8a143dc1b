"""The rows an in-memory database holds, one dict per table."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatcore.dialogs.model import Dialog, DialogId, Message, MessageId
from chatcore.identity.model import (
    AuthThrottle,
    EmailConfirmation,
    OtpChallenge,
    Session,
    SessionId,
    ThrottleScope,
    User,
    UserId,
)
from chatcore.tenants.model import Tenant, TenantId


@dataclass
class Tables:
    """Every table, keyed by primary key; entities are frozen, so copies are cheap."""

    tenants: dict[TenantId, Tenant] = field(default_factory=dict)
    dialogs: dict[DialogId, Dialog] = field(default_factory=dict)
    messages: dict[MessageId, Message] = field(default_factory=dict)
    users: dict[tuple[TenantId, UserId], User] = field(default_factory=dict)
    sessions: dict[tuple[TenantId, SessionId], Session] = field(default_factory=dict)
    otp_challenges: dict[tuple[TenantId, str], OtpChallenge] = field(default_factory=dict)
    email_confirmations: dict[tuple[TenantId, str], EmailConfirmation] = field(
        default_factory=dict
    )
    auth_throttles: dict[tuple[TenantId, ThrottleScope, str], AuthThrottle] = field(
        default_factory=dict
    )
