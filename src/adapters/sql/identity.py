"""Users and sessions in SQL. Every statement filters on ``tenant_id`` as well as the
key, so another tenant's id finds nothing and changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import sessions, users
from chatcore.errors import Conflict
from chatcore.identity.model import Session, SessionId, User, UserId
from chatcore.tenants.model import TenantId


async def insert_or_conflict(db: AsyncConnection, statement: sa.Insert, message: str) -> None:
    """Run an insert in a savepoint; a duplicate key is a Conflict and the
    transaction goes on."""
    try:
        async with db.begin_nested():
            await db.execute(statement)
    except sa_exc.IntegrityError as exc:
        raise Conflict(message) from exc


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


class SqlSessionRepository:
    """A SessionRepository on the ``sessions`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, session: Session) -> None:
        await self._db.execute(sessions.insert().values(**_session_row(tenant_id, session)))

    async def get(self, tenant_id: TenantId, session_id: SessionId) -> Session | None:
        query = sessions.select().where(
            sessions.c.tenant_id == tenant_id, sessions.c.id == session_id
        )
        row = (await self._db.execute(query)).first()
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
