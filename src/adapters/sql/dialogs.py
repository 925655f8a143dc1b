"""Dialogs and messages in SQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import dialogs, messages
from chatcore.dialogs.model import Dialog, Message, MessageId
from chatcore.kernel import DialogId, TenantId
from chatcore.pagination import Page, PageRequest, Position, page_of

# The statements of every chat and of the dialog list: built once, with their values
# as parameters, so SQLAlchemy finds them in its cache without walking new ones.
_OWNER = (
    dialogs.c.tenant_id == sa.bindparam("tenant"),
    dialogs.c.owner_id == sa.bindparam("owner"),
)
_DIALOG = dialogs.select().where(*_OWNER, dialogs.c.id == sa.bindparam("dialog"))
_TOUCH = (
    dialogs.update()
    .where(*_OWNER, dialogs.c.id == sa.bindparam("dialog"))
    .values(updated_at=sa.bindparam("at", type_=dialogs.c.updated_at.type))
)
_NEWEST = (
    dialogs.select()
    .where(*_OWNER)
    .order_by(dialogs.c.created_at.desc(), dialogs.c.id.desc())
    .limit(sa.bindparam("limit", type_=sa.Integer))
)
_NEWEST_BEFORE = _NEWEST.where(
    sa.tuple_(dialogs.c.created_at, dialogs.c.id)
    < sa.tuple_(
        sa.bindparam("at", type_=dialogs.c.created_at.type),
        sa.bindparam("id", type_=dialogs.c.id.type),
    )
)


class SqlDialogRepository:
    """A DialogRepository on the ``dialogs`` table (messages follow by cascade)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, dialog: Dialog) -> None:
        _check_tenant(tenant_id, dialog.tenant_id)
        # Values as parameters, not in the statement: its cache key is then not rebuilt.
        await self._db.execute(
            dialogs.insert(),
            {
                "id": dialog.id,
                "tenant_id": tenant_id,
                "owner_id": dialog.owner_id,
                "title": dialog.title,
                "created_at": dialog.created_at,
                "updated_at": dialog.updated_at,
            },
        )

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId
    ) -> Dialog | None:
        key = {"tenant": tenant_id, "owner": owner_id, "dialog": dialog_id}
        row = (await self._db.execute(_DIALOG, key)).first()
        return _dialog(row) if row else None

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Dialog]:
        values: dict[str, Any] = {"tenant": tenant_id, "owner": owner_id, "limit": page.limit + 1}
        query = _NEWEST
        if page.after is not None:
            query = _NEWEST_BEFORE
            values.update(at=page.after.at, id=page.after.id)
        rows = (await self._db.execute(query, values)).all()
        return page_of(
            [_dialog(r) for r in rows], page.limit, lambda d: Position(d.created_at, d.id)
        )

    async def rename(
        self,
        tenant_id: TenantId,
        owner_id: uuid.UUID,
        dialog_id: DialogId,
        title: str,
        at: datetime,
    ) -> bool:
        return await self._update(tenant_id, owner_id, dialog_id, title=title, updated_at=at)

    async def touch(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId, at: datetime
    ) -> bool:
        key = {"tenant": tenant_id, "owner": owner_id, "dialog": dialog_id, "at": at}
        return (await self._db.execute(_TOUCH, key)).rowcount > 0

    async def delete(self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId) -> bool:
        result = await self._db.execute(
            dialogs.delete().where(_owned(tenant_id, owner_id), dialogs.c.id == dialog_id)
        )
        return result.rowcount > 0

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        await self._db.execute(dialogs.delete().where(_owned(tenant_id, owner_id)))

    async def _update(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId, **values: Any
    ) -> bool:
        result = await self._db.execute(
            dialogs.update()
            .where(_owned(tenant_id, owner_id), dialogs.c.id == dialog_id)
            .values(**values)
        )
        return result.rowcount > 0


class SqlMessageRepository:
    """A MessageRepository on the ``messages`` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, tenant_id: TenantId, message: Message) -> None:
        _check_tenant(tenant_id, message.tenant_id)
        await self._db.execute(
            messages.insert(),
            {
                "id": message.id,
                "tenant_id": tenant_id,
                "dialog_id": message.dialog_id,
                "owner_id": message.owner_id,
                "role": message.role,
                "content": message.content,
                "created_at": message.created_at,
                "finish_reason": message.finish_reason,
                "prompt_tokens": message.prompt_tokens,
                "completion_tokens": message.completion_tokens,
                "model": message.model,
            },
        )

    async def of_dialog(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId
    ) -> list[Message]:
        query = (
            messages.select()
            .where(*_of_dialog(tenant_id, owner_id, dialog_id))
            .order_by(messages.c.created_at, messages.c.id)
        )
        return [_message(r) for r in (await self._db.execute(query)).all()]

    async def recent(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId, limit: int
    ) -> list[Message]:
        query = (
            messages.select()
            .where(*_of_dialog(tenant_id, owner_id, dialog_id))
            .order_by(messages.c.created_at.desc(), messages.c.id.desc())
            .limit(limit)
        )
        rows = (await self._db.execute(query)).all()
        return [_message(r) for r in reversed(rows)]


def _owned(tenant_id: TenantId, owner_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return sa.and_(dialogs.c.tenant_id == tenant_id, dialogs.c.owner_id == owner_id)


def _of_dialog(
    tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId
) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        messages.c.dialog_id == dialog_id,
        messages.c.tenant_id == tenant_id,
        messages.c.owner_id == owner_id,
    )


def _dialog(row: sa.Row[Any]) -> Dialog:
    return Dialog(
        id=DialogId(row.id),
        tenant_id=TenantId(row.tenant_id),
        owner_id=row.owner_id,
        title=row.title,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _message(row: sa.Row[Any]) -> Message:
    return Message(
        id=MessageId(row.id),
        tenant_id=TenantId(row.tenant_id),
        dialog_id=DialogId(row.dialog_id),
        owner_id=row.owner_id,
        role=row.role,
        content=row.content,
        created_at=row.created_at,
        finish_reason=row.finish_reason,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        model=row.model,
    )


def _check_tenant(tenant_id: TenantId, row_tenant_id: TenantId) -> None:
    if row_tenant_id != tenant_id:
        raise ValueError("a row of another tenant")
