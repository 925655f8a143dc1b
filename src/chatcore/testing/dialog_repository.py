"""The DialogRepository and MessageRepository contract."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chatcore.dialogs.model import Dialog, Message, MessageId, MessageRole
from chatcore.kernel import DialogId, TenantId
from chatcore.pagination import PageRequest
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory

T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def add_tenants(uow: UnitOfWorkFactory, count: int = 2) -> list[TenantId]:
    """``count`` committed tenants, created at T0."""
    tenants = [
        Tenant(
            id=TenantId(uuid.uuid4()),
            slug=f"t{n}",
            name=f"Tenant {n}",
            settings=TenantSettings(),
            created_at=T0,
        )
        for n in range(count)
    ]
    async with uow() as tx:
        for tenant in tenants:
            await tx.tenants.add(tenant)
        await tx.commit()
    return [t.id for t in tenants]


def make_dialog(tenant_id: TenantId, owner_id: uuid.UUID, minutes: int = 0) -> Dialog:
    """A dialog of the owner, created ``minutes`` after T0."""
    at = T0 + timedelta(minutes=minutes)
    return Dialog(
        id=DialogId(uuid.uuid4()),
        tenant_id=tenant_id,
        owner_id=owner_id,
        title=f"Dialog at {minutes}",
        created_at=at,
        updated_at=at,
    )


def make_message(dialog: Dialog, role: MessageRole, content: str, micros: int = 0) -> Message:
    """A message in the dialog, ``micros`` after it began."""
    extra = (
        {}
        if role == "user"
        else {"finish_reason": "stop", "prompt_tokens": 12, "completion_tokens": 5, "model": "m-1"}
    )
    return Message(
        id=MessageId(uuid.uuid4()),
        tenant_id=dialog.tenant_id,
        dialog_id=dialog.id,
        owner_id=dialog.owner_id,
        role=role,
        content=content,
        created_at=dialog.created_at + timedelta(microseconds=micros),
        **extra,  # type: ignore[arg-type]
    )


async def store(uow: UnitOfWorkFactory, *rows: Dialog | Message) -> None:
    """Add the dialogs and messages in one committed transaction."""
    async with uow() as tx:
        for row in rows:
            if isinstance(row, Dialog):
                await tx.dialogs.add(row.tenant_id, row)
            else:
                await tx.messages.add(row.tenant_id, row)
        await tx.commit()


class DialogRepositoryContract:
    """What every DialogRepository and MessageRepository does: owner-scoped reads,
    pages, rollback.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_an_added_dialog_reads_back_equal_for_its_owner_only(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        dialog = make_dialog(tenant, owner)
        await store(uow, dialog)
        async with uow(read_only=True) as tx:
            assert await tx.dialogs.get(tenant, owner, dialog.id) == dialog
            assert await tx.dialogs.get(tenant, uuid.uuid4(), dialog.id) is None
            assert await tx.dialogs.get(other_tenant, owner, dialog.id) is None
            assert await tx.dialogs.get(tenant, owner, DialogId(uuid.uuid4())) is None

    async def test_without_commit_or_after_an_error_nothing_is_kept(
        self, uow: UnitOfWorkFactory
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        kept = make_dialog(tenant, owner)
        await store(uow, kept)
        ghost = make_dialog(tenant, owner, 1)
        async with uow() as tx:
            await tx.dialogs.add(tenant, ghost)
            await tx.messages.add(tenant, make_message(kept, "user", "unsaid"))
        with pytest.raises(RuntimeError):
            async with uow() as tx:
                await tx.dialogs.rename(tenant, owner, kept.id, "Half", T0 + timedelta(hours=1))
                await tx.dialogs.delete(tenant, owner, kept.id)
                raise RuntimeError("boom")
        async with uow(read_only=True) as tx:
            assert await tx.dialogs.get(tenant, owner, ghost.id) is None
            assert await tx.dialogs.get(tenant, owner, kept.id) == kept
            assert await tx.messages.of_dialog(tenant, owner, kept.id) == []

    async def test_list_pages_newest_first_without_gaps_or_repeats(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        dialogs = [make_dialog(tenant, owner, minutes=i % 3) for i in range(8)]
        # The same owner id in another tenant, and another owner here: neither is listed.
        await store(
            uow, *dialogs, make_dialog(other_tenant, owner), make_dialog(tenant, uuid.uuid4())
        )
        seen: list[Dialog] = []
        page = PageRequest(limit=3)
        while True:
            async with uow(read_only=True) as tx:
                result = await tx.dialogs.list(tenant, owner, page)
            seen.extend(result.items)
            if result.next_after is None:
                break
            page = PageRequest(limit=3, after=result.next_after)
        assert seen == sorted(dialogs, key=lambda d: (d.created_at, d.id), reverse=True)

    async def test_rename_and_touch_change_only_the_owners_dialog(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        dialog = make_dialog(tenant, owner)
        await store(uow, dialog)
        later, latest = T0 + timedelta(hours=1), T0 + timedelta(hours=2, microseconds=7)
        async with uow() as tx:
            for tenant_id, owner_id, dialog_id in (
                (tenant, uuid.uuid4(), dialog.id),
                (other_tenant, owner, dialog.id),
                (tenant, owner, DialogId(uuid.uuid4())),
            ):
                assert not await tx.dialogs.rename(tenant_id, owner_id, dialog_id, "Stolen", later)
                assert not await tx.dialogs.touch(tenant_id, owner_id, dialog_id, later)
            assert await tx.dialogs.rename(tenant, owner, dialog.id, "Renamed", later)
            await tx.commit()
        async with uow() as tx:
            assert await tx.dialogs.get(tenant, owner, dialog.id) == Dialog(
                id=dialog.id,
                tenant_id=tenant,
                owner_id=owner,
                title="Renamed",
                created_at=dialog.created_at,
                updated_at=later,
            )
            assert await tx.dialogs.touch(tenant, owner, dialog.id, latest)
            await tx.commit()
        async with uow(read_only=True) as tx:
            touched = await tx.dialogs.get(tenant, owner, dialog.id)
        assert touched is not None
        assert (touched.title, touched.updated_at) == ("Renamed", latest)

    async def test_messages_come_oldest_first_and_recent_gives_the_newest(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        dialog, elsewhere = make_dialog(tenant, owner), make_dialog(tenant, owner, 5)
        said = [
            make_message(dialog, "user" if i % 2 == 0 else "assistant", f"turn {i}", micros=i)
            for i in range(6)
        ]
        tied = [make_message(dialog, "user", f"tie {i}", micros=10) for i in range(3)]
        await store(
            uow,
            dialog,
            elsewhere,
            *reversed(said),
            *tied,
            make_message(elsewhere, "user", "other dialog"),
        )
        expected = said + sorted(tied, key=lambda m: m.id)
        async with uow(read_only=True) as tx:
            assert await tx.messages.of_dialog(tenant, owner, dialog.id) == expected
            assert await tx.messages.recent(tenant, owner, dialog.id, 4) == expected[-4:]
            assert await tx.messages.recent(tenant, owner, dialog.id, 100) == expected
            assert await tx.messages.of_dialog(tenant, uuid.uuid4(), dialog.id) == []
            assert await tx.messages.of_dialog(other_tenant, owner, dialog.id) == []
            assert await tx.messages.recent(tenant, uuid.uuid4(), dialog.id, 10) == []

    async def test_deleting_a_dialog_deletes_its_messages_and_nothing_else(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        doomed, kept = make_dialog(tenant, owner), make_dialog(tenant, owner, 1)
        kept_message = make_message(kept, "user", "stays")
        await store(
            uow,
            doomed,
            kept,
            make_message(doomed, "user", "goes"),
            make_message(doomed, "assistant", "goes too", 1),
            kept_message,
        )
        async with uow() as tx:
            assert not await tx.dialogs.delete(tenant, uuid.uuid4(), doomed.id)
            assert not await tx.dialogs.delete(other_tenant, owner, doomed.id)
            assert await tx.dialogs.delete(tenant, owner, doomed.id)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.dialogs.get(tenant, owner, doomed.id) is None
            assert await tx.messages.of_dialog(tenant, owner, doomed.id) == []
            assert await tx.messages.of_dialog(tenant, owner, kept.id) == [kept_message]
        async with uow() as tx:
            assert not await tx.dialogs.delete(tenant, owner, doomed.id)

    async def test_delete_owned_removes_one_owner_in_one_tenant(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner, neighbour = uuid.uuid4(), uuid.uuid4()
        mine = [make_dialog(tenant, owner, i) for i in range(3)]
        theirs, same_id_elsewhere = make_dialog(tenant, neighbour), make_dialog(other_tenant, owner)
        survivors = [
            make_message(theirs, "user", "theirs"),
            make_message(same_id_elsewhere, "user", "elsewhere"),
        ]
        await store(
            uow,
            *mine,
            theirs,
            same_id_elsewhere,
            *(make_message(d, "user", "mine") for d in mine),
            *survivors,
        )
        async with uow() as tx:
            await tx.dialogs.delete_owned(tenant, owner)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert (await tx.dialogs.list(tenant, owner, PageRequest())).items == []
            assert await tx.messages.of_dialog(tenant, owner, mine[0].id) == []
            assert (await tx.dialogs.list(tenant, neighbour, PageRequest())).items == [theirs]
            assert (await tx.dialogs.list(other_tenant, owner, PageRequest())).items == [
                same_id_elsewhere
            ]
            assert await tx.messages.of_dialog(tenant, neighbour, theirs.id) == survivors[:1]
            assert (
                await tx.messages.of_dialog(other_tenant, owner, same_id_elsewhere.id)
                == (survivors[1:])
            )
