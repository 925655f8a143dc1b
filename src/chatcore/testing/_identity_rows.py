"""Rows the identity suites store: tenants, users, sessions, sign-in codes, email
confirmations and throttles, each with fixed times so read-backs compare equal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec

from chatcore.identity.model import (
    AuthThrottle,
    EmailConfirmation,
    OtpChallenge,
    Session,
    SessionId,
    User,
)
from chatcore.kernel import TenantId, UserId
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory

T0 = datetime(2026, 1, 1, 9, 30, 15, 123456, tzinfo=UTC)
replace = msgspec.structs.replace


async def add_tenants(uow: UnitOfWorkFactory, *slugs: str) -> list[TenantId]:
    """Committed tenants with these slugs."""
    tenants = [
        Tenant(
            id=TenantId(uuid.uuid4()),
            slug=slug,
            name=slug,
            settings=TenantSettings(),
            created_at=T0,
        )
        for slug in slugs
    ]
    async with uow() as tx:
        for tenant in tenants:
            await tx.tenants.add(tenant)
        await tx.commit()
    return [t.id for t in tenants]


def new_user(tenant_id: TenantId, email: str = "a@example.com") -> User:
    """A user with a password."""
    return User(
        id=UserId(uuid.uuid4()),
        tenant_id=tenant_id,
        email=email,
        password_hash="hash",
        email_confirmed_at=None,
        display_name=None,
        created_at=T0,
    )


def new_session(tenant_id: TenantId, principal_id: uuid.UUID) -> Session:
    """A day-long user session."""
    return Session(
        id=SessionId(uuid.uuid4()),
        tenant_id=tenant_id,
        principal_id=principal_id,
        kind="user",
        created_at=T0,
        expires_at=T0 + timedelta(days=1),
        last_seen_at=T0,
        user_agent="Firefox",
    )


def new_challenge(email: str = "a@example.com") -> OtpChallenge:
    """A ten-minute sign-in code challenge."""
    return OtpChallenge(
        email=email, code_hash="f" * 64, issued_at=T0, expires_at=T0 + timedelta(minutes=10)
    )


def new_confirmation(user: User, token_hash: str = "c" * 64) -> EmailConfirmation:
    """A pending email confirmation of the user."""
    return EmailConfirmation(
        token_hash=token_hash,
        user_id=user.id,
        email=user.email,
        password_hash="pending",
        created_at=T0,
        expires_at=T0 + timedelta(hours=24),
    )


def new_throttle(subject: str = "a@example.com") -> AuthThrottle:
    """Three login attempts counted for the subject."""
    return AuthThrottle(
        scope="login",
        subject=subject,
        count=3,
        window_started_at=T0,
        last_at=T0 + timedelta(seconds=5),
    )
