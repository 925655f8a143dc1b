"""Identity's repositories kept in memory. Rows are keyed by tenant first, so a
lookup with another tenant's id finds nothing. "For update" needs no lock here: the
unit of work already runs alone."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import TypeVar

import msgspec

from adapters.memory.tables import Table, Tables
from chatcore.errors import Conflict
from chatcore.identity.model import (
    AuthThrottle,
    EmailConfirmation,
    OtpChallenge,
    Session,
    SessionId,
    ThrottleScope,
    User,
)
from chatcore.identity.principal import PrincipalKind
from chatcore.kernel import TenantId, UserId

_Key = TypeVar("_Key")
_Row = TypeVar("_Row")

USERS: Table[tuple[TenantId, UserId], User] = Table("users")
SESSIONS: Table[tuple[TenantId, SessionId], Session] = Table("sessions")
OTP_CHALLENGES: Table[tuple[TenantId, str], OtpChallenge] = Table("otp_challenges")
EMAIL_CONFIRMATIONS: Table[tuple[TenantId, str], EmailConfirmation] = Table("email_confirmations")
AUTH_THROTTLES: Table[tuple[TenantId, ThrottleScope, str], AuthThrottle] = Table("auth_throttles")


class MemoryUserRepository:
    """A UserRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[USERS]
        self._links = tables[EMAIL_CONFIRMATIONS]

    async def add(self, tenant_id: TenantId, user: User) -> None:
        taken = any(
            key[1] == user.id or (key[0] == tenant_id and row.email == user.email)
            for key, row in self._rows.items()
        )
        if taken:
            raise Conflict("An account with this email exists.")
        self._rows[tenant_id, user.id] = user

    async def get(self, tenant_id: TenantId, user_id: UserId) -> User | None:
        return self._rows.get((tenant_id, user_id))

    async def get_by_email(self, tenant_id: TenantId, email: str) -> User | None:
        return next(
            (u for (t, _), u in self._rows.items() if t == tenant_id and u.email == email), None
        )

    async def update(self, tenant_id: TenantId, user: User) -> None:
        if (tenant_id, user.id) in self._rows:
            self._rows[tenant_id, user.id] = user

    async def delete(self, tenant_id: TenantId, user_id: UserId) -> None:
        self._rows.pop((tenant_id, user_id), None)

    async def lapsed_sign_ups(
        self, tenant_id: TenantId, created_before: datetime, now: datetime, limit: int
    ) -> list[UserId]:
        linked = {
            link.user_id
            for (t, _), link in self._links.items()
            if t == tenant_id and now < link.expires_at
        }
        lapsed = (
            user.id
            for (t, _), user in self._rows.items()
            if t == tenant_id
            and user.email_confirmed_at is None
            and user.password_hash is not None
            and user.created_at < created_before
            and user.id not in linked
        )
        return list(itertools.islice(lapsed, limit))


class MemorySessionRepository:
    """A SessionRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[SESSIONS]

    async def add(self, tenant_id: TenantId, session: Session) -> None:
        self._rows[tenant_id, session.id] = session

    async def get(self, tenant_id: TenantId, session_id: SessionId) -> Session | None:
        return self._rows.get((tenant_id, session_id))

    async def touch(self, tenant_id: TenantId, session_id: SessionId, seen_at: datetime) -> None:
        session = self._rows.get((tenant_id, session_id))
        if session is not None:
            self._rows[tenant_id, session_id] = msgspec.structs.replace(
                session, last_seen_at=seen_at
            )

    async def delete(self, tenant_id: TenantId, session_id: SessionId) -> None:
        self._rows.pop((tenant_id, session_id), None)

    async def delete_of_principal(self, tenant_id: TenantId, principal_id: uuid.UUID) -> None:
        for key, session in list(self._rows.items()):
            if key[0] == tenant_id and session.principal_id == principal_id:
                del self._rows[key]

    async def delete_expired_of_users(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        expired = self._expired(tenant_id, now, "user")
        return _delete(self._rows, [(tenant_id, s) for s in itertools.islice(expired, limit)])

    async def expired_anonymous(
        self, tenant_id: TenantId, now: datetime, limit: int
    ) -> list[SessionId]:
        return list(itertools.islice(self._expired(tenant_id, now, "anonymous"), limit))

    def _expired(
        self, tenant_id: TenantId, now: datetime, kind: PrincipalKind
    ) -> Iterator[SessionId]:
        return (
            session.id
            for (t, _), session in self._rows.items()
            if t == tenant_id and session.kind == kind and not session.is_live(now)
        )


class MemoryOtpChallengeRepository:
    """An OtpChallengeRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[OTP_CHALLENGES]

    async def get_for_update(self, tenant_id: TenantId, email: str) -> OtpChallenge | None:
        return self._rows.get((tenant_id, email))

    async def add(self, tenant_id: TenantId, challenge: OtpChallenge) -> None:
        if (tenant_id, challenge.email) in self._rows:
            raise Conflict("This email has a challenge.")
        self._rows[tenant_id, challenge.email] = challenge

    async def update(self, tenant_id: TenantId, challenge: OtpChallenge) -> None:
        if (tenant_id, challenge.email) in self._rows:
            self._rows[tenant_id, challenge.email] = challenge

    async def delete(self, tenant_id: TenantId, email: str) -> None:
        self._rows.pop((tenant_id, email), None)

    async def delete_spent(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        spent = (
            key
            for key, challenge in self._rows.items()
            if key[0] == tenant_id
            and (challenge.used_at is not None or now >= challenge.expires_at)
        )
        return _delete(self._rows, list(itertools.islice(spent, limit)))


class MemoryEmailConfirmationRepository:
    """An EmailConfirmationRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[EMAIL_CONFIRMATIONS]

    async def add(self, tenant_id: TenantId, confirmation: EmailConfirmation) -> None:
        self._rows[tenant_id, confirmation.token_hash] = confirmation

    async def get_for_update(
        self, tenant_id: TenantId, token_hash: str
    ) -> EmailConfirmation | None:
        return self._rows.get((tenant_id, token_hash))

    async def delete(self, tenant_id: TenantId, token_hash: str) -> None:
        self._rows.pop((tenant_id, token_hash), None)

    async def delete_of_user(self, tenant_id: TenantId, user_id: UserId) -> None:
        for key, confirmation in list(self._rows.items()):
            if key[0] == tenant_id and confirmation.user_id == user_id:
                del self._rows[key]

    async def delete_expired(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        expired = (
            key
            for key, link in self._rows.items()
            if key[0] == tenant_id and now >= link.expires_at
        )
        return _delete(self._rows, list(itertools.islice(expired, limit)))


class MemoryAuthThrottleRepository:
    """An AuthThrottleRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[AUTH_THROTTLES]

    async def get_for_update(
        self, tenant_id: TenantId, scope: ThrottleScope, subject: str
    ) -> AuthThrottle | None:
        return self._rows.get((tenant_id, scope, subject))

    async def add(self, tenant_id: TenantId, throttle: AuthThrottle) -> None:
        key = (tenant_id, throttle.scope, throttle.subject)
        if key in self._rows:
            raise Conflict("This throttle exists.")
        self._rows[key] = throttle

    async def update(self, tenant_id: TenantId, throttle: AuthThrottle) -> None:
        key = (tenant_id, throttle.scope, throttle.subject)
        if key in self._rows:
            self._rows[key] = throttle

    async def delete_of_subject(self, tenant_id: TenantId, subject: str) -> None:
        for key in [k for k in self._rows if k[0] == tenant_id and k[2] == subject]:
            del self._rows[key]

    async def delete_idle(self, tenant_id: TenantId, last_before: datetime, limit: int) -> int:
        idle = (
            key
            for key, throttle in self._rows.items()
            if key[0] == tenant_id and throttle.last_at < last_before
        )
        return _delete(self._rows, list(itertools.islice(idle, limit)))


def _delete(rows: dict[_Key, _Row], keys: list[_Key]) -> int:
    for key in keys:
        del rows[key]
    return len(keys)
