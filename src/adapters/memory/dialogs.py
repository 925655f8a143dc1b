"""Dialogs and messages kept in memory."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from adapters.memory.tables import Table, Tables
from chatcore.dialogs.model import Dialog, Message, MessageId
from chatcore.kernel import DialogId, TenantId
from chatcore.pagination import Page, PageRequest, Position, page_of

DIALOGS: Table[DialogId, Dialog] = Table("dialogs")
MESSAGES: Table[MessageId, Message] = Table("messages")


class MemoryDialogRepository:
    """A DialogRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._rows = tables[DIALOGS]

    async def add(self, tenant_id: TenantId, dialog: Dialog) -> None:
        _check_tenant(tenant_id, dialog.tenant_id)
        self._rows[dialog.id] = dialog

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId
    ) -> Dialog | None:
        dialog = self._rows.get(dialog_id)
        if dialog is None or (dialog.tenant_id, dialog.owner_id) != (tenant_id, owner_id):
            return None
        return dialog

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[Dialog]:
        rows = sorted(
            (d for d in self._rows.values() if d.tenant_id == tenant_id and d.owner_id == owner_id),
            key=_position,
            reverse=True,
        )
        if page.after is not None:
            after = (page.after.at, page.after.id)
            rows = [d for d in rows if _position(d) < after]
        return page_of(rows[: page.limit + 1], page.limit, lambda d: Position(*_position(d)))

    async def rename(
        self,
        tenant_id: TenantId,
        owner_id: uuid.UUID,
        dialog_id: DialogId,
        title: str,
        at: datetime,
    ) -> bool:
        dialog = await self.get(tenant_id, owner_id, dialog_id)
        if dialog is None:
            return False
        self._rows[dialog_id] = msgspec.structs.replace(dialog, title=title, updated_at=at)
        return True

    async def touch(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId, at: datetime
    ) -> bool:
        dialog = await self.get(tenant_id, owner_id, dialog_id)
        if dialog is None:
            return False
        self._rows[dialog_id] = msgspec.structs.replace(dialog, updated_at=at)
        return True

    async def delete(self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId) -> bool:
        if await self.get(tenant_id, owner_id, dialog_id) is None:
            return False
        self._delete({dialog_id})
        return True

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        self._delete(
            {
                d.id
                for d in self._rows.values()
                if d.tenant_id == tenant_id and d.owner_id == owner_id
            }
        )

    def _delete(self, dialog_ids: set[DialogId]) -> None:
        # Messages go with their dialog, as ON DELETE CASCADE does in SQL.
        messages = self._tables[MESSAGES]
        for message_id in [m.id for m in messages.values() if m.dialog_id in dialog_ids]:
            del messages[message_id]
        for dialog_id in dialog_ids:
            del self._rows[dialog_id]


class MemoryMessageRepository:
    """A MessageRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._rows = tables[MESSAGES]

    async def add(self, tenant_id: TenantId, message: Message) -> None:
        _check_tenant(tenant_id, message.tenant_id)
        self._rows[message.id] = message

    async def of_dialog(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId
    ) -> list[Message]:
        return sorted(
            (
                m
                for m in self._rows.values()
                if (m.tenant_id, m.owner_id, m.dialog_id) == (tenant_id, owner_id, dialog_id)
            ),
            key=lambda m: (m.created_at, m.id),
        )

    async def recent(
        self, tenant_id: TenantId, owner_id: uuid.UUID, dialog_id: DialogId, limit: int
    ) -> list[Message]:
        messages = await self.of_dialog(tenant_id, owner_id, dialog_id)
        return messages[max(0, len(messages) - limit) :]


def _position(dialog: Dialog) -> tuple[datetime, uuid.UUID]:
    return (dialog.created_at, dialog.id)


def _check_tenant(tenant_id: TenantId, row_tenant_id: TenantId) -> None:
    if row_tenant_id != tenant_id:
        raise ValueError("a row of another tenant")
