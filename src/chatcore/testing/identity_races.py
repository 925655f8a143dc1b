"""The identity contract under concurrency: identity's use cases, run in parallel on
the repositories, count every attempt and sign in exactly once."""

from __future__ import annotations

import asyncio

import pytest

from chatcore.errors import InvalidCredentials, OtpInvalid, RateLimited
from chatcore.testing._identity_kit import IdentityKit
from chatcore.unit_of_work import UnitOfWorkFactory


class IdentityRacesContract:
    """Sign-ins that race: one code signs in once, every guess counts. Needs a
    fixture ``uow``."""

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
