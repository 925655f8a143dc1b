"""The quota warning: the settle that takes a principal's month to 80% of its quota
tells the principal once; later settles of the month do not; the next month warns
again. On memory adapters, through SettleChat and through ChatService."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.events import InProcessEventBus
from adapters.memory import MemoryDatabase
from chatcore.events import AvatarChanged, Event, QuotaWarning, Subscription
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId, RandomIdFactory, TenantDefaults, TenantId, UsageRecord
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.usage.model import Period
from chatcore.usage.use_cases import SettleChat, crosses_warning
from tests.unit.fakes import T0
from tests.unit.fakes_dialogs import collect, principal_of
from tests.unit.test_usage import COST, UsageKit

QUOTA = 1_000
MARKER = AvatarChanged(avatar_url="marker")


class WarningKit:
    """SettleChat on a memory database, one tenant with a quota of QUOTA tokens."""

    def __init__(self, quota: int | None = QUOTA) -> None:
        self.uow = MemoryDatabase().unit_of_work
        self.events = InProcessEventBus()
        self.settle = SettleChat(
            self.uow, RandomIdFactory(), TenantDefaults(monthly_token_quota=50), self.events
        )
        self.tenant = Tenant(
            id=TenantId(uuid.uuid4()),
            slug="acme",
            name="Acme",
            created_at=T0,
            settings=TenantSettings(monthly_token_quota=quota),
        )

    async def add_tenant(self) -> WarningKit:
        async with self.uow() as tx:
            await tx.tenants.add(self.tenant)
            await tx.commit()
        return self

    async def spend(self, principal: Principal, tokens: int, at: datetime = T0) -> None:
        await self.settle.record(
            UsageRecord(
                tenant_id=principal.tenant_id,
                principal_id=principal.id,
                dialog_id=DialogId(uuid.uuid4()),
                model="scripted",
                prompt_tokens=tokens - tokens // 3,
                completion_tokens=tokens // 3,
                at=at,
            )
        )

    async def told(self, principal: Principal, subscription: Subscription) -> list[Event]:
        """Every event the subscription got so far (a marker sent last ends the wait)."""
        await self.events.publish(principal.tenant_id, principal.id, MARKER)
        seen: list[Event] = []
        async with asyncio.timeout(5):
            async for event in subscription:
                if event == MARKER:
                    return seen
                seen.append(event)
        raise AssertionError("the subscription ended")


@pytest.fixture
async def kit() -> AsyncIterator[WarningKit]:
    yield await WarningKit().add_tenant()


def warning(total: int, at: datetime = T0, quota: int = QUOTA) -> QuotaWarning:
    end = Period.containing(at).end
    return QuotaWarning(total_tokens=total, quota_tokens=quota, period_end=end)


async def test_the_settle_that_reaches_80_percent_warns_once(kit: WarningKit) -> None:
    alice = principal_of(kit.tenant)
    async with kit.events.subscribe(alice.tenant_id, alice.id) as tab:
        await kit.spend(alice, 700)
        assert await kit.told(alice, tab) == []
        await kit.spend(alice, 150)
        assert await kit.told(alice, tab) == [warning(850)]
        await kit.spend(alice, 100)
        await kit.spend(alice, 300)  # past the quota itself: still no second warning
        assert await kit.told(alice, tab) == []


async def test_exactly_80_percent_warns_and_just_below_does_not(kit: WarningKit) -> None:
    alice = principal_of(kit.tenant)
    async with kit.events.subscribe(alice.tenant_id, alice.id) as tab:
        await kit.spend(alice, 799)
        assert await kit.told(alice, tab) == []
        await kit.spend(alice, 1)
        assert await kit.told(alice, tab) == [warning(800)]


async def test_a_new_month_warns_again(kit: WarningKit) -> None:
    alice = principal_of(kit.tenant)
    april = T0 + timedelta(days=31)
    async with kit.events.subscribe(alice.tenant_id, alice.id) as tab:
        await kit.spend(alice, 900)
        await kit.spend(alice, 50)
        await kit.spend(alice, 900, at=april)
        await kit.spend(alice, 50, at=april)
        assert await kit.told(alice, tab) == [warning(900), warning(900, at=april)]
    assert warning(900).period_end < warning(900, at=april).period_end


async def test_only_the_principal_who_crossed_is_warned(kit: WarningKit) -> None:
    alice, bob = principal_of(kit.tenant), principal_of(kit.tenant)
    async with (
        kit.events.subscribe(alice.tenant_id, alice.id) as alices,
        kit.events.subscribe(bob.tenant_id, bob.id) as bobs,
    ):
        await kit.spend(alice, 500)
        await kit.spend(bob, 500)  # the tenant's month passes 800, no principal's does
        assert await kit.told(alice, alices) == [] and await kit.told(bob, bobs) == []
        await kit.spend(bob, 400)
        assert await kit.told(alice, alices) == []
        assert await kit.told(bob, bobs) == [warning(900)]


async def test_concurrent_settles_that_cross_together_warn_once(kit: WarningKit) -> None:
    alice = principal_of(kit.tenant)
    async with kit.events.subscribe(alice.tenant_id, alice.id) as tab:
        await asyncio.gather(*(kit.spend(alice, 100) for _ in range(12)))
        assert await kit.told(alice, tab) == [warning(800)]


async def test_the_deployment_default_quota_applies_when_the_tenant_sets_none() -> None:
    kit = await WarningKit(quota=None).add_tenant()
    alice = principal_of(kit.tenant)
    async with kit.events.subscribe(alice.tenant_id, alice.id) as tab:
        await kit.spend(alice, 39)
        await kit.spend(alice, 1)
        assert await kit.told(alice, tab) == [warning(40, quota=50)]


async def test_a_quota_of_zero_never_warns() -> None:
    kit = await WarningKit(quota=0).add_tenant()
    alice = principal_of(kit.tenant)
    async with kit.events.subscribe(alice.tenant_id, alice.id) as tab:
        await kit.spend(alice, 10)
        assert await kit.told(alice, tab) == []


async def test_a_chat_that_crosses_the_line_warns_its_principals_socket() -> None:
    kit, quota = UsageKit(), COST + 1  # one chat takes the month past 80%
    tenant = await kit.add_tenant(monthly_token_quota=quota)
    alice = principal_of(tenant)
    async with kit.events.subscribe(alice.tenant_id, alice.id) as tab:
        await collect(await kit.ask(alice, tenant))
        async with asyncio.timeout(5):
            event = await anext(aiter(tab))
    assert event == QuotaWarning(
        total_tokens=COST,
        quota_tokens=quota,
        period_end=Period.containing(kit.clock.now()).end,
    )


@given(st.lists(st.integers(min_value=0, max_value=400), max_size=30), st.integers(0, 3000))
def test_a_month_of_settles_crosses_the_line_at_most_once(spends: list[int], quota: int) -> None:
    total, crossings = 0, 0
    for tokens in spends:
        crossings += crosses_warning(total, total + tokens, quota)
        total += tokens
    assert crossings == (1 if quota > 0 and total * 5 >= quota * 4 else 0)
