"""The UsageLedger contract, and chat admission on it: entries and monthly totals,
reservations, erasure, and exact admission under concurrency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import msgspec
import pytest

from chatcore.errors import QuotaExceeded, RateLimited
from chatcore.identity.principal import Principal
from chatcore.kernel import TenantDefaults
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.testing._support import T0, FixedClock, RandomIds, add_tenant
from chatcore.unit_of_work import UnitOfWorkFactory
from chatcore.usage.model import Period, Reservation, UsageEntry, UsageTotals
from chatcore.usage.use_cases import AdmitChat

MARCH = Period.containing(T0)
APRIL = Period.containing(T0 + timedelta(days=1))


def entry(principal_id: uuid.UUID, prompt: int, completion: int, at: datetime) -> UsageEntry:
    """A usage entry of the principal in a dialog of its own."""
    return UsageEntry(
        id=uuid.uuid4(),
        principal_id=principal_id,
        dialog_id=uuid.uuid4(),
        model="m",
        prompt_tokens=prompt,
        completion_tokens=completion,
        at=at,
    )


def hold(principal_id: uuid.UUID, tokens: int, expires_at: datetime) -> Reservation:
    """A reservation of ``tokens`` for the principal until ``expires_at``."""
    return Reservation(
        id=uuid.uuid4(), principal_id=principal_id, tokens=tokens, expires_at=expires_at
    )


async def admit_all(
    uow: UnitOfWorkFactory, tenant: Tenant, principals: list[Principal], estimate: int
) -> list[BaseException | None]:
    """Admit one chat per principal concurrently; each outcome, None if admitted."""
    admit = AdmitChat(FixedClock(T0), RandomIds(), TenantDefaults())

    async def one(principal: Principal) -> None:
        async with uow() as tx:
            await admit(tx, principal, tenant, estimate)
            await tx.commit()

    return await asyncio.gather(*(one(p) for p in principals), return_exceptions=True)


def principal_of(tenant: Tenant) -> Principal:
    """A fresh anonymous principal of the tenant."""
    return Principal(
        tenant_id=tenant.id, id=uuid.uuid4(), kind="anonymous", session_id=uuid.uuid4()
    )


class UsageLedgerContract:
    """What every UsageLedger does, reached through the unit of work, and exact chat
    admission on it under concurrency.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_entries_add_up_in_the_totals_of_their_month(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id = (await add_tenant(uow)).id
        alice, bob = uuid.uuid4(), uuid.uuid4()
        recorded = [entry(alice, 10, 2, T0), entry(bob, 5, 1, T0 + timedelta(seconds=1)),
                    entry(alice, 7, 3, T0 + timedelta(seconds=30))]  # fmt: skip
        for item in recorded:
            async with uow() as tx:
                await tx.usage.record(tenant_id, item)
                await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.usage.totals(tenant_id, alice, MARCH) == UsageTotals(
                prompt_tokens=10, completion_tokens=2
            )
            assert await tx.usage.totals(tenant_id, alice, APRIL) == UsageTotals(
                prompt_tokens=7, completion_tokens=3
            )
            assert await tx.usage.totals(tenant_id, None, MARCH) == UsageTotals(
                prompt_tokens=15, completion_tokens=3
            )
            assert await tx.usage.entries(tenant_id, alice, MARCH) == [recorded[0]]
            assert await tx.usage.entries(tenant_id, alice, APRIL) == [recorded[2]]
            assert await tx.usage.entries(tenant_id, bob, MARCH) == [recorded[1]]

    async def test_key_totals_add_up_the_months_entries_of_each_key(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id, other_tenant = (await add_tenant(uow)).id, (await add_tenant(uow, "o")).id
        alice, key, spare = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        stateless = msgspec.structs.replace(entry(alice, 1, 1, T0), dialog_id=None, api_key_id=key)
        recorded = [
            (tenant_id, stateless),
            (tenant_id, msgspec.structs.replace(entry(alice, 10, 2, T0), api_key_id=key)),
            (tenant_id, msgspec.structs.replace(entry(alice, 4, 4, T0), api_key_id=spare)),
            (tenant_id, entry(alice, 100, 100, T0)),  # made with a session: no key's
            (tenant_id, msgspec.structs.replace(entry(alice, 9, 9, APRIL.start), api_key_id=key)),
            (other_tenant, msgspec.structs.replace(entry(alice, 50, 50, T0), api_key_id=key)),
        ]
        async with uow() as tx:
            for owner_tenant, item in recorded:
                await tx.usage.record(owner_tenant, item)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.usage.key_totals(tenant_id, alice, MARCH) == {key: 14, spare: 8}
            assert await tx.usage.key_totals(tenant_id, alice, APRIL) == {key: 18}
            assert await tx.usage.key_totals(tenant_id, uuid.uuid4(), MARCH) == {}
            assert stateless in await tx.usage.entries(tenant_id, alice, MARCH)

    async def test_totals_start_at_zero_and_locking_them_changes_nothing(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id, alice = (await add_tenant(uow)).id, uuid.uuid4()
        async with uow() as tx:
            assert await tx.usage.lock_totals(tenant_id, alice, MARCH) == UsageTotals()
            assert await tx.usage.lock_totals(tenant_id, None, MARCH) == UsageTotals()
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.usage.totals(tenant_id, alice, MARCH) == UsageTotals()
            assert await tx.usage.entries(tenant_id, alice, MARCH) == []

    async def test_an_uncommitted_entry_leaves_no_trace(self, uow: UnitOfWorkFactory) -> None:
        tenant_id, alice = (await add_tenant(uow)).id, uuid.uuid4()
        async with uow() as tx:
            await tx.usage.record(tenant_id, entry(alice, 10, 2, T0))
        async with uow(read_only=True) as tx:
            assert await tx.usage.totals(tenant_id, alice, MARCH) == UsageTotals()
            assert await tx.usage.totals(tenant_id, None, MARCH) == UsageTotals()
            assert await tx.usage.entries(tenant_id, alice, MARCH) == []

    async def test_reservations_hold_tokens_until_released_or_expired(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id, alice, bob = (await add_tenant(uow)).id, uuid.uuid4(), uuid.uuid4()
        first, second = hold(alice, 100, T0 + timedelta(minutes=5)), hold(alice, 40, T0)
        async with uow() as tx:
            for reservation in (first, second, hold(bob, 7, T0 + timedelta(minutes=5))):
                await tx.usage.reserve(tenant_id, reservation, T0 - timedelta(seconds=1))
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.usage.reserved(tenant_id, alice, T0 - timedelta(seconds=1)) == 140
            assert await tx.usage.reserved(tenant_id, alice, T0) == 100  # the second expired
            assert await tx.usage.reserved(tenant_id, None, T0) == 107
        async with uow() as tx:
            assert await tx.usage.release(tenant_id, first.id) is True
            assert await tx.usage.release(tenant_id, first.id) is False
            assert await tx.usage.release(tenant_id, uuid.uuid4()) is False
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.usage.reserved(tenant_id, alice, T0 - timedelta(seconds=1)) == 40
            assert await tx.usage.reserved(tenant_id, None, T0) == 7

    async def test_a_new_reservation_forgets_the_expired_ones(self, uow: UnitOfWorkFactory) -> None:
        tenant_id, alice = (await add_tenant(uow)).id, uuid.uuid4()
        stale = hold(alice, 40, T0)
        async with uow() as tx:
            await tx.usage.reserve(tenant_id, stale, T0 - timedelta(hours=1))
            await tx.usage.reserve(tenant_id, hold(alice, 5, T0 + timedelta(hours=1)), T0)
            await tx.commit()
        async with uow() as tx:
            assert await tx.usage.release(tenant_id, stale.id) is False

    async def test_tenants_never_see_each_others_usage(self, uow: UnitOfWorkFactory) -> None:
        acme, other = (await add_tenant(uow, "acme")).id, (await add_tenant(uow, "other")).id
        alice = uuid.uuid4()
        reservation = hold(alice, 50, T0 + timedelta(hours=1))
        async with uow() as tx:
            await tx.usage.record(acme, entry(alice, 10, 2, T0))
            await tx.usage.reserve(acme, reservation, T0)
            await tx.commit()
        async with uow() as tx:
            assert await tx.usage.totals(other, alice, MARCH) == UsageTotals()
            assert await tx.usage.totals(other, None, MARCH) == UsageTotals()
            assert await tx.usage.entries(other, alice, MARCH) == []
            assert await tx.usage.reserved(other, None, T0) == 0
            assert await tx.usage.release(other, reservation.id) is False
            await tx.usage.delete_owned(other, alice)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert (await tx.usage.totals(acme, alice, MARCH)).total_tokens == 12
            assert await tx.usage.reserved(acme, alice, T0) == 50

    async def test_erasing_a_principal_keeps_only_the_tenants_totals(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant_id, alice, bob = (await add_tenant(uow)).id, uuid.uuid4(), uuid.uuid4()
        async with uow() as tx:
            await tx.usage.record(tenant_id, entry(alice, 10, 2, T0))
            await tx.usage.record(tenant_id, entry(bob, 1, 1, T0))
            await tx.usage.reserve(tenant_id, hold(alice, 50, T0 + timedelta(hours=1)), T0)
            await tx.commit()
        async with uow() as tx:
            await tx.usage.delete_owned(tenant_id, alice)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.usage.entries(tenant_id, alice, MARCH) == []
            assert await tx.usage.totals(tenant_id, alice, MARCH) == UsageTotals()
            assert await tx.usage.reserved(tenant_id, None, T0) == 0
            assert (await tx.usage.totals(tenant_id, None, MARCH)).total_tokens == 14
            assert len(await tx.usage.entries(tenant_id, bob, MARCH)) == 1

    @pytest.mark.parametrize(
        ("settings", "same_principal", "refusal"),
        [
            (TenantSettings(rate_limit_per_minute=5), True, RateLimited),
            (
                TenantSettings(monthly_token_quota=500, rate_limit_per_minute=100),
                True,
                QuotaExceeded,
            ),
            (
                TenantSettings(tenant_monthly_token_cap=500, rate_limit_per_minute=100),
                False,
                QuotaExceeded,
            ),
        ],
        ids=["rate-limit", "quota", "tenant-cap"],
    )
    async def test_fifty_concurrent_admissions_against_a_limit_of_five_admit_exactly_five(
        self,
        uow: UnitOfWorkFactory,
        settings: TenantSettings,
        same_principal: bool,
        refusal: type[Exception],
    ) -> None:
        tenant = await add_tenant(uow, settings=settings)
        alice = principal_of(tenant)
        principals = [alice if same_principal else principal_of(tenant) for _ in range(50)]
        outcomes = await admit_all(uow, tenant, principals, estimate=100)
        assert outcomes.count(None) == 5
        assert all(isinstance(o, refusal) for o in outcomes if o is not None), outcomes
        async with uow(read_only=True) as tx:
            assert await tx.usage.reserved(tenant.id, None, T0) == 500
