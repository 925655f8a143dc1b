"""The ApiKeyRepository contract."""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec

from chatcore.identity.api_keys import ApiKey, ApiKeyId
from chatcore.kernel import TenantId, UserId
from chatcore.pagination import PageRequest
from chatcore.testing._identity_rows import T0, add_tenants, new_user
from chatcore.unit_of_work import UnitOfWorkFactory

replace = msgspec.structs.replace


async def owners(uow: UnitOfWorkFactory) -> tuple[TenantId, TenantId, UserId, UserId]:
    """Two tenants and two users of the first one, committed."""
    tenant, other_tenant = await add_tenants(uow, f"k-{uuid.uuid4().hex[:8]}", "elsewhere")
    alice, bob = new_user(tenant, "alice@example.com"), new_user(tenant, "bob@example.com")
    async with uow() as tx:
        await tx.users.add(tenant, alice)
        await tx.users.add(tenant, bob)
        await tx.commit()
    return tenant, other_tenant, alice.id, bob.id


def key_of(
    tenant_id: TenantId, owner_id: UserId, minutes: int = 0, prefix: str | None = None
) -> ApiKey:
    """A key of the owner created ``minutes`` after T0, with a hash of its own."""
    key_id = ApiKeyId(uuid.uuid4())
    return ApiKey(
        id=key_id,
        tenant_id=tenant_id,
        owner_id=owner_id,
        name=f"key {minutes}",
        prefix=prefix or f"ck_{key_id.hex[:8]}",
        key_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        created_at=T0 + timedelta(minutes=minutes),
        expires_at=T0 + timedelta(days=30) if minutes % 2 else None,
    )


class ApiKeyRepositoryContract:
    """What every ApiKeyRepository does, reached through the unit of work.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_a_key_is_found_by_its_prefix_in_any_tenant(self, uow: UnitOfWorkFactory) -> None:
        tenant, _, alice, _ = await owners(uow)
        key = key_of(tenant, alice, 1)
        async with uow() as tx:
            await tx.api_keys.add(tenant, key)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.api_keys.with_prefix(key.prefix) == (key,)
            assert await tx.api_keys.with_prefix("ck_nothing") == ()

    async def test_keys_sharing_a_prefix_are_all_found(self, uow: UnitOfWorkFactory) -> None:
        tenant, _, alice, bob = await owners(uow)
        same = [key_of(tenant, alice, 0, "ck_samesame"), key_of(tenant, bob, 1, "ck_samesame")]
        async with uow() as tx:
            for key in same:
                await tx.api_keys.add(tenant, key)
            await tx.commit()
        async with uow(read_only=True) as tx:
            found = await tx.api_keys.with_prefix("ck_samesame")
        assert sorted(found, key=lambda k: k.created_at) == same

    async def test_an_uncommitted_key_is_not_stored(self, uow: UnitOfWorkFactory) -> None:
        tenant, _, alice, _ = await owners(uow)
        key = key_of(tenant, alice)
        async with uow() as tx:
            await tx.api_keys.add(tenant, key)
        async with uow(read_only=True) as tx:
            assert await tx.api_keys.with_prefix(key.prefix) == ()

    async def test_the_owners_keys_read_back_newest_first_in_pages(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, _, alice, bob = await owners(uow)
        keys = [key_of(tenant, alice, n) for n in range(5)]
        async with uow() as tx:
            for key in [*keys, key_of(tenant, bob, 9)]:
                await tx.api_keys.add(tenant, key)
            await tx.commit()
        seen: list[ApiKey] = []
        page = PageRequest(limit=2)
        async with uow(read_only=True) as tx:
            while True:
                result = await tx.api_keys.list(tenant, alice, page)
                seen += result.items
                if result.next_after is None:
                    break
                page = PageRequest(limit=2, after=result.next_after)
        assert seen == keys[::-1]

    async def test_touch_records_the_last_use(self, uow: UnitOfWorkFactory) -> None:
        tenant, other_tenant, alice, _ = await owners(uow)
        key = key_of(tenant, alice)
        used = T0 + timedelta(hours=2)
        async with uow() as tx:
            await tx.api_keys.add(tenant, key)
            await tx.commit()
        async with uow() as tx:
            await tx.api_keys.touch(other_tenant, key.id, T0 + timedelta(days=9))
            await tx.api_keys.touch(tenant, key.id, used)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.api_keys.with_prefix(key.prefix) == (replace(key, last_used_at=used),)

    async def test_only_the_owner_in_its_tenant_revokes_a_key(self, uow: UnitOfWorkFactory) -> None:
        tenant, other_tenant, alice, bob = await owners(uow)
        key = key_of(tenant, alice)
        async with uow() as tx:
            await tx.api_keys.add(tenant, key)
            await tx.commit()
        async with uow() as tx:
            assert not await tx.api_keys.delete(tenant, bob, key.id)
            assert not await tx.api_keys.delete(other_tenant, alice, key.id)
            await tx.api_keys.delete_owned(tenant, bob)
            await tx.api_keys.delete_owned(other_tenant, alice)
            assert (await tx.api_keys.list(tenant, bob, PageRequest())).items == []
            assert (await tx.api_keys.list(other_tenant, alice, PageRequest())).items == []
            await tx.commit()
        async with uow() as tx:
            assert await tx.api_keys.with_prefix(key.prefix) == (key,)
            assert await tx.api_keys.delete(tenant, alice, key.id)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.api_keys.with_prefix(key.prefix) == ()

    async def test_delete_owned_revokes_every_key_of_the_owner(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, _, alice, bob = await owners(uow)
        kept = key_of(tenant, bob)
        async with uow() as tx:
            for key in [key_of(tenant, alice, 0), key_of(tenant, alice, 1), kept]:
                await tx.api_keys.add(tenant, key)
            await tx.commit()
        async with uow() as tx:
            await tx.api_keys.delete_owned(tenant, alice)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert (await tx.api_keys.list(tenant, alice, PageRequest())).items == []
            assert (await tx.api_keys.list(tenant, bob, PageRequest())).items == [kept]
