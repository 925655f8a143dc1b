"""``GET /v1/usage`` and the limits on ``POST /v1/chat``: the figures match the
streams' ``usage`` events, and refusals are 429 problems that store nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from chatcore.usage.model import RATE_WINDOW, Period
from tests.contract.http.chat_support import SSE, Client, anonymous, bearer, chat, container_of
from tests.contract.http.conftest import ClientFactory
from tests.contract.http.test_foundation import assert_problem
from tests.unit.fakes import FakeClock

USAGE = "/v1/usage"


async def usage_of(client: Client, token: str) -> dict[str, Any]:
    response = await client.get(USAGE, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def usage_event(events: list[tuple[str, Any]]) -> dict[str, int]:
    (usage,) = [data for name, data in events if name == "usage"]
    return dict(usage)


async def dialog_count(client: Client, token: str) -> int:
    response = await client.get("/v1/dialogs", headers=bearer(token))
    return len(response.json()["items"])


async def test_usage_adds_up_the_usage_events_of_the_month(make_client: ClientFactory) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with make_client(clock=clock) as client:
        token = await anonymous(client)
        fresh = await usage_of(client, token)
        used = [usage_event(await chat(client, token, question))
                for question in ("Hello", "And what else can you tell me?")]  # fmt: skip
        report = await usage_of(client, token)
    prompt = sum(u["prompt_tokens"] for u in used)
    completion = sum(u["completion_tokens"] for u in used)
    period = Period.containing(clock.now())
    assert report == {
        "period_start": period.start.isoformat().replace("+00:00", "Z"),
        "period_end": period.end.isoformat().replace("+00:00", "Z"),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "quota_tokens": 1_000_000,
        "remaining_tokens": 1_000_000 - prompt - completion,
        "rate_limit_per_minute": 30,
        "requests_this_minute": 2,
    }
    assert (fresh["total_tokens"], fresh["requests_this_minute"]) == (0, 0)
    assert prompt > 0 and completion > 0


async def test_past_the_rate_limit_a_chat_is_429_with_retry_after_and_stores_nothing(
    make_client: ClientFactory,
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with make_client(clock=clock, rate_limit_per_minute="2") as client:
        token, other = await anonymous(client), await anonymous(client)
        await chat(client, token, "One")
        clock.advance(15)
        await chat(client, token, "Two")
        clock.advance(5)
        refused = await client.post(
            "/v1/chat", json={"message": "Three"}, headers={**bearer(token), **SSE}
        )
        body = assert_problem(refused, 429, "rate_limited")
        assert refused.headers["retry-after"] == "40"  # the first chat ages out at +60 s
        assert body["detail"]
        assert await dialog_count(client, token) == 2
        report = await usage_of(client, token)
        assert (report["rate_limit_per_minute"], report["requests_this_minute"]) == (2, 2)
        await chat(client, other, "Mine")  # the limit is each principal's own
        clock.advance(40)
        await chat(client, token, "Three, again")
        assert await dialog_count(client, token) == 3


async def test_a_used_up_quota_is_429_quota_exceeded(make_client: ClientFactory) -> None:
    async with make_client(monthly_token_quota="1") as client:
        token = await anonymous(client)
        # One token left is room enough to start: a chat may pass the quota once.
        await chat(client, token, "Hello")
        refused = await client.post(
            "/v1/chat", json={"message": "Again"}, headers={**bearer(token), **SSE}
        )
        assert_problem(refused, 429, "quota_exceeded")
        assert "retry-after" not in refused.headers
        assert await dialog_count(client, token) == 1
        report = await usage_of(client, token)
        assert (report["quota_tokens"], report["remaining_tokens"]) == (1, 0)
        assert report["total_tokens"] > 1


async def test_the_tenant_cap_refuses_everyone_once_it_is_used_up(
    make_client: ClientFactory,
) -> None:
    async with make_client() as client:
        created = await client.post(
            "/v1/tenants",
            json={"slug": "capped", "name": "Capped",
                  "settings": {"tenant_monthly_token_cap": 1}},
            headers={"X-Admin-Token": "test-admin-token"},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        first, second = await anonymous(client, "capped"), await anonymous(client, "capped")
        await chat(client, first, "Hello")
        refused = await client.post(
            "/v1/chat", json={"message": "Me too"}, headers={**bearer(second), **SSE}
        )
        assert_problem(refused, 429, "quota_exceeded")
        assert (await usage_of(client, second))["remaining_tokens"] == 0


async def test_usage_needs_a_credential(client: Client) -> None:
    assert_problem(await client.get(USAGE), 401, "not_authenticated")


async def test_a_deleted_session_takes_its_usage_along_but_the_tenant_keeps_the_sum(
    client: Client,
) -> None:
    created = await client.post("/v1/sessions")
    session_id, token = created.json()["session_id"], created.json()["access_token"]
    used = usage_event(await chat(client, token, "Hello"))
    deleted = await client.delete(f"/v1/sessions/{session_id}", headers=bearer(token))
    assert deleted.status_code == 204, deleted.text
    container = container_of(client)
    tenant = await container.use_cases.find_tenant()("default")
    now = datetime.now(UTC)
    period, principal_id = Period.containing(now), uuid.UUID(session_id)
    async with container.adapters.uow()(read_only=True) as tx:
        assert await tx.usage.entries(tenant.id, principal_id, period) == []
        assert (await tx.usage.totals(tenant.id, principal_id, period)).total_tokens == 0
        assert await tx.rate_limiter.count(tenant.id, principal_id, RATE_WINDOW, now) == 0
        everyone = await tx.usage.totals(tenant.id, None, period)
    assert msgspec.structs.asdict(everyone) == used
