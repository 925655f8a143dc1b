"""The identity contract's sign-in rows: sessions, one-time code challenges and
throttles."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chatcore.errors import Conflict
from chatcore.testing._identity_rows import (
    T0,
    add_tenants,
    new_challenge,
    new_session,
    new_throttle,
    replace,
)
from chatcore.unit_of_work import UnitOfWorkFactory


class IdentitySignInContract:
    """Sessions, sign-in code challenges and throttles. Needs a fixture ``uow``."""

    async def test_sessions_are_stored_touched_and_revoked(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        owner, other_owner = uuid.uuid4(), uuid.uuid4()
        first, second, others = (
            new_session(tenant, owner),
            new_session(tenant, owner),
            new_session(tenant, other_owner),
        )
        async with uow() as tx:
            for session in (first, second, others):
                await tx.sessions.add(tenant, session)
            await tx.commit()
        seen = T0 + timedelta(minutes=5)
        async with uow() as tx:
            assert await tx.sessions.get(tenant, first.id) == first
            await tx.sessions.touch(tenant, first.id, seen)
            await tx.sessions.delete(tenant, second.id)
            await tx.commit()
        async with uow() as tx:
            assert await tx.sessions.get(tenant, first.id) == replace(first, last_seen_at=seen)
            assert await tx.sessions.get(tenant, second.id) is None
            await tx.sessions.delete_of_principal(tenant, owner)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.sessions.get(tenant, first.id) is None
            assert await tx.sessions.get(tenant, others.id) == others

    async def test_challenges_are_added_once_then_replaced(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        challenge = new_challenge()
        async with uow() as tx:
            await tx.otp_challenges.add(tenant, challenge)
            await tx.commit()
        tried = replace(challenge, attempts=2, used_at=T0 + timedelta(seconds=1))
        async with uow() as tx:
            with pytest.raises(Conflict):
                await tx.otp_challenges.add(tenant, challenge)
            assert await tx.otp_challenges.get_for_update(tenant, "a@example.com") == challenge
            await tx.otp_challenges.update(tenant, tried)
            await tx.commit()
        async with uow() as tx:
            assert await tx.otp_challenges.get_for_update(tenant, "a@example.com") == tried
            await tx.otp_challenges.delete(tenant, "a@example.com")
            await tx.commit()
        async with uow() as tx:
            assert await tx.otp_challenges.get_for_update(tenant, "a@example.com") is None

    async def test_throttles_count_per_scope_and_subject(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        login, mail = new_throttle(), replace(new_throttle(), scope="otp_mail")
        elsewhere = new_throttle("b@example.com")
        async with uow() as tx:
            for throttle in (login, mail, elsewhere):
                await tx.auth_throttles.add(tenant, throttle)
            await tx.commit()
        counted = replace(login, count=4, last_at=T0 + timedelta(seconds=9))
        async with uow() as tx:
            with pytest.raises(Conflict):
                await tx.auth_throttles.add(tenant, login)
            await tx.auth_throttles.update(tenant, counted)
            await tx.commit()
        async with uow() as tx:
            assert await tx.auth_throttles.get_for_update(tenant, "login", login.subject) == counted
            assert await tx.auth_throttles.get_for_update(tenant, "otp_mail", mail.subject) == mail
            assert (
                await tx.auth_throttles.get_for_update(tenant, "signup_mail", mail.subject) is None
            )
            await tx.auth_throttles.delete_of_subject(tenant, "a@example.com")
            await tx.commit()
        async with uow() as tx:
            assert await tx.auth_throttles.get_for_update(tenant, "login", login.subject) is None
            assert await tx.auth_throttles.get_for_update(tenant, "otp_mail", mail.subject) is None
            assert await tx.auth_throttles.get_for_update(tenant, "login", "b@example.com")
