"""Chats admitted, refused and settled through ChatService on memory adapters: the
rate limit, the quotas, the month, and usage accounted however a reply ends."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from adapters.events import InProcessEventBus
from adapters.prompts import FilePromptSource
from chatcore.dialogs.ports import ModelError
from chatcore.dialogs.stream import ChatStream
from chatcore.dialogs.use_cases.chat import ChatRequest, ChatService, ChatSettings
from chatcore.errors import NotFound, QuotaExceeded, RateLimited, TenantMismatch
from chatcore.identity.principal import Principal
from chatcore.kernel import TenantDefaults
from chatcore.pagination import PageRequest
from chatcore.tenants.model import Tenant
from chatcore.usage.model import Period
from chatcore.usage.use_cases import AdmitChat, GetUsage, SettleChat, UsageReport
from tests.unit.fakes_dialogs import DONE, HANG, DialogKit, Step, collect, principal_of

DEFAULTS = TenantDefaults(monthly_token_quota=10_000, rate_limit_per_minute=3)
COST = DONE.prompt_tokens + DONE.completion_tokens  # what one scripted reply costs


class UsageKit(DialogKit):
    """ChatService with real admission and settlement over the memory database."""

    def __init__(self, script: Sequence[Step] = ("Hi", " there", DONE)) -> None:
        super().__init__(script)
        self.settings = ChatSettings()
        self.events = InProcessEventBus()
        self.chat = ChatService(
            self.uow,
            self.model,
            FilePromptSource(),
            SettleChat(self.uow, self.ids, DEFAULTS, self.events),
            self.clock,
            self.ids,
            self.settings,
            admission=AdmitChat(self.clock, self.ids, DEFAULTS),
        )
        self.get_usage = GetUsage(self.uow, self.clock, DEFAULTS)

    async def ask(self, principal: Principal, tenant: Tenant, **request: object) -> ChatStream:
        return await self.chat.start(
            principal,
            tenant,
            ChatRequest(message="Hello?", **request),  # type: ignore[arg-type]
        )

    async def report(self, principal: Principal, tenant: Tenant) -> UsageReport:
        return await self.get_usage(principal, tenant)

    async def held(self, tenant: Tenant) -> int:
        async with self.uow() as tx:
            return await tx.usage.reserved(tenant.id, None, self.clock.now())

    async def dialogs(self, principal: Principal) -> int:
        return len((await self.list(principal, PageRequest())).items)


async def test_a_chat_is_billed_its_real_cost_and_holds_nothing_once_settled() -> None:
    kit = UsageKit()
    tenant = await kit.add_tenant()
    alice = principal_of(tenant)
    stream = await kit.ask(alice, tenant)
    assert await kit.held(tenant) == kit.settings.reservation_tokens
    await collect(stream)
    report = await kit.report(alice, tenant)
    period = Period.containing(kit.clock.now())
    assert (report.period_start, report.period_end) == (period.start, period.end)
    assert (report.prompt_tokens, report.completion_tokens, report.total_tokens) == (
        DONE.prompt_tokens,
        DONE.completion_tokens,
        COST,
    )
    assert (report.quota_tokens, report.remaining_tokens) == (10_000, 10_000 - COST)
    assert (report.rate_limit_per_minute, report.requests_this_minute) == (3, 1)
    assert await kit.held(tenant) == 0
    async with kit.uow() as tx:
        (entry,) = await tx.usage.entries(tenant.id, alice.id, period)
    assert (entry.dialog_id, entry.model, entry.at) == (
        stream.meta.dialog_id,
        "scripted",
        kit.clock.now(),
    )


async def test_past_the_rate_limit_a_chat_waits_for_the_oldest_and_stores_nothing() -> None:
    kit = UsageKit()
    tenant = await kit.add_tenant()
    alice = principal_of(tenant)
    for _ in range(3):
        await collect(await kit.ask(alice, tenant))
        kit.clock.advance(10)
    with pytest.raises(RateLimited) as refused:
        await kit.ask(alice, tenant)
    assert refused.value.retry_after == 30
    assert await kit.dialogs(alice) == 3
    assert (await kit.report(alice, tenant)).requests_this_minute == 3
    bob = principal_of(tenant)  # the limit is per principal
    await collect(await kit.ask(bob, tenant))
    kit.clock.advance(30)
    await collect(await kit.ask(alice, tenant))
    assert await kit.dialogs(alice) == 4


async def test_a_rate_limit_of_zero_turns_chat_off() -> None:
    kit = UsageKit()
    tenant = await kit.add_tenant(rate_limit_per_minute=0)
    with pytest.raises(RateLimited) as refused:
        await kit.ask(principal_of(tenant), tenant)
    assert refused.value.retry_after == 60


async def test_chats_go_on_while_quota_is_left_and_stop_when_it_is_used_up() -> None:
    kit = UsageKit()
    tenant = await kit.add_tenant(monthly_token_quota=COST + 1, rate_limit_per_minute=100)
    alice = principal_of(tenant)
    for _ in range(2):  # the second starts with 1 token left, and may pass the quota
        await collect(await kit.ask(alice, tenant))
    with pytest.raises(QuotaExceeded):
        await kit.ask(alice, tenant)
    assert await kit.dialogs(alice) == 2
    assert (await kit.report(alice, tenant)).remaining_tokens == 0
    assert await kit.held(tenant) == 0
    kit.clock.advance(31 * 24 * 3600)  # a new month, a new quota
    await collect(await kit.ask(alice, tenant))
    assert (await kit.report(alice, tenant)).total_tokens == COST


async def test_a_chat_in_flight_holds_its_estimate_against_the_quota() -> None:
    kit = UsageKit(("Hi", HANG))
    tenant = await kit.add_tenant(monthly_token_quota=kit.settings.reservation_tokens)
    alice = principal_of(tenant)
    first = await kit.ask(alice, tenant)
    with pytest.raises(QuotaExceeded):
        await kit.ask(alice, tenant)
    await first.aclose()
    await kit.ask(alice, tenant)


async def test_the_tenant_cap_bounds_all_its_principals_together() -> None:
    kit = UsageKit()
    tenant = await kit.add_tenant(tenant_monthly_token_cap=COST + 1)
    alice, bob, carol = (principal_of(tenant) for _ in range(3))
    await collect(await kit.ask(alice, tenant))
    await collect(await kit.ask(bob, tenant))
    with pytest.raises(QuotaExceeded):
        await kit.ask(carol, tenant)
    report = await kit.report(carol, tenant)
    assert (report.total_tokens, report.quota_tokens, report.remaining_tokens) == (0, 10_000, 0)


async def test_a_tenant_without_limits_of_its_own_has_the_deployments() -> None:
    kit = UsageKit()
    tenant = await kit.add_tenant(monthly_token_quota=500, rate_limit_per_minute=7)
    unset = await kit.add_tenant("unset")
    mine = await kit.report(principal_of(tenant), tenant)
    theirs = await kit.report(principal_of(unset), unset)
    assert (mine.quota_tokens, mine.rate_limit_per_minute) == (500, 7)
    assert (theirs.quota_tokens, theirs.rate_limit_per_minute) == (10_000, 3)
    assert theirs.remaining_tokens == 10_000


async def test_a_chat_refused_for_another_reason_counts_nothing() -> None:
    kit = UsageKit()
    tenant = await kit.add_tenant()
    alice = principal_of(tenant)
    with pytest.raises(NotFound):
        await kit.ask(alice, tenant, dialog_id=principal_of(tenant).id)
    assert (await kit.report(alice, tenant)).requests_this_minute == 0
    assert await kit.held(tenant) == 0


async def _cancelled(kit: UsageKit, stream: ChatStream) -> None:
    await anext(stream)
    await anext(stream)
    stream.cancel()
    await collect(stream)


async def _closed(kit: UsageKit, stream: ChatStream) -> None:
    await anext(stream)
    await anext(stream)
    await stream.aclose()


async def _dropped(kit: UsageKit, stream: ChatStream) -> None:
    consumer = asyncio.create_task(collect(stream))
    await kit.model.hanging.wait()
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    await kit.chat.drain()


async def _failed(kit: UsageKit, stream: ChatStream) -> None:
    await collect(stream)


@pytest.mark.parametrize(
    ("script", "end"),
    [
        (("Hi", HANG), _cancelled),
        (("Hi", HANG), _closed),
        (("Hi", HANG), _dropped),
        (("Hi", ModelError("llm_unavailable", "Down.")), _failed),
    ],
    ids=["cancelled", "closed", "dropped", "failed"],
)
async def test_a_reply_is_accounted_however_it_ends(script: Sequence[Step], end: object) -> None:
    kit = UsageKit(script)
    tenant = await kit.add_tenant()
    alice = principal_of(tenant)
    stream = await kit.ask(alice, tenant)
    await end(kit, stream)  # type: ignore[operator]
    detail = await kit.get(alice, stream.meta.dialog_id)
    reply = detail.messages[-1]
    report = await kit.report(alice, tenant)
    assert (report.prompt_tokens, report.completion_tokens) == (
        reply.prompt_tokens,
        reply.completion_tokens,
    )
    assert report.completion_tokens == 1 and report.prompt_tokens > 0
    assert await kit.held(tenant) == 0


async def test_a_reply_that_ends_in_the_next_month_is_billed_to_it() -> None:
    kit = UsageKit(("Hi", HANG))
    tenant = await kit.add_tenant()
    alice = principal_of(tenant)
    stream = await kit.ask(alice, tenant)
    march = Period.containing(kit.clock.now())
    await anext(stream)
    await anext(stream)
    kit.clock.advance(31 * 24 * 3600)
    await stream.aclose()
    assert (await kit.report(alice, tenant)).completion_tokens == 1
    assert await kit.held(tenant) == 0
    async with kit.uow() as tx:
        assert (await tx.usage.totals(tenant.id, alice.id, march)).total_tokens == 0


async def test_usage_is_reported_only_in_the_principals_own_tenant() -> None:
    kit = UsageKit()
    tenant, other = await kit.add_tenant(), await kit.add_tenant("other")
    with pytest.raises(TenantMismatch):
        await kit.report(principal_of(tenant), other)
