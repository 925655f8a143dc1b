"""The RateLimiter contract: a sliding window per subject, counted atomically inside
the caller's transaction."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from chatcore.kernel import TenantId
from chatcore.testing._support import T0, add_tenant
from chatcore.unit_of_work import UnitOfWorkFactory

MINUTE = timedelta(minutes=1)


async def acquire(
    uow: UnitOfWorkFactory, tenant_id: TenantId, subject: uuid.UUID, limit: int, at: datetime
) -> int:
    """Acquire a slot in a committed transaction; the seconds to wait, 0 if admitted."""
    async with uow() as tx:
        wait = await tx.rate_limiter.acquire(tenant_id, subject, limit, MINUTE, at)
        await tx.commit()
    return wait


async def count(
    uow: UnitOfWorkFactory, tenant_id: TenantId, subject: uuid.UUID, at: datetime
) -> int:
    """How many requests of the subject the window holds at ``at``."""
    async with uow(read_only=True) as tx:
        return await tx.rate_limiter.count(tenant_id, subject, MINUTE, at)


class RateLimiterContract:
    """What every RateLimiter does, reached through the unit of work.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_requests_pass_up_to_the_limit_then_wait_for_the_oldest_to_age_out(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id, subject = (await add_tenant(uow)).id, uuid.uuid4()
        at = [T0, T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)]
        assert [await acquire(uow, tenant_id, subject, 3, t) for t in at] == [0, 0, 0]
        assert await count(uow, tenant_id, subject, at[-1]) == 3
        # At +25 s the first request frees its slot 60 s after it came: 35 s later.
        assert await acquire(uow, tenant_id, subject, 3, T0 + timedelta(seconds=25)) == 35
        assert await acquire(uow, tenant_id, subject, 3, T0 + timedelta(seconds=59.5)) == 1
        assert await count(uow, tenant_id, subject, T0 + timedelta(seconds=59.5)) == 3
        assert await acquire(uow, tenant_id, subject, 3, T0 + MINUTE) == 0
        # The second is now the oldest of three again.
        assert await acquire(uow, tenant_id, subject, 3, T0 + MINUTE) == 10
        assert await count(uow, tenant_id, subject, T0 + 3 * MINUTE) == 0

    async def test_a_lower_limit_waits_for_enough_requests_to_age_out(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id, subject = (await add_tenant(uow)).id, uuid.uuid4()
        for second in (0, 10, 20, 30):
            assert await acquire(uow, tenant_id, subject, 4, T0 + timedelta(seconds=second)) == 0
        # Three of four must age out before a limit of 2 has room: the third at +80 s.
        assert await acquire(uow, tenant_id, subject, 2, T0 + timedelta(seconds=40)) == 40

    async def test_a_limit_of_zero_admits_nothing(self, uow: UnitOfWorkFactory) -> None:
        tenant_id, subject = (await add_tenant(uow)).id, uuid.uuid4()
        assert await acquire(uow, tenant_id, subject, 0, T0) == 60
        assert await count(uow, tenant_id, subject, T0) == 0

    async def test_an_uncommitted_request_is_not_counted(self, uow: UnitOfWorkFactory) -> None:
        tenant_id, subject = (await add_tenant(uow)).id, uuid.uuid4()
        async with uow() as tx:
            assert await tx.rate_limiter.acquire(tenant_id, subject, 1, MINUTE, T0) == 0
        assert await count(uow, tenant_id, subject, T0) == 0
        assert await acquire(uow, tenant_id, subject, 1, T0) == 0

    async def test_subjects_and_tenants_are_counted_apart(self, uow: UnitOfWorkFactory) -> None:
        acme, other = (await add_tenant(uow, "acme")).id, (await add_tenant(uow, "other")).id
        alice, bob = uuid.uuid4(), uuid.uuid4()
        assert await acquire(uow, acme, alice, 1, T0) == 0
        assert await acquire(uow, acme, alice, 1, T0) > 0
        assert await acquire(uow, acme, bob, 1, T0) == 0
        assert await acquire(uow, other, alice, 1, T0) == 0
        assert await count(uow, other, bob, T0) == 0

    async def test_forget_drops_only_that_subjects_counter(self, uow: UnitOfWorkFactory) -> None:
        tenant_id, alice, bob = (await add_tenant(uow)).id, uuid.uuid4(), uuid.uuid4()
        for subject in (alice, bob):
            assert await acquire(uow, tenant_id, subject, 1, T0) == 0
        async with uow() as tx:
            await tx.rate_limiter.forget(tenant_id, alice)
            await tx.commit()
        assert await count(uow, tenant_id, alice, T0) == 0
        assert await count(uow, tenant_id, bob, T0) == 1
        assert await acquire(uow, tenant_id, alice, 1, T0) == 0

    async def test_fifty_concurrent_requests_against_a_limit_of_five_admit_exactly_five(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id, subject = (await add_tenant(uow)).id, uuid.uuid4()
        waits = await asyncio.gather(*(acquire(uow, tenant_id, subject, 5, T0) for _ in range(50)))
        assert waits.count(0) == 5
        assert all(wait == 60 for wait in waits if wait)
        assert await count(uow, tenant_id, subject, T0) == 5
