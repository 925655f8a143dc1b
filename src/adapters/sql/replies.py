"""Assistant replies stored as they grow, on the ``messages`` table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.dialogs import message_of
from adapters.sql.tables import messages
from chatcore.dialogs.model import Message, MessageId
from chatcore.dialogs.ports import AbandonedReply
from chatcore.kernel import TenantId

_IN_PROGRESS = (
    messages.c.id == sa.bindparam("reply"),
    messages.c.tenant_id == sa.bindparam("tenant"),
    messages.c.beat_at.is_not(None),  # in progress: finishing clears the beat
)
# Built once with their values as parameters: the flush of every reply in progress
# runs GROW each second, and SQLAlchemy finds it in its cache.
_GROW = (
    messages.update()
    .where(*_IN_PROGRESS)
    .values(
        content=sa.bindparam("content", type_=messages.c.content.type),
        prompt_tokens=sa.bindparam("prompt_tokens", type_=messages.c.prompt_tokens.type),
        beat_at=sa.bindparam("at", type_=messages.c.beat_at.type),
    )
    .returning(messages.c.stop_requested)
)
_STOP = (
    messages.update()
    .where(*_IN_PROGRESS, messages.c.owner_id == sa.bindparam("owner"))
    .values(stop_requested=True)
)
_FINISH = (
    messages.update()
    .where(*_IN_PROGRESS)
    .values(
        content=sa.bindparam("content", type_=messages.c.content.type),
        finish_reason=sa.bindparam("finish_reason", type_=messages.c.finish_reason.type),
        prompt_tokens=sa.bindparam("prompt_tokens", type_=messages.c.prompt_tokens.type),
        completion_tokens=sa.bindparam(
            "completion_tokens", type_=messages.c.completion_tokens.type
        ),
        model=sa.bindparam("model", type_=messages.c.model.type),
        beat_at=None,
        reservation_id=None,
        stop_requested=False,
    )
)
_REPLY = messages.select().where(
    messages.c.id == sa.bindparam("reply"),
    messages.c.tenant_id == sa.bindparam("tenant"),
    messages.c.owner_id == sa.bindparam("owner"),
    messages.c.role == "assistant",
)


class SqlReplyRepository:
    """A ReplyRepository on the ``messages`` table (``beat_at`` is the heartbeat)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def begin(
        self, tenant_id: TenantId, reply: Message, reservation_id: uuid.UUID | None
    ) -> None:
        if reply.tenant_id != tenant_id:
            raise ValueError("a row of another tenant")
        await self._db.execute(
            messages.insert(),
            {
                "id": reply.id,
                "tenant_id": tenant_id,
                "dialog_id": reply.dialog_id,
                "owner_id": reply.owner_id,
                "role": "assistant",
                "content": reply.content,
                "created_at": reply.created_at,
                "finish_reason": None,
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "model": reply.model,
                "beat_at": reply.created_at,
                "reservation_id": reservation_id,
            },
        )

    async def grow(
        self,
        tenant_id: TenantId,
        reply_id: MessageId,
        content: str,
        prompt_tokens: int,
        at: datetime,
    ) -> bool:
        values = {"reply": reply_id, "tenant": tenant_id, "content": content, "at": at}
        result = await self._db.execute(_GROW, {**values, "prompt_tokens": prompt_tokens})
        return bool(result.scalar_one_or_none())

    async def request_stop(
        self, tenant_id: TenantId, owner_id: uuid.UUID, reply_id: MessageId
    ) -> bool:
        key = {"reply": reply_id, "tenant": tenant_id, "owner": owner_id}
        return (await self._db.execute(_STOP, key)).rowcount > 0

    async def finish(self, tenant_id: TenantId, reply: Message) -> bool:
        result = await self._db.execute(
            _FINISH,
            {
                "reply": reply.id,
                "tenant": tenant_id,
                "content": reply.content,
                "finish_reason": reply.finish_reason,
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "model": reply.model,
            },
        )
        return result.rowcount > 0

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, reply_id: MessageId
    ) -> Message | None:
        key = {"reply": reply_id, "tenant": tenant_id, "owner": owner_id}
        row = (await self._db.execute(_REPLY, key)).first()
        return message_of(row) if row else None

    async def abandoned(self, beat_before: datetime, limit: int) -> list[AbandonedReply]:
        query = (
            messages.select()
            .where(messages.c.beat_at < beat_before)  # only replies in progress beat
            .order_by(messages.c.beat_at)
            .limit(limit)
        )
        rows = (await self._db.execute(query)).all()
        return [AbandonedReply(reply=message_of(r), reservation_id=r.reservation_id) for r in rows]
