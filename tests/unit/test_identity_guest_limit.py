"""Anonymous sessions are counted per client address, an hour at a time, and the
purge forgets the counters of addresses long quiet."""

from __future__ import annotations

import asyncio

import pytest

from chatcore.errors import RateLimited
from chatcore.identity.policy import IdentityPolicy
from chatcore.identity.use_cases.housekeeping import PurgeExpired
from tests.unit.fakes import IdentityKit

ADDRESS, OTHER = "203.0.113.7", "198.51.100.1"


async def test_an_address_starts_its_hours_worth_of_guest_sessions_then_waits() -> None:
    kit = IdentityKit(policy=IdentityPolicy(anonymous_sessions_per_hour=3))
    tenant = await kit.add_tenant()
    for _ in range(3):
        await kit.create_anonymous(tenant, None, ADDRESS)
        kit.clock.advance(60)

    with pytest.raises(RateLimited) as refused:
        await kit.create_anonymous(tenant, None, ADDRESS)

    # The window opened with the first session, three minutes ago.
    assert refused.value.retry_after == 3600 - 180
    await kit.create_anonymous(tenant, None, OTHER)
    kit.clock.advance(3600 - 180)
    await kit.create_anonymous(tenant, None, ADDRESS)


async def test_a_refused_attempt_is_not_counted() -> None:
    kit = IdentityKit(policy=IdentityPolicy(anonymous_sessions_per_hour=1))
    tenant = await kit.add_tenant()
    await kit.create_anonymous(tenant, None, ADDRESS)
    for _ in range(5):
        with pytest.raises(RateLimited):
            await kit.create_anonymous(tenant, None, ADDRESS)
    kit.clock.advance(3600)
    await kit.create_anonymous(tenant, None, ADDRESS)
    with pytest.raises(RateLimited):
        await kit.create_anonymous(tenant, None, ADDRESS)


async def test_concurrent_guests_from_one_address_are_counted_one_by_one() -> None:
    kit = IdentityKit(policy=IdentityPolicy(anonymous_sessions_per_hour=4))
    tenant = await kit.add_tenant()
    outcomes = await asyncio.gather(
        *(kit.create_anonymous(tenant, None, ADDRESS) for _ in range(20)),
        return_exceptions=True,
    )
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 4
    assert sum(isinstance(o, RateLimited) for o in outcomes) == 16


async def test_a_caller_inside_the_process_names_no_address_and_is_not_counted() -> None:
    kit = IdentityKit(policy=IdentityPolicy(anonymous_sessions_per_hour=0))
    tenant = await kit.add_tenant()
    await kit.create_anonymous(tenant, None)
    with pytest.raises(RateLimited):
        await kit.create_anonymous(tenant, None, ADDRESS)


async def test_the_purge_forgets_the_counters_of_quiet_addresses_only() -> None:
    kit = IdentityKit(policy=IdentityPolicy(anonymous_sessions_per_hour=1))
    tenant = await kit.add_tenant()
    await kit.create_anonymous(tenant, None, ADDRESS)
    kit.clock.advance(2 * 86400)
    await kit.create_anonymous(tenant, None, OTHER)

    report = await PurgeExpired(kit.uow, kit.clock)()

    assert report.auth_throttles == 1
    async with kit.uow() as uow:
        assert await uow.auth_throttles.get_for_update(tenant.id, "guest_session", ADDRESS) is None
        kept = await uow.auth_throttles.get_for_update(tenant.id, "guest_session", OTHER)
    assert kept is not None and kept.count == 1
