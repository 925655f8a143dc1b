"""One-time codes, confirmation links and throttles in SQL. Rows a use case reads and
then changes are read ``FOR UPDATE`` (a no-op on SQLite, whose write transactions
already run one at a time); purges pick theirs ``FOR UPDATE SKIP LOCKED``, so they
never wait on a request, or on another process's purge, holding a row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.conflict import insert_or_conflict
from adapters.sql.identity import delete_picked
from adapters.sql.tables import auth_throttles, email_confirmations, otp_challenges
from chatcore.identity.model import AuthThrottle, EmailConfirmation, OtpChallenge, ThrottleScope
from chatcore.kernel import TenantId, UserId


class SqlOtpChallengeRepository:
    """An OtpChallengeRepository on the ``otp_challenges`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def get_for_update(self, tenant_id: TenantId, email: str) -> OtpChallenge | None:
        query = (
            otp_challenges.select()
            .where(otp_challenges.c.tenant_id == tenant_id, otp_challenges.c.email == email)
            .with_for_update()
        )
        row = (await self._db.execute(query)).first()
        return _challenge(row) if row else None

    async def add(self, tenant_id: TenantId, challenge: OtpChallenge) -> None:
        values = {"tenant_id": tenant_id, **_challenge_values(challenge)}
        await insert_or_conflict(
            self._db, otp_challenges.insert().values(**values), "This email has a challenge."
        )

    async def update(self, tenant_id: TenantId, challenge: OtpChallenge) -> None:
        await self._db.execute(
            otp_challenges.update()
            .where(
                otp_challenges.c.tenant_id == tenant_id,
                otp_challenges.c.email == challenge.email,
            )
            .values(**_challenge_values(challenge))
        )

    async def delete(self, tenant_id: TenantId, email: str) -> None:
        await self._db.execute(
            otp_challenges.delete().where(
                otp_challenges.c.tenant_id == tenant_id, otp_challenges.c.email == email
            )
        )

    async def delete_spent(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        # No index serves the OR; the table only holds the codes asked for since the
        # last purge, and its key leads with the tenant.
        spent = (
            sa.select(otp_challenges.c.email)
            .where(
                otp_challenges.c.tenant_id == tenant_id,
                sa.or_(otp_challenges.c.expires_at <= now, otp_challenges.c.used_at.is_not(None)),
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await delete_picked(self._db, otp_challenges, tenant_id, spent)


class SqlEmailConfirmationRepository:
    """An EmailConfirmationRepository on the ``email_confirmations`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, confirmation: EmailConfirmation) -> None:
        await self._db.execute(
            email_confirmations.insert().values(
                tenant_id=tenant_id,
                token_hash=confirmation.token_hash,
                user_id=confirmation.user_id,
                email=confirmation.email,
                password_hash=confirmation.password_hash,
                created_at=confirmation.created_at,
                expires_at=confirmation.expires_at,
            )
        )

    async def get_for_update(
        self, tenant_id: TenantId, token_hash: str
    ) -> EmailConfirmation | None:
        query = (
            email_confirmations.select()
            .where(
                email_confirmations.c.tenant_id == tenant_id,
                email_confirmations.c.token_hash == token_hash,
            )
            .with_for_update()
        )
        row = (await self._db.execute(query)).first()
        if row is None:
            return None
        return EmailConfirmation(
            token_hash=row.token_hash,
            user_id=UserId(row.user_id),
            email=row.email,
            password_hash=row.password_hash,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    async def delete(self, tenant_id: TenantId, token_hash: str) -> None:
        await self._db.execute(
            email_confirmations.delete().where(
                email_confirmations.c.tenant_id == tenant_id,
                email_confirmations.c.token_hash == token_hash,
            )
        )

    async def delete_of_user(self, tenant_id: TenantId, user_id: UserId) -> None:
        await self._db.execute(
            email_confirmations.delete().where(
                email_confirmations.c.tenant_id == tenant_id,
                email_confirmations.c.user_id == user_id,
            )
        )

    async def delete_expired(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        expired = (
            sa.select(email_confirmations.c.token_hash)
            .where(
                email_confirmations.c.tenant_id == tenant_id,
                email_confirmations.c.expires_at <= now,
            )
            .order_by(email_confirmations.c.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await delete_picked(self._db, email_confirmations, tenant_id, expired)


class SqlAuthThrottleRepository:
    """An AuthThrottleRepository on the ``auth_throttles`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def get_for_update(
        self, tenant_id: TenantId, scope: ThrottleScope, subject: str
    ) -> AuthThrottle | None:
        query = (
            auth_throttles.select()
            .where(
                auth_throttles.c.tenant_id == tenant_id,
                auth_throttles.c.subject == subject,
                auth_throttles.c.scope == scope,
            )
            .with_for_update()
        )
        row = (await self._db.execute(query)).first()
        if row is None:
            return None
        return AuthThrottle(
            scope=row.scope,
            subject=row.subject,
            count=row._mapping["count"],  # row.count is the tuple method
            window_started_at=row.window_started_at,
            last_at=row.last_at,
        )

    async def add(self, tenant_id: TenantId, throttle: AuthThrottle) -> None:
        values = {"tenant_id": tenant_id, "scope": throttle.scope, "subject": throttle.subject}
        await insert_or_conflict(
            self._db,
            auth_throttles.insert().values(**values, **_throttle_counts(throttle)),
            "This throttle exists.",
        )

    async def update(self, tenant_id: TenantId, throttle: AuthThrottle) -> None:
        await self._db.execute(
            auth_throttles.update()
            .where(
                auth_throttles.c.tenant_id == tenant_id,
                auth_throttles.c.subject == throttle.subject,
                auth_throttles.c.scope == throttle.scope,
            )
            .values(**_throttle_counts(throttle))
        )

    async def delete_of_subject(self, tenant_id: TenantId, subject: str) -> None:
        await self._db.execute(
            auth_throttles.delete().where(
                auth_throttles.c.tenant_id == tenant_id, auth_throttles.c.subject == subject
            )
        )

    async def delete_idle(self, tenant_id: TenantId, last_before: datetime, limit: int) -> int:
        idle = (
            sa.select(auth_throttles.c.subject, auth_throttles.c.scope)
            .where(auth_throttles.c.tenant_id == tenant_id, auth_throttles.c.last_at < last_before)
            .order_by(auth_throttles.c.last_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await delete_picked(self._db, auth_throttles, tenant_id, idle)


def _challenge_values(challenge: OtpChallenge) -> dict[str, Any]:
    return {
        "email": challenge.email,
        "code_hash": challenge.code_hash,
        "issued_at": challenge.issued_at,
        "expires_at": challenge.expires_at,
        "attempts": challenge.attempts,
        "used_at": challenge.used_at,
    }


def _challenge(row: sa.Row[Any]) -> OtpChallenge:
    return OtpChallenge(
        email=row.email,
        code_hash=row.code_hash,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        attempts=row.attempts,
        used_at=row.used_at,
    )


def _throttle_counts(throttle: AuthThrottle) -> dict[str, Any]:
    return {
        "count": throttle.count,
        "window_started_at": throttle.window_started_at,
        "last_at": throttle.last_at,
    }
