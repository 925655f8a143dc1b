"""Users and sessions in SQL. Every statement filters on ``tenant_id`` as well as the
key, so another tenant's id finds nothing and changes nothing.

Purges pick their rows ``FOR UPDATE SKIP LOCKED`` (nothing on SQLite, whose writers
take turns), so purges running at once in several processes share the work instead
of waiting on each other or on a request that holds a row."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.conflict import insert_or_conflict
from adapters.sql.tables import email_confirmations, sessions, users
from chatcore.identity.model import Session, SessionId, User
from chatcore.identity.principal import PrincipalKind
from chatcore.kernel import TenantId, UserId

# Read on every authenticated request: built once, with its values as parameters, so
# SQLAlchemy finds it in its cache without walking a new statement each time.
_SESSION = sessions.select().where(
    sessions.c.tenant_id == sa.bindparam("tenant"), sessions.c.id == sa.bindparam("id")
)


async def delete_picked(
    db: AsyncConnection, table: sa.Table, tenant_id: TenantId, picked: sa.Select[Any]
) -> int:
    """Delete this tenant's rows whose keys ``picked`` selects (a bounded batch, locked);
    returns how many went. The keys are read first: as a subquery of the DELETE,
    Postgres may run the pick again for each row and delete past its LIMIT."""
    keys = [tuple(row) for row in await db.execute(picked)]
    if not keys:
        return 0
    key = sa.tuple_(*picked.selected_columns)
    result = await db.execute(table.delete().where(table.c.tenant_id == tenant_id, key.in_(keys)))
    return result.rowcount


class SqlUserRepository:
    """A UserRepository on the ``users`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, user: User) -> None:
        row = _user_row(tenant_id, user)
        await insert_or_conflict(
            self._db, users.insert().values(**row), "An account with this email exists."
        )

    async def get(self, tenant_id: TenantId, user_id: UserId) -> User | None:
        query = users.select().where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        row = (await self._db.execute(query)).first()
        return _user(row) if row else None

    async def get_by_email(self, tenant_id: TenantId, email: str) -> User | None:
        query = users.select().where(users.c.tenant_id == tenant_id, users.c.email == email)
        row = (await self._db.execute(query)).first()
        return _user(row) if row else None

    async def update(self, tenant_id: TenantId, user: User) -> None:
        await self._db.execute(
            users.update()
            .where(users.c.tenant_id == tenant_id, users.c.id == user.id)
            .values(
                password_hash=user.password_hash,
                email_confirmed_at=user.email_confirmed_at,
                display_name=user.display_name,
            )
        )

    async def delete(self, tenant_id: TenantId, user_id: UserId) -> None:
        await self._db.execute(
            users.delete().where(users.c.tenant_id == tenant_id, users.c.id == user_id)
        )

    async def lapsed_sign_ups(
        self, tenant_id: TenantId, created_before: datetime, now: datetime, limit: int
    ) -> list[UserId]:
        live_link = sa.select(email_confirmations.c.token_hash).where(
            email_confirmations.c.tenant_id == tenant_id,
            email_confirmations.c.user_id == users.c.id,
            email_confirmations.c.expires_at > now,
        )
        query = (
            sa.select(users.c.id)
            .where(
                users.c.tenant_id == tenant_id,
                users.c.email_confirmed_at.is_(None),
                users.c.password_hash.is_not(None),
                users.c.created_at < created_before,
                ~sa.exists(live_link),
            )
            .order_by(users.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [UserId(row.id) for row in await self._db.execute(query)]


class SqlSessionRepository:
    """A SessionRepository on the ``sessions`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, session: Session) -> None:
        await self._db.execute(sessions.insert().values(**_session_row(tenant_id, session)))

    async def get(self, tenant_id: TenantId, session_id: SessionId) -> Session | None:
        row = (await self._db.execute(_SESSION, {"tenant": tenant_id, "id": session_id})).first()
        return _session(row) if row else None

    async def touch(self, tenant_id: TenantId, session_id: SessionId, seen_at: datetime) -> None:
        await self._db.execute(
            sessions.update()
            .where(sessions.c.tenant_id == tenant_id, sessions.c.id == session_id)
            .values(last_seen_at=seen_at)
        )

    async def delete(self, tenant_id: TenantId, session_id: SessionId) -> None:
        await self._db.execute(
            sessions.delete().where(sessions.c.tenant_id == tenant_id, sessions.c.id == session_id)
        )

    async def delete_of_principal(self, tenant_id: TenantId, principal_id: uuid.UUID) -> None:
        await self._db.execute(
            sessions.delete().where(
                sessions.c.tenant_id == tenant_id, sessions.c.principal_id == principal_id
            )
        )

    async def delete_expired_of_users(self, tenant_id: TenantId, now: datetime, limit: int) -> int:
        expired = _expired_sessions(tenant_id, now, "user", limit)
        return await delete_picked(self._db, sessions, tenant_id, expired)

    async def expired_anonymous(
        self, tenant_id: TenantId, now: datetime, limit: int
    ) -> list[SessionId]:
        query = _expired_sessions(tenant_id, now, "anonymous", limit)
        return [SessionId(row.id) for row in await self._db.execute(query)]


def _expired_sessions(
    tenant_id: TenantId, now: datetime, kind: PrincipalKind, limit: int
) -> sa.Select[tuple[uuid.UUID]]:
    return (
        sa.select(sessions.c.id)
        .where(
            sessions.c.tenant_id == tenant_id,
            sessions.c.expires_at <= now,
            sessions.c.kind == kind,
        )
        .order_by(sessions.c.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def _user_row(tenant_id: TenantId, user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "tenant_id": tenant_id,
        "email": user.email,
        "password_hash": user.password_hash,
        "email_confirmed_at": user.email_confirmed_at,
        "display_name": user.display_name,
        "created_at": user.created_at,
    }


def _user(row: sa.Row[Any]) -> User:
    return User(
        id=UserId(row.id),
        tenant_id=TenantId(row.tenant_id),
        email=row.email,
        password_hash=row.password_hash,
        email_confirmed_at=row.email_confirmed_at,
        display_name=row.display_name,
        created_at=row.created_at,
    )


def _session_row(tenant_id: TenantId, session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "tenant_id": tenant_id,
        "principal_id": session.principal_id,
        "kind": session.kind,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
        "last_seen_at": session.last_seen_at,
        "user_agent": session.user_agent,
    }


def _session(row: sa.Row[Any]) -> Session:
    return Session(
        id=SessionId(row.id),
        tenant_id=TenantId(row.tenant_id),
        principal_id=row.principal_id,
        kind=row.kind,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_seen_at=row.last_seen_at,
        user_agent=row.user_agent,
    )
