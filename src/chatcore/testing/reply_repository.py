"""The ReplyRepository contract: a reply stored as it grows, finished once, found by
its owner only, and found abandoned once its process stops beating."""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec

from chatcore.dialogs.model import Dialog, Message
from chatcore.testing.dialog_repository import T0, add_tenants, make_dialog, make_message, store
from chatcore.unit_of_work import UnitOfWorkFactory

SECOND = timedelta(seconds=1)


def in_progress(dialog: Dialog, micros: int = 1) -> Message:
    """A reply of the dialog's owner, just begun: empty, with no finish reason."""
    reply = make_message(dialog, "assistant", "", micros)
    return msgspec.structs.replace(
        reply, finish_reason=None, prompt_tokens=0, completion_tokens=0, model="m-1"
    )


async def begin(uow: UnitOfWorkFactory, reply: Message, hold: uuid.UUID | None = None) -> None:
    """Store ``reply`` as begun, in one committed transaction."""
    async with uow() as tx:
        await tx.replies.begin(reply.tenant_id, reply, hold)
        await tx.commit()


class ReplyRepositoryContract:
    """What every ReplyRepository does.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_a_reply_grows_then_finishes_once_and_reads_back_for_its_owner_only(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        dialog = make_dialog(tenant, uuid.uuid4())
        question = make_message(dialog, "user", "Why?")
        await store(uow, dialog, question)
        reply = in_progress(dialog)
        await begin(uow, reply)
        async with uow() as tx:
            await tx.replies.grow(tenant, reply.id, "Because", 40, T0 + SECOND)
            await tx.replies.grow(tenant, question.id, "not a reply", 1, T0 + SECOND)
            await tx.commit()
        async with uow(read_only=True) as tx:
            grown = await tx.replies.get(tenant, dialog.owner_id, reply.id)
            assert grown == msgspec.structs.replace(reply, content="Because", prompt_tokens=40)
            assert await tx.replies.get(tenant, uuid.uuid4(), reply.id) is None
            assert await tx.replies.get(other_tenant, dialog.owner_id, reply.id) is None
            assert await tx.replies.get(tenant, dialog.owner_id, question.id) is None
            messages = await tx.messages.of_dialog(tenant, dialog.owner_id, dialog.id)
            assert messages == [question, grown]
        ended = msgspec.structs.replace(
            grown,
            content="Because it is.",
            finish_reason="stop",
            prompt_tokens=41,
            completion_tokens=4,
            model="m-2",
        )
        async with uow() as tx:
            assert await tx.replies.finish(tenant, ended)
            assert not await tx.replies.finish(other_tenant, ended)
            await tx.commit()
        async with uow() as tx:
            # Finished is final: later writes of the text, or a second end, change nothing.
            await tx.replies.grow(tenant, reply.id, "Because", 1, T0 + 2 * SECOND)
            assert not await tx.replies.finish(
                tenant, msgspec.structs.replace(ended, finish_reason="interrupted")
            )
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.replies.get(tenant, dialog.owner_id, reply.id) == ended

    async def test_replies_whose_beat_stopped_are_abandoned_oldest_first_until_finished(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        dialogs = [make_dialog(tenant, uuid.uuid4()), make_dialog(other_tenant, uuid.uuid4())]
        await store(uow, *dialogs)
        quiet, beating = in_progress(dialogs[0]), in_progress(dialogs[1])
        hold = uuid.uuid4()
        await begin(uow, quiet, hold)
        await begin(uow, beating)
        async with uow() as tx:
            await tx.replies.grow(other_tenant, beating.id, "alive", 3, T0 + 60 * SECOND)
            await tx.commit()
        async with uow(read_only=True) as tx:
            (found,) = await tx.replies.abandoned(T0 + 30 * SECOND, 10)
            assert (found.reply, found.reservation_id) == (quiet, hold)
            both = await tx.replies.abandoned(T0 + 61 * SECOND, 10)
            assert [a.reply.id for a in both] == [quiet.id, beating.id]
            assert [a.reply.id for a in await tx.replies.abandoned(T0 + 61 * SECOND, 1)] == [
                quiet.id
            ]
        async with uow() as tx:
            ended = msgspec.structs.replace(quiet, finish_reason="interrupted")
            assert await tx.replies.finish(tenant, ended)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert [a.reply.id for a in await tx.replies.abandoned(T0 + 61 * SECOND, 10)] == [
                beating.id
            ]

    async def test_a_reply_deleted_with_its_dialog_is_neither_found_nor_finished(
        self, uow: UnitOfWorkFactory
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        dialog = make_dialog(tenant, uuid.uuid4())
        await store(uow, dialog)
        reply = in_progress(dialog)
        await begin(uow, reply)
        async with uow() as tx:
            assert await tx.dialogs.delete(tenant, dialog.owner_id, dialog.id)
            await tx.commit()
        async with uow() as tx:
            assert not await tx.replies.finish(
                tenant, msgspec.structs.replace(reply, finish_reason="stop")
            )
            assert await tx.replies.get(tenant, dialog.owner_id, reply.id) is None
            assert await tx.replies.abandoned(T0 + 60 * SECOND, 10) == []

    async def test_a_begun_reply_without_commit_is_not_kept(self, uow: UnitOfWorkFactory) -> None:
        (tenant,) = await add_tenants(uow, 1)
        dialog = make_dialog(tenant, uuid.uuid4())
        await store(uow, dialog)
        reply = in_progress(dialog)
        async with uow() as tx:
            await tx.replies.begin(tenant, reply, None)
        async with uow(read_only=True) as tx:
            assert await tx.replies.get(tenant, dialog.owner_id, reply.id) is None
            assert await tx.replies.abandoned(T0 + 60 * SECOND, 10) == []

    async def test_a_stop_asked_of_a_reply_in_progress_is_read_by_its_next_grow(
        self, uow: UnitOfWorkFactory
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        dialog = make_dialog(tenant, uuid.uuid4())
        await store(uow, dialog)
        reply = in_progress(dialog)
        await begin(uow, reply)
        async with uow() as tx:
            assert not await tx.replies.grow(tenant, reply.id, "a", 1, T0 + SECOND)
            assert not await tx.replies.request_stop(tenant, uuid.uuid4(), reply.id)
            assert await tx.replies.request_stop(tenant, dialog.owner_id, reply.id)
            await tx.commit()
        async with uow() as tx:
            assert await tx.replies.grow(tenant, reply.id, "ab", 1, T0 + 2 * SECOND)
            ended = msgspec.structs.replace(reply, content="ab", finish_reason="cancelled")
            assert await tx.replies.finish(tenant, ended)
            assert not await tx.replies.request_stop(tenant, dialog.owner_id, reply.id)
            await tx.commit()
