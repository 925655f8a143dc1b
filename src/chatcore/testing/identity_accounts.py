"""The identity contract's account rules: users by id and email, one email per tenant,
and email confirmations."""

from __future__ import annotations

import pytest

from chatcore.errors import Conflict
from chatcore.testing._identity_rows import T0, add_tenants, new_confirmation, new_user, replace
from chatcore.unit_of_work import UnitOfWorkFactory


class IdentityAccountsContract:
    """Users and email confirmations. Needs a fixture ``uow``."""

    async def test_users_read_back_by_id_and_email_and_change(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        user = new_user(tenant)
        async with uow() as tx:
            await tx.users.add(tenant, user)
            await tx.commit()
        changed = replace(user, password_hash=None, email_confirmed_at=T0, display_name="Ann")
        async with uow() as tx:
            assert await tx.users.get(tenant, user.id) == user
            assert await tx.users.get_by_email(tenant, "a@example.com") == user
            assert await tx.users.get_by_email(tenant, "b@example.com") is None
            await tx.users.update(tenant, changed)
            await tx.commit()
        async with uow() as tx:
            assert await tx.users.get(tenant, user.id) == changed
            await tx.users.delete(tenant, user.id)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.users.get(tenant, user.id) is None

    async def test_an_email_is_taken_once_per_tenant(self, uow: UnitOfWorkFactory) -> None:
        acme, other = await add_tenants(uow, "acme", "other")
        async with uow() as tx:
            await tx.users.add(acme, new_user(acme))
            await tx.commit()
        twin = new_user(other)
        async with uow() as tx:
            with pytest.raises(Conflict):
                await tx.users.add(acme, new_user(acme))
            await tx.users.add(other, twin)  # the transaction goes on after the conflict
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.users.get_by_email(other, "a@example.com") == twin

    async def test_confirmations_are_found_by_hash_and_forgotten_per_user(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        [tenant] = await add_tenants(uow, "acme")
        user, other = new_user(tenant), new_user(tenant, "b@example.com")
        mine, also_mine = new_confirmation(user, "1" * 64), new_confirmation(user, "2" * 64)
        theirs = new_confirmation(other, "3" * 64)
        async with uow() as tx:
            await tx.users.add(tenant, user)
            await tx.users.add(tenant, other)
            for confirmation in (mine, also_mine, theirs):
                await tx.email_confirmations.add(tenant, confirmation)
            await tx.commit()
        async with uow() as tx:
            assert await tx.email_confirmations.get_for_update(tenant, "1" * 64) == mine
            assert await tx.email_confirmations.get_for_update(tenant, "9" * 64) is None
            await tx.email_confirmations.delete_of_user(tenant, user.id)
            await tx.commit()
        async with uow() as tx:
            assert await tx.email_confirmations.get_for_update(tenant, "2" * 64) is None
            assert await tx.email_confirmations.get_for_update(tenant, "3" * 64) == theirs

    async def test_a_confirmation_is_forgotten_by_its_hash_in_its_tenant_only(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        acme, other = await add_tenants(uow, "acme", "other")
        user = new_user(acme)
        gone, kept = new_confirmation(user, "1" * 64), new_confirmation(user, "2" * 64)
        async with uow() as tx:
            await tx.users.add(acme, user)
            await tx.email_confirmations.add(acme, gone)
            await tx.email_confirmations.add(acme, kept)
            await tx.commit()
        async with uow() as tx:
            await tx.email_confirmations.delete(acme, gone.token_hash)
            await tx.email_confirmations.delete(other, kept.token_hash)
            await tx.email_confirmations.delete(acme, "9" * 64)  # none: nothing happens
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.email_confirmations.get_for_update(acme, gone.token_hash) is None
            assert await tx.email_confirmations.get_for_update(acme, kept.token_hash) == kept
