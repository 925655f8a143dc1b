"""Assistant replies stored as they grow, in memory: the messages table, and beside it
the heartbeat and admission hold of each reply in progress."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from adapters.memory.dialogs import MESSAGES
from adapters.memory.tables import Table, Tables
from chatcore.dialogs.model import Message, MessageId
from chatcore.dialogs.ports import AbandonedReply
from chatcore.kernel import TenantId


class InProgress(msgspec.Struct, frozen=True):
    """A reply's last beat, its admission hold, and whether a stop was asked for it,
    while it is in progress."""

    beat_at: datetime
    reservation_id: uuid.UUID | None
    stop_requested: bool = False


IN_PROGRESS: Table[MessageId, InProgress] = Table("replies_in_progress")


class MemoryReplyRepository:
    """A ReplyRepository over in-memory tables."""

    def __init__(self, tables: Tables) -> None:
        self._messages = tables[MESSAGES]
        self._in_progress = tables[IN_PROGRESS]

    async def begin(
        self, tenant_id: TenantId, reply: Message, reservation_id: uuid.UUID | None
    ) -> None:
        if reply.tenant_id != tenant_id:
            raise ValueError("a row of another tenant")
        self._messages[reply.id] = msgspec.structs.replace(
            reply, role="assistant", finish_reason=None
        )
        self._in_progress[reply.id] = InProgress(reply.created_at, reservation_id)

    async def grow(
        self,
        tenant_id: TenantId,
        reply_id: MessageId,
        content: str,
        prompt_tokens: int,
        at: datetime,
    ) -> bool:
        reply = self._unfinished(tenant_id, reply_id)
        if reply is None:
            return False
        self._messages[reply_id] = msgspec.structs.replace(
            reply, content=content, prompt_tokens=prompt_tokens
        )
        state = msgspec.structs.replace(self._in_progress[reply_id], beat_at=at)
        self._in_progress[reply_id] = state
        return state.stop_requested

    async def request_stop(
        self, tenant_id: TenantId, owner_id: uuid.UUID, reply_id: MessageId
    ) -> bool:
        reply = self._unfinished(tenant_id, reply_id)
        if reply is None or reply.owner_id != owner_id:
            return False
        state = self._in_progress[reply_id]
        self._in_progress[reply_id] = msgspec.structs.replace(state, stop_requested=True)
        return True

    async def finish(self, tenant_id: TenantId, reply: Message) -> bool:
        stored = self._unfinished(tenant_id, reply.id)
        if stored is None:
            return False
        self._messages[reply.id] = msgspec.structs.replace(
            stored,
            content=reply.content,
            finish_reason=reply.finish_reason,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            model=reply.model,
        )
        del self._in_progress[reply.id]
        return True

    async def get(
        self, tenant_id: TenantId, owner_id: uuid.UUID, reply_id: MessageId
    ) -> Message | None:
        reply = self._messages.get(reply_id)
        if reply is None or reply.role != "assistant":
            return None
        return reply if (reply.tenant_id, reply.owner_id) == (tenant_id, owner_id) else None

    async def abandoned(self, beat_before: datetime, limit: int) -> list[AbandonedReply]:
        # A reply deleted with its dialog leaves its beat behind: skipped, as a join would.
        stale = sorted(
            (state.beat_at, reply_id)
            for reply_id, state in self._in_progress.items()
            if state.beat_at < beat_before and reply_id in self._messages
        )
        return [
            AbandonedReply(
                reply=self._messages[reply_id],
                reservation_id=self._in_progress[reply_id].reservation_id,
            )
            for _, reply_id in stale[:limit]
        ]

    def _unfinished(self, tenant_id: TenantId, reply_id: MessageId) -> Message | None:
        reply = self._messages.get(reply_id)
        if reply is None or reply.tenant_id != tenant_id or reply_id not in self._in_progress:
            return None
        return reply
