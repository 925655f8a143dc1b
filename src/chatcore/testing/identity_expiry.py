"""The identity contract for purging: each repository finds and deletes exactly its
expired rows, a batch at a time, in one tenant only, and purges may run at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from chatcore.dialogs.use_cases.erasure import DialogEraser
from chatcore.identity.model import Session, SessionId, User
from chatcore.identity.use_cases.housekeeping import PurgeExpired, PurgeReport
from chatcore.kernel import TenantId
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
from chatcore.testing._support import FixedClock
from chatcore.testing.dialog_repository import make_dialog, make_message
from chatcore.unit_of_work import UnitOfWorkFactory

DAY = timedelta(days=1)
LATER = T0 + 30 * DAY  # when the suites purge: after every row below has expired


def anonymous_session(tenant_id: TenantId, expires_at: datetime) -> Session:
    """An anonymous session (its own principal) ending at ``expires_at``."""
    session_id = SessionId(uuid.uuid4())
    return replace(
        new_session(tenant_id, session_id), id=session_id, kind="anonymous", expires_at=expires_at
    )


def unconfirmed_user(tenant_id: TenantId, email: str, created_at: datetime) -> User:
    """An account registered with a password and never confirmed."""
    return replace(new_user(tenant_id, email), created_at=created_at)


class IdentityExpiryContract:
    """What the purge asks of identity's repositories. Needs a fixture ``uow``."""

    async def test_only_expired_user_sessions_are_deleted(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        user = new_user(tenant)
        ended = [replace(new_session(tenant, user.id), expires_at=T0 + DAY) for _ in range(3)]
        live = replace(new_session(tenant, user.id), expires_at=LATER + timedelta(microseconds=1))
        anonymous = anonymous_session(tenant, T0)
        async with uow() as tx:
            await tx.users.add(tenant, user)
            for session in [*ended, live, anonymous]:
                await tx.sessions.add(tenant, session)
            await tx.commit()
        async with uow() as tx:
            assert await tx.sessions.delete_expired_of_users(tenant, LATER, 2) == 2
            await tx.commit()
        async with uow() as tx:
            assert await tx.sessions.delete_expired_of_users(tenant, LATER, 2) == 1
            assert await tx.sessions.delete_expired_of_users(tenant, LATER, 2) == 0
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.sessions.get(tenant, live.id) == live
            assert await tx.sessions.get(tenant, anonymous.id) == anonymous
            assert all([await tx.sessions.get(tenant, s.id) is None for s in ended])

    async def test_a_session_ends_at_its_expiry_to_the_microsecond(
        self, uow: UnitOfWorkFactory
    ) -> None:
        [tenant] = await add_tenants(uow, "acme")
        ends_now = anonymous_session(tenant, LATER)
        ends_after = anonymous_session(tenant, LATER + timedelta(microseconds=1))
        async with uow() as tx:
            await tx.sessions.add(tenant, ends_now)
            await tx.sessions.add(tenant, ends_after)
            await tx.commit()
        async with uow() as tx:
            assert await tx.sessions.expired_anonymous(tenant, LATER, 10) == [ends_now.id]

    async def test_expired_anonymous_sessions_are_listed_a_batch_at_a_time(
        self, uow: UnitOfWorkFactory
    ) -> None:
        [tenant] = await add_tenants(uow, "acme")
        user = new_user(tenant)
        ended = [anonymous_session(tenant, T0 + timedelta(hours=n)) for n in range(3)]
        async with uow() as tx:
            await tx.users.add(tenant, user)
            await tx.sessions.add(tenant, replace(new_session(tenant, user.id), expires_at=T0))
            for session in ended:
                await tx.sessions.add(tenant, session)
            await tx.commit()
        async with uow() as tx:
            first = await tx.sessions.expired_anonymous(tenant, LATER, 2)
            everything = await tx.sessions.expired_anonymous(tenant, LATER, 10)
        assert len(first) == 2 and set(first) < {s.id for s in ended}
        assert sorted(everything) == sorted(s.id for s in ended)

    async def test_used_and_expired_codes_are_deleted(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        expired = replace(new_challenge("old@example.com"), expires_at=LATER)
        used = replace(new_challenge("used@example.com"), expires_at=LATER + DAY, used_at=T0)
        live = replace(new_challenge("live@example.com"), expires_at=LATER + DAY)
        async with uow() as tx:
            for challenge in (expired, used, live):
                await tx.otp_challenges.add(tenant, challenge)
            await tx.commit()
        async with uow() as tx:
            assert await tx.otp_challenges.delete_spent(tenant, LATER, 1) == 1
            assert await tx.otp_challenges.delete_spent(tenant, LATER, 10) == 1
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.otp_challenges.get_for_update(tenant, "old@example.com") is None
            assert await tx.otp_challenges.get_for_update(tenant, "used@example.com") is None
            assert await tx.otp_challenges.get_for_update(tenant, "live@example.com") == live

    async def test_expired_confirmation_links_are_deleted(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await add_tenants(uow, "acme")
        user = new_user(tenant)
        expired = [replace(new_confirmation(user, f"{n}" * 64), expires_at=LATER) for n in range(3)]
        live = replace(new_confirmation(user, "f" * 64), expires_at=LATER + DAY)
        async with uow() as tx:
            await tx.users.add(tenant, user)
            for link in (*expired, live):
                await tx.email_confirmations.add(tenant, link)
            await tx.commit()
        async with uow() as tx:
            assert await tx.email_confirmations.delete_expired(tenant, LATER, 2) == 2
            assert await tx.email_confirmations.delete_expired(tenant, LATER, 2) == 1
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.email_confirmations.get_for_update(tenant, "0" * 64) is None
            assert await tx.email_confirmations.get_for_update(tenant, "f" * 64) == live

    async def test_idle_throttles_are_deleted_whatever_their_scope(
        self, uow: UnitOfWorkFactory
    ) -> None:
        [tenant] = await add_tenants(uow, "acme")
        idle = [
            replace(new_throttle("a@example.com"), scope="login", last_at=T0),
            replace(new_throttle("a@example.com"), scope="otp_mail", last_at=T0),
            replace(new_throttle("b@example.com"), scope="signup_mail", last_at=T0),
        ]
        busy = replace(new_throttle("a@example.com"), scope="signup_mail", last_at=LATER)
        async with uow() as tx:
            for throttle in (*idle, busy):
                await tx.auth_throttles.add(tenant, throttle)
            await tx.commit()
        async with uow() as tx:
            assert await tx.auth_throttles.delete_idle(tenant, LATER, 2) == 2
            assert await tx.auth_throttles.delete_idle(tenant, LATER, 2) == 1
            await tx.commit()
        async with uow(read_only=True) as tx:
            for throttle in idle:
                found = await tx.auth_throttles.get_for_update(
                    tenant, throttle.scope, throttle.subject
                )
                assert found is None
            assert (
                await tx.auth_throttles.get_for_update(tenant, "signup_mail", "a@example.com")
                == busy
            )

    async def test_lapsed_sign_ups_are_old_unconfirmed_and_without_a_live_link(
        self, uow: UnitOfWorkFactory
    ) -> None:
        [tenant] = await add_tenants(uow, "acme")
        cutoff = LATER - 7 * DAY
        lapsed = unconfirmed_user(tenant, "lapsed@example.com", T0)
        link_expired = unconfirmed_user(tenant, "expired-link@example.com", T0)
        link_live = unconfirmed_user(tenant, "live-link@example.com", T0)
        recent = unconfirmed_user(tenant, "recent@example.com", cutoff)
        confirmed = replace(unconfirmed_user(tenant, "ok@example.com", T0), email_confirmed_at=T0)
        by_code = replace(confirmed, id=uuid.uuid4(), email="code@example.com", password_hash=None)
        async with uow() as tx:
            for user in (lapsed, link_expired, link_live, recent, confirmed, by_code):
                await tx.users.add(tenant, user)
            await tx.email_confirmations.add(
                tenant, replace(new_confirmation(link_expired, "e" * 64), expires_at=LATER)
            )
            await tx.email_confirmations.add(
                tenant, replace(new_confirmation(link_live, "f" * 64), expires_at=LATER + DAY)
            )
            await tx.commit()
        async with uow() as tx:
            found = await tx.users.lapsed_sign_ups(tenant, cutoff, LATER, 10)
            one = await tx.users.lapsed_sign_ups(tenant, cutoff, LATER, 1)
        assert sorted(found) == sorted([lapsed.id, link_expired.id])
        assert len(one) == 1 and one[0] in found

    async def test_no_purge_in_one_tenant_touches_another(self, uow: UnitOfWorkFactory) -> None:
        acme, intruder = await add_tenants(uow, "acme", "intruder")
        user = unconfirmed_user(acme, "a@example.com", T0)
        session = new_session(acme, user.id)
        anonymous = anonymous_session(acme, T0)
        challenge = new_challenge()
        link = new_confirmation(user)
        throttle = new_throttle()
        async with uow() as tx:
            await tx.users.add(acme, user)
            await tx.sessions.add(acme, session)
            await tx.sessions.add(acme, anonymous)
            await tx.otp_challenges.add(acme, challenge)
            await tx.email_confirmations.add(acme, link)
            await tx.auth_throttles.add(acme, throttle)
            await tx.commit()
        async with uow() as tx:
            assert await tx.sessions.delete_expired_of_users(intruder, LATER, 10) == 0
            assert await tx.sessions.expired_anonymous(intruder, LATER, 10) == []
            assert await tx.otp_challenges.delete_spent(intruder, LATER, 10) == 0
            assert await tx.email_confirmations.delete_expired(intruder, LATER, 10) == 0
            assert await tx.auth_throttles.delete_idle(intruder, LATER, 10) == 0
            assert await tx.users.lapsed_sign_ups(intruder, LATER, LATER, 10) == []
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.users.get(acme, user.id) == user
            assert await tx.sessions.get(acme, session.id) == session
            assert await tx.sessions.get(acme, anonymous.id) == anonymous
            assert await tx.otp_challenges.get_for_update(acme, challenge.email) == challenge
            assert await tx.email_confirmations.get_for_update(acme, link.token_hash) == link
            assert (
                await tx.auth_throttles.get_for_update(acme, "login", throttle.subject) == throttle
            )

    async def test_purges_running_at_once_remove_each_row_once(
        self, uow: UnitOfWorkFactory
    ) -> None:
        [tenant] = await add_tenants(uow, "acme")
        anonymous = [anonymous_session(tenant, T0) for _ in range(12)]
        dialogs = [make_dialog(tenant, session.id) for session in anonymous]
        users = [unconfirmed_user(tenant, f"u{n}@example.com", T0) for n in range(8)]
        async with uow() as tx:
            for session, dialog in zip(anonymous, dialogs, strict=True):
                await tx.sessions.add(tenant, session)
                await tx.dialogs.add(tenant, dialog)
                await tx.messages.add(tenant, make_message(dialog, "user", "hello"))
            for user in users:
                await tx.users.add(tenant, user)
                await tx.sessions.add(tenant, new_session(tenant, user.id))
                await tx.otp_challenges.add(tenant, new_challenge(user.email))
                await tx.auth_throttles.add(tenant, new_throttle(user.email))
                await tx.email_confirmations.add(
                    tenant, new_confirmation(user, user.id.hex + "0" * 32)
                )
            await tx.commit()
        purge = PurgeExpired(uow, FixedClock(LATER), [DialogEraser()], batch=3, erase_batch=2)

        reports = await asyncio.gather(purge(), purge(), purge())

        assert PurgeReport(
            **{k: sum(getattr(r, k) for r in reports) for k in PurgeReport.__struct_fields__}
        ) == PurgeReport(
            user_sessions=8,
            anonymous_sessions=12,
            otp_challenges=8,
            email_confirmations=8,
            auth_throttles=8,
            unconfirmed_accounts=8,
        )
        async with uow(read_only=True) as tx:
            for session, dialog in zip(anonymous, dialogs, strict=True):
                assert await tx.sessions.get(tenant, session.id) is None
                assert await tx.dialogs.get(tenant, session.id, dialog.id) is None
            for user in users:
                assert await tx.users.get(tenant, user.id) is None
