"""Replies outlive their connection: resume one from an offset, stop one, from any
server process sharing the database."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from chatcore.dialogs.buffer import ReplyBuffer
from chatcore.dialogs.events import Meta
from chatcore.dialogs.follow import ending_of, follow_stored
from chatcore.dialogs.live import LiveReplies
from chatcore.dialogs.model import Message, MessageId
from chatcore.dialogs.run import ReplyRun
from chatcore.dialogs.stream import ChatStream
from chatcore.errors import InvalidInput, NotFound
from chatcore.identity.principal import Principal
from chatcore.unit_of_work import UnitOfWorkFactory


class ResumeReply:
    """Listen to one of one's replies from a character offset: the rest of its text so
    far as one delta, then the live deltas and its end, or (finished) its end."""

    def __init__(self, uow: UnitOfWorkFactory, live: LiveReplies) -> None:
        self._uow, self._live = uow, live

    async def __call__(self, principal: Principal, reply_id: MessageId, offset: int) -> ChatStream:
        """The stream from ``offset``; raises NotFound (not the principal's reply) or
        InvalidInput (an offset past the end of a finished reply)."""
        if offset < 0:
            raise InvalidInput("offset", "must not be negative")
        run = self._live.get(reply_id)
        if run is not None and _owns(principal, run):
            if offset > run.buffer.length:
                raise InvalidInput("offset", "beyond the reply's text")
            return run.listen(offset)
        async with self._uow(read_only=True) as uow:
            reply = await uow.replies.get(principal.tenant_id, principal.id, reply_id)
            if reply is None:
                raise NotFound("No such reply.")
            turns = await uow.messages.of_dialog(principal.tenant_id, principal.id, reply.dialog_id)
        meta = Meta(
            dialog_id=reply.dialog_id,
            user_message_id=_question_of(reply, turns),
            assistant_message_id=reply.id,
        )
        buffer = ReplyBuffer(reply.content)
        if reply.finish_reason is not None:
            if offset > buffer.length:
                raise InvalidInput("offset", "beyond the reply's text")
            buffer.end(ending_of(reply))
            return ChatStream(meta, buffer, offset, stop=_nothing, leave=_left)
        # Written by another process: followed through what it stores.
        follower = asyncio.create_task(
            follow_stored(self._uow, buffer, principal.tenant_id, principal.id, reply_id)
        )

        async def leave() -> None:
            follower.cancel()
            with contextlib.suppress(BaseException):
                await follower

        return ChatStream(meta, buffer, offset, stop=_nothing, leave=leave)


class StopReply:
    """Stop one of one's replies for every listener; a finished one stays as it is."""

    def __init__(self, uow: UnitOfWorkFactory, live: LiveReplies) -> None:
        self._uow, self._live = uow, live

    async def __call__(self, principal: Principal, reply_id: MessageId) -> None:
        """Ask the reply's run to stop; raises NotFound (not the principal's reply)."""
        run = self._live.get(reply_id)
        if run is not None and _owns(principal, run):
            run.stop()
            return
        tenant_id, owner_id = principal.tenant_id, principal.id
        async with self._uow() as uow:
            # Written by another process, which reads the request within its next beat.
            asked = await uow.replies.request_stop(tenant_id, owner_id, reply_id)
            if not asked and await uow.replies.get(tenant_id, owner_id, reply_id) is None:
                raise NotFound("No such reply.")
            await uow.commit()


def _owns(principal: Principal, run: ReplyRun) -> bool:
    owner = run.draft.principal
    return (owner.tenant_id, owner.id) == (principal.tenant_id, principal.id)


def _question_of(reply: Message, turns: list[Message]) -> MessageId:
    """The question a reply answers: the last user turn before it."""
    asked = [
        t for t in turns if t.role == "user" and (t.created_at, t.id) < (reply.created_at, reply.id)
    ]
    return asked[-1].id if asked else MessageId(uuid.UUID(int=0))


def _nothing() -> None:
    """A finished or remote reply has no run here to stop."""


async def _left() -> None:
    """A replay holds nothing to release."""
