"""The identity repositories contract, and identity's use cases under concurrency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from chatcore.errors import Conflict, InvalidCredentials, OtpInvalid, RateLimited
from chatcore.identity.model import (
    AuthThrottle,
    EmailConfirmation,
    OtpChallenge,
    Session,
    SessionId,
    User,
    UserId,
)
from chatcore.tenants.model import Tenant, TenantId, TenantSettings
from chatcore.testing._identity_kit import IdentityKit
from chatcore.unit_of_work import UnitOfWorkFactory

T0 = datetime(2026, 1, 1, 9, 30, 15, 123456, tzinfo=UTC)
replace = msgspec.structs.replace


async def _tenants(uow: UnitOfWorkFactory, *slugs: str) -> list[TenantId]:
    """Committed tenants with these slugs."""
    tenants = [
        Tenant(
            id=TenantId(uuid.uuid4()),
            slug=slug,
            name=slug,
            settings=TenantSettings(),
            created_at=T0,
        )
        for slug in slugs
    ]
    async with uow() as tx:
        for tenant in tenants:
            await tx.tenants.add(tenant)
        await tx.commit()
    return [t.id for t in tenants]


def _user(tenant_id: TenantId, email: str = "a@example.com") -> User:
    """A user with a password."""
    return User(
        id=UserId(uuid.uuid4()),
        tenant_id=tenant_id,
        email=email,
        password_hash="hash",
        email_confirmed_at=None,
        display_name=None,
        created_at=T0,
    )


def _session(tenant_id: TenantId, principal_id: uuid.UUID) -> Session:
    """A day-long user session."""
    return Session(
        id=SessionId(uuid.uuid4()),
        tenant_id=tenant_id,
        principal_id=principal_id,
        kind="user",
        created_at=T0,
        expires_at=T0 + timedelta(days=1),
        last_seen_at=T0,
        user_agent="Firefox",
    )


def _challenge(email: str = "a@example.com") -> OtpChallenge:
    """A ten-minute sign-in code challenge."""
    return OtpChallenge(
        email=email, code_hash="f" * 64, issued_at=T0, expires_at=T0 + timedelta(minutes=10)
    )


def _confirmation(user: User, token_hash: str = "c" * 64) -> EmailConfirmation:
    """A pending email confirmation of the user."""
    return EmailConfirmation(
        token_hash=token_hash,
        user_id=user.id,
        email=user.email,
        password_hash="pending",
        created_at=T0,
        expires_at=T0 + timedelta(hours=24),
    )


def _throttle(subject: str = "a@example.com") -> AuthThrottle:
    """Three login attempts counted for the subject."""
    return AuthThrottle(
        scope="login",
        subject=subject,
        count=3,
        window_started_at=T0,
        last_at=T0 + timedelta(seconds=5),
    )


class IdentityRepositoriesContract:
    """What every identity repository does (users, sessions, OTP challenges, email
    confirmations, throttles): tenant isolation, rollback, and exact counting when
    sign-ins race.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_users_read_back_by_id_and_email_and_change(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await _tenants(uow, "acme")
        user = _user(tenant)
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
        acme, other = await _tenants(uow, "acme", "other")
        async with uow() as tx:
            await tx.users.add(acme, _user(acme))
            await tx.commit()
        twin = _user(other)
        async with uow() as tx:
            with pytest.raises(Conflict):
                await tx.users.add(acme, _user(acme))
            await tx.users.add(other, twin)  # the transaction goes on after the conflict
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.users.get_by_email(other, "a@example.com") == twin

    async def test_sessions_are_stored_touched_and_revoked(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await _tenants(uow, "acme")
        owner, other_owner = uuid.uuid4(), uuid.uuid4()
        first, second, others = (
            _session(tenant, owner),
            _session(tenant, owner),
            _session(tenant, other_owner),
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
        [tenant] = await _tenants(uow, "acme")
        challenge = _challenge()
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

    async def test_confirmations_are_found_by_hash_and_forgotten_per_user(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        [tenant] = await _tenants(uow, "acme")
        user, other = _user(tenant), _user(tenant, "b@example.com")
        mine, also_mine = _confirmation(user, "1" * 64), _confirmation(user, "2" * 64)
        theirs = _confirmation(other, "3" * 64)
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

    async def test_throttles_count_per_scope_and_subject(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await _tenants(uow, "acme")
        login, mail = _throttle(), replace(_throttle(), scope="otp_mail")
        elsewhere = _throttle("b@example.com")
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

    async def test_nothing_is_kept_without_commit(self, uow: UnitOfWorkFactory) -> None:
        [tenant] = await _tenants(uow, "acme")
        user = _user(tenant)
        session = _session(tenant, user.id)
        with pytest.raises(RuntimeError):
            async with uow() as tx:
                await tx.users.add(tenant, user)
                await tx.sessions.add(tenant, session)
                await tx.otp_challenges.add(tenant, _challenge())
                await tx.auth_throttles.add(tenant, _throttle())
                raise RuntimeError("boom")
        async with uow() as tx:
            await tx.users.add(tenant, user)
            await tx.email_confirmations.add(tenant, _confirmation(user))
        async with uow(read_only=True) as tx:
            assert await tx.users.get(tenant, user.id) is None
            assert await tx.sessions.get(tenant, session.id) is None
            assert await tx.otp_challenges.get_for_update(tenant, "a@example.com") is None
            assert await tx.auth_throttles.get_for_update(tenant, "login", "a@example.com") is None
            assert await tx.email_confirmations.get_for_update(tenant, "c" * 64) is None

    async def test_no_tenant_reads_or_changes_another_tenants_rows(
        self, uow: UnitOfWorkFactory
    ) -> None:
        acme, intruder = await _tenants(uow, "acme", "intruder")
        user = _user(acme)
        session = _session(acme, user.id)
        confirmation = _confirmation(user)
        async with uow() as tx:
            await tx.users.add(acme, user)
            await tx.sessions.add(acme, session)
            await tx.otp_challenges.add(acme, _challenge())
            await tx.email_confirmations.add(acme, confirmation)
            await tx.auth_throttles.add(acme, _throttle())
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
            await tx.otp_challenges.update(intruder, replace(_challenge(), attempts=0, used_at=T0))
            await tx.auth_throttles.update(intruder, replace(_throttle(), count=0))
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
            assert await tx.otp_challenges.get_for_update(acme, "a@example.com") == _challenge()
            assert await tx.email_confirmations.get_for_update(acme, "c" * 64) == confirmation
            assert (
                await tx.auth_throttles.get_for_update(acme, "login", "a@example.com")
                == _throttle()
            )

    async def test_parallel_right_codes_sign_in_exactly_once(self, uow: UnitOfWorkFactory) -> None:
        kit = IdentityKit(uow)
        tenant = await kit.add_tenant()
        await kit.request_otp(tenant, "a@example.com")
        code = kit.mailer.last_code("a@example.com")

        results = await asyncio.gather(
            *(kit.verify_otp(tenant, "a@example.com", code, None) for _ in range(20)),
            return_exceptions=True,
        )

        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert all(isinstance(r, OtpInvalid) for r in results if isinstance(r, BaseException))

    async def test_parallel_wrong_guesses_all_count(self, uow: UnitOfWorkFactory) -> None:
        kit = IdentityKit(uow)
        tenant = await kit.add_tenant()
        await kit.request_otp(tenant, "a@example.com")
        code = kit.mailer.last_code("a@example.com")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"

        results = await asyncio.gather(
            *(kit.verify_otp(tenant, "a@example.com", wrong, None) for _ in range(50)),
            return_exceptions=True,
        )

        assert all(isinstance(r, OtpInvalid) for r in results)
        async with uow(read_only=True) as tx:
            challenge = await tx.otp_challenges.get_for_update(tenant.id, "a@example.com")
        assert challenge is not None and challenge.attempts == 50
        with pytest.raises(OtpInvalid):
            await kit.verify_otp(tenant, "a@example.com", code, None)

    async def test_parallel_code_requests_send_one_mail(self, uow: UnitOfWorkFactory) -> None:
        kit = IdentityKit(uow)
        tenant = await kit.add_tenant()

        results = await asyncio.gather(
            *(kit.request_otp(tenant, "new@example.com") for _ in range(10)),
            return_exceptions=True,
        )

        assert sum(r is None for r in results) == 1
        assert all(isinstance(r, RateLimited) for r in results if r is not None)
        assert len(kit.mailer.outbox) == 1
        code = kit.mailer.last_code("new@example.com")
        assert (await kit.verify_otp(tenant, "new@example.com", code, None)).user is not None

    async def test_parallel_password_guesses_are_all_counted(self, uow: UnitOfWorkFactory) -> None:
        kit = IdentityKit(uow)
        tenant = await kit.add_tenant()

        results = await asyncio.gather(
            *(kit.login(tenant, "a@example.com", f"guess number {i}", None) for i in range(20)),
            return_exceptions=True,
        )

        free = kit.policy.login_free_failures
        assert sum(isinstance(r, InvalidCredentials) for r in results) == free
        assert sum(isinstance(r, RateLimited) for r in results) == 20 - free
