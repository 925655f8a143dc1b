"""The ProfileRepository and SavedItemRepository contract."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import msgspec

from chatcore.identity.model import User
from chatcore.kernel import TenantId, UserId
from chatcore.pagination import PageRequest
from chatcore.profile.model import Profile, SavedItem, SavedItemId
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
replace = msgspec.structs.replace


async def tenant_with_users(
    uow: UnitOfWorkFactory, users: int = 2
) -> tuple[TenantId, list[UserId]]:
    """A committed tenant with ``users`` accounts."""
    tenant = Tenant(
        id=TenantId(uuid.uuid4()),
        slug=f"t-{uuid.uuid4().hex[:8]}",
        name="T",
        settings=TenantSettings(),
        created_at=T0,
    )
    accounts = [
        User(
            id=UserId(uuid.uuid4()),
            tenant_id=tenant.id,
            email=f"u{n}@example.com",
            password_hash=None,
            email_confirmed_at=None,
            display_name=None,
            created_at=T0,
        )
        for n in range(users)
    ]
    async with uow() as tx:
        await tx.tenants.add(tenant)
        for user in accounts:
            await tx.users.add(tenant.id, user)
        await tx.commit()
    return tenant.id, [u.id for u in accounts]


def blank(tenant_id: TenantId, user_id: UserId) -> Profile:
    """The profile a user has before writing one."""
    return Profile(tenant_id=tenant_id, user_id=user_id, updated_at=T0)


def saved(
    tenant_id: TenantId,
    owner_id: uuid.UUID,
    minutes: int = 0,
    message_id: uuid.UUID | None = None,
    note: str | None = None,
    text: str | None = None,
) -> SavedItem:
    """A saved item of the owner, created ``minutes`` after T0."""
    return SavedItem(
        id=SavedItemId(uuid.uuid4()),
        tenant_id=tenant_id,
        owner_id=owner_id,
        message_id=message_id,
        text=f"kept at {minutes}" if text is None else text,
        note=note,
        created_at=T0 + timedelta(minutes=minutes),
    )


class ProfileRepositoriesContract:
    """What every ProfileRepository and SavedItemRepository does, and after-commit
    actions on the unit of work.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_a_profile_never_written_is_none(self, uow: UnitOfWorkFactory) -> None:
        tenant, (user, _) = await tenant_with_users(uow)
        async with uow(read_only=True) as tx:
            assert await tx.profiles.get(tenant, user) is None

    async def test_lock_stores_the_blank_profile_once_and_update_replaces_it(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        tenant, (user, _) = await tenant_with_users(uow)
        changed = replace(
            blank(tenant, user),
            locale="pt-BR",
            avatar="a" * 32 + ".png",
            settings={"theme": "dark", "nested": {"n": [1, 2.5, None, True]}},
            updated_at=T0 + timedelta(hours=1),
        )
        async with uow() as tx:
            assert await tx.profiles.lock(tenant, blank(tenant, user)) == blank(tenant, user)
            await tx.profiles.update(tenant, changed)
            await tx.commit()
        async with uow() as tx:
            # A second lock finds the stored profile; its own blank is ignored.
            assert await tx.profiles.lock(tenant, blank(tenant, user)) == changed
        async with uow(read_only=True) as tx:
            assert await tx.profiles.get(tenant, user) == changed

    async def test_a_profile_locked_but_not_committed_is_not_stored(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, (user, _) = await tenant_with_users(uow)
        async with uow() as tx:
            await tx.profiles.lock(tenant, blank(tenant, user))
        async with uow(read_only=True) as tx:
            assert await tx.profiles.get(tenant, user) is None

    async def test_profiles_are_per_user_and_per_tenant(self, uow: UnitOfWorkFactory) -> None:
        tenant, (user, other) = await tenant_with_users(uow)
        other_tenant, _ = await tenant_with_users(uow)
        async with uow() as tx:
            await tx.profiles.lock(tenant, blank(tenant, user))
            await tx.profiles.update(tenant, replace(blank(tenant, user), locale="de"))
            await tx.commit()
        async with uow() as tx:
            assert await tx.profiles.get(tenant, other) is None
            assert await tx.profiles.get(other_tenant, user) is None
            await tx.profiles.delete(other_tenant, user)
            await tx.commit()
        async with uow() as tx:
            assert (await tx.profiles.get(tenant, user)) is not None
            await tx.profiles.delete(tenant, user)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.profiles.get(tenant, user) is None

    async def test_concurrent_first_writers_both_land_on_one_profile(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, (user, _) = await tenant_with_users(uow)

        async def add_setting(key: str) -> None:
            async with uow() as tx:
                profile = await tx.profiles.lock(tenant, blank(tenant, user))
                await tx.profiles.update(
                    tenant, replace(profile, settings={**profile.settings, key: True})
                )
                await tx.commit()

        await asyncio.gather(*(add_setting(f"k{n}") for n in range(5)))
        async with uow(read_only=True) as tx:
            profile = await tx.profiles.get(tenant, user)
        assert profile is not None
        assert profile.settings == {f"k{n}": True for n in range(5)}

    async def test_saved_items_read_back_newest_first_in_pages(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, (user, _) = await tenant_with_users(uow)
        message_id = uuid.uuid4()
        items = [saved(tenant, user, n) for n in range(4)]
        items.append(saved(tenant, user, 4, message_id=message_id, note="why", text="  keep ☕\n"))
        async with uow() as tx:
            for item in items:
                await tx.saved_items.add(tenant, item)
            await tx.commit()
        seen: list[SavedItem] = []
        page = PageRequest(limit=2)
        async with uow(read_only=True) as tx:
            while True:
                result = await tx.saved_items.list(tenant, user, page)
                seen += result.items
                if result.next_after is None:
                    break
                page = PageRequest(limit=2, after=result.next_after)
        assert seen == items[::-1]

    async def test_saved_items_are_invisible_and_undeletable_to_others(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, (user, other) = await tenant_with_users(uow)
        other_tenant, _ = await tenant_with_users(uow)
        item = saved(tenant, user)
        async with uow() as tx:
            await tx.saved_items.add(tenant, item)
            await tx.commit()
        async with uow() as tx:
            assert (await tx.saved_items.list(tenant, other, PageRequest())).items == []
            assert (await tx.saved_items.list(other_tenant, user, PageRequest())).items == []
            assert not await tx.saved_items.delete(tenant, other, item.id)
            assert not await tx.saved_items.delete(other_tenant, user, item.id)
            await tx.saved_items.delete_owned(tenant, other)
            await tx.saved_items.delete_owned(other_tenant, user)
            await tx.commit()
        async with uow() as tx:
            assert (await tx.saved_items.list(tenant, user, PageRequest())).items == [item]
            assert await tx.saved_items.delete(tenant, user, item.id)
            assert not await tx.saved_items.delete(tenant, user, item.id)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert (await tx.saved_items.list(tenant, user, PageRequest())).items == []

    async def test_delete_owned_removes_every_item_of_the_owner_only(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, (user, other) = await tenant_with_users(uow)
        anonymous = uuid.uuid4()  # an anonymous session owns items too, without an account
        theirs = saved(tenant, other)
        async with uow() as tx:
            for item in (saved(tenant, user, 1), saved(tenant, user, 2), theirs):
                await tx.saved_items.add(tenant, item)
            await tx.saved_items.add(tenant, saved(tenant, anonymous))
            await tx.commit()
        async with uow() as tx:
            await tx.saved_items.delete_owned(tenant, user)
            await tx.saved_items.delete_owned(tenant, anonymous)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert (await tx.saved_items.list(tenant, user, PageRequest())).items == []
            assert (await tx.saved_items.list(tenant, anonymous, PageRequest())).items == []
            assert (await tx.saved_items.list(tenant, other, PageRequest())).items == [theirs]

    async def test_after_commit_actions_run_only_after_a_commit(
        self, uow: UnitOfWorkFactory
    ) -> None:
        ran: list[str] = []

        async def record(name: str) -> None:
            ran.append(name)

        async with uow() as tx:
            tx.after_commit(lambda: record("rolled back"))
        async with uow() as tx:
            tx.after_commit(lambda: record("committed"))
            assert ran == []
            await tx.commit()
            assert ran == ["committed"]
