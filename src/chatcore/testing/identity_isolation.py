"""The identity contract's boundaries: nothing is kept without commit, and no tenant
reads or changes another's rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatcore.testing._identity_rows import (
    T0,
    add_tenants,
    new_challenge,
    new_confirmation,
    new_session,
    new_throttle,
    new_user,
    replace,
)
from chatcore.unit_of_work import UnitOfWorkFactory


class IdentityIsolationContract:
    """Rollback and tenant isolation across every identity repository. Needs a
    fixture ``uow``."""

    async def test_nothing_is_kept_without_commit(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        user = new_user(tenant)
        session = new_session(tenant, user.id)
        with pytest.raises(RuntimeError):
            async with uow() as tx:
                await tx.users.add(tenant, user)
                await tx.sessions.add(tenant, session)
                await tx.otp_challenges.add(tenant, new_challenge())
                await tx.auth_throttles.add(tenant, new_throttle())
                raise RuntimeError("boom")
        async with uow() as tx:
            await tx.users.add(tenant, user)
            await tx.email_confirmations.add(tenant, new_confirmation(user))
        async with uow(read_only=True) as tx:
            assert await tx.users.get(tenant, user.id) is None
            assert await tx.sessions.get(tenant, session.id) is None
            assert await tx.otp_challenges.get_for_update(tenant, "a@example.com") is None
            assert await tx.auth_throttles.get_for_update(tenant, "login", "a@example.com") is None
            assert await tx.email_confirmations.get_for_update(tenant, "c" * 64) is None

    async def test_no_tenant_reads_or_changes_another_tenants_rows(
        self, uow: UnitOfWorkFactory
    ) -> None:
        acme, intruder = await add_tenants(uow, "acme", "intruder")
        user = new_user(acme)
        session = new_session(acme, user.id)
        confirmation = new_confirmation(user)
        async with uow() as tx:
            await tx.users.add(acme, user)
            await tx.sessions.add(acme, session)
            await tx.otp_challenges.add(acme, new_challenge())
            await tx.email_confirmations.add(acme, confirmation)
            await tx.auth_throttles.add(acme, new_throttle())
            await tx.commit()
        async with uow() as tx:
            assert await tx.users.get(intruder, user.id) is None
            assert await tx.users.get_by_email(intruder, user.email) is None
            assert await tx.sessions.get(intruder, session.id) is None
            assert await tx.otp_challenges.get_for_update(intruder, "a@example.com") is None
            assert await tx.email_confirmations.get_for_update(intruder, "c" * 64) is None
            assert (
                await tx.auth_throttles.get_for_update(intruder, "login", "a@example.com") is None
            )
            await tx.users.update(intruder, replace(user, password_hash="mine now"))
            await tx.sessions.touch(intruder, session.id, T0 + timedelta(days=3))
            await tx.otp_challenges.update(
                intruder, replace(new_challenge(), attempts=0, used_at=T0)
            )
            await tx.auth_throttles.update(intruder, replace(new_throttle(), count=0))
            await tx.sessions.delete(intruder, session.id)
            await tx.sessions.delete_of_principal(intruder, user.id)
            await tx.email_confirmations.delete_of_user(intruder, user.id)
            await tx.otp_challenges.delete(intruder, "a@example.com")
            await tx.auth_throttles.delete_of_subject(intruder, "a@example.com")
            await tx.users.delete(intruder, user.id)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.users.get(acme, user.id) == user
            assert await tx.sessions.get(acme, session.id) == session
            assert await tx.otp_challenges.get_for_update(acme, "a@example.com") == new_challenge()
            assert await tx.email_confirmations.get_for_update(acme, "c" * 64) == confirmation
            assert (
                await tx.auth_throttles.get_for_update(acme, "login", "a@example.com")
                == new_throttle()
            )
