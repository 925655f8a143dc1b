"""Following a reply that another server process writes, through what it stores: the
text is read as it grows (each read adds what lies beyond the text already had) until
the reply is finished, by its run or, had its process died, as ``interrupted``."""

from __future__ import annotations

import asyncio
import uuid

from chatcore.dialogs.buffer import ReplyBuffer
from chatcore.dialogs.events import ChatEvent, Done, Usage
from chatcore.dialogs.model import Message, MessageId
from chatcore.errors import NotFound
from chatcore.kernel import TenantId
from chatcore.unit_of_work import UnitOfWorkFactory

POLL_SECONDS = 0.25


def ending_of(reply: Message) -> list[ChatEvent]:
    """The events that end a stored, finished reply."""
    assert reply.finish_reason is not None
    return [Usage(reply.prompt_tokens, reply.completion_tokens), Done(reply.finish_reason)]


async def follow_stored(
    uow: UnitOfWorkFactory,
    buffer: ReplyBuffer,
    tenant_id: TenantId,
    owner_id: uuid.UUID,
    reply_id: MessageId,
    poll_seconds: float = POLL_SECONDS,
) -> None:
    """Fill ``buffer`` from the stored reply until it is finished (then end it) or gone."""
    while not buffer.ended:
        await asyncio.sleep(poll_seconds)
        async with uow(read_only=True) as tx:
            reply = await tx.replies.get(tenant_id, owner_id, reply_id)
        if reply is None:  # deleted with its dialog
            buffer.end([])
            raise NotFound("No such reply.")
        buffer.append(reply.content[buffer.length :])
        if reply.finish_reason is not None:
            buffer.end(ending_of(reply))
