"""``GET /metrics`` after a workload: the figures match what happened, labels come from
fixed sets only, and the scrape can be closed off by a token or turned off."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.http.chat_support import SSE, anonymous, bearer, chat
from tests.contract.http.conftest import ClientFactory, ServerFactory
from tests.support.scrape import Series, moved, parse, value

TOKENS = "chatcore_model_tokens_total"
REQUESTS = "chatcore_http_request_duration_seconds_count"
REPLIES = "chatcore_chat_replies_total"
LOCAL = {"provider": "local", "model": "local"}


async def scrape(client: Any, **headers: str) -> Series:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


async def scrape_until(client: Any, done: Callable[[Series], bool]) -> Series:
    """Scrape until ``done`` holds (the server learns of a hang-up a moment later; on
    a busy machine, several moments)."""
    for _ in range(600):
        series = await scrape(client)
        if done(series):
            return series
        await asyncio.sleep(0.05)
    raise AssertionError("the metrics never got there")


async def test_a_chat_moves_the_counters_by_exactly_its_usage(client: Any) -> None:
    token = await anonymous(client)
    before = await scrape(client)
    events = await chat(client, token, "How do puffins raise their chicks?")
    after = await scrape(client)
    usage = dict(events)["usage"]
    assert moved(before, after, TOKENS, kind="prompt", **LOCAL) == usage["prompt_tokens"]
    assert moved(before, after, TOKENS, kind="completion", **LOCAL) == usage["completion_tokens"]
    assert moved(before, after, REPLIES, finish_reason="stop", **LOCAL) == 1
    first_token = "chatcore_model_time_to_first_token_seconds_count"
    assert moved(before, after, first_token, **LOCAL) == 1
    assert moved(before, after, REQUESTS, route="/v1/chat", method="POST", status="200") == 1


async def test_an_error_status_is_counted_under_its_route_template(client: Any) -> None:
    token = await anonymous(client)
    before = await scrape(client)
    missing = uuid.uuid4()
    response = await client.get(f"/v1/dialogs/{missing}", headers=bearer(token))
    assert response.status_code == 404
    unknown = await client.get(f"/no/such/{missing}")
    assert unknown.status_code == 404
    after = await scrape(client)
    counted = {
        dict(labels)["route"]
        for (name, labels), _ in after.items()
        if name == REQUESTS and dict(labels)["status"] == "404"
        if moved(before, after, REQUESTS, **dict(labels)) == 1
    }
    assert len(counted) == 2, counted
    assert "unmatched" in counted
    (template,) = counted - {"unmatched"}
    assert template.startswith("/v1/dialogs/{") and str(missing) not in template


async def test_streams_open_go_up_and_back_to_zero(make_server: ServerFactory) -> None:
    async with make_server(local_model_wps="5") as live:
        http = live.client
        token = await anonymous(http)
        before = await scrape(http)
        assert value(before, "chatcore_streams_open", kind="sse") == 0
        async with http.stream(
            "POST",
            "/v1/chat",
            json={"message": "Tell me a long story"},
            headers={**bearer(token), **SSE},
        ) as response:
            assert response.status_code == 200
            async for _ in response.aiter_lines():
                break  # the stream has started
            during = await scrape(http)
            assert value(during, "chatcore_streams_open", kind="sse") == 1
        # The hang-up closes the stream (the reply itself runs on, unlistened).
        await scrape_until(http, lambda now: value(now, "chatcore_streams_open", kind="sse") == 0)


async def test_the_pool_gauges_show_the_configured_pool_with_nothing_held(
    make_client: ClientFactory,
) -> None:
    async with make_client(db_pool_size="7") as client:
        await anonymous(client)
        series = await scrape(client)
    assert value(series, "chatcore_db_pool_size") == 7
    assert value(series, "chatcore_db_pool_overflow") == 0
    # The scrape itself holds none; the session's request gave its connection back.
    assert value(series, "chatcore_db_pool_checked_out") == 0


async def test_ingestions_are_counted_by_outcome_and_pages(client: Any) -> None:
    from tests.contract.http.test_documents import PAGES, until_done, upload
    from tests.support.pdfs import make_pdf

    token = await anonymous(client)
    before = await scrape(client)
    good = (await upload(client, token, make_pdf(PAGES))).json()
    bad = (await upload(client, token, b"%PDF-1.4 not really", "broken.pdf")).json()
    assert (await until_done(client, token, good["id"]))["status"] == "ready"
    assert (await until_done(client, token, bad["id"]))["status"] == "failed"
    after = await scrape(client)
    job = {"kind": "ingest_document"}
    assert moved(before, after, "chatcore_jobs_ended_total", outcome="ready", **job) == 1
    assert moved(before, after, "chatcore_jobs_ended_total", outcome="failed", **job) == 1
    assert moved(before, after, "chatcore_job_failures_total", reason="unreadable", **job) == 1
    assert moved(before, after, "chatcore_ingested_pages_total") == len(PAGES)
    assert value(after, "chatcore_jobs_in_flight", **job) == 0


async def test_series_stay_bounded_whatever_the_users_send(client: Any) -> None:
    """Many users, tenants' worth of ids, odd methods and paths, messages: the series
    grow by the routes and statuses touched, not by any of those values."""
    await client.get("/metrics")
    before = await scrape(client)
    secrets_seen: list[str] = []
    for n in range(12):
        token = await anonymous(client)
        message = f"private message {uuid.uuid4()}"
        secrets_seen += [token, message]
        await chat(client, token, message)
        random_id = str(uuid.uuid4())
        secrets_seen.append(random_id)
        await client.get(f"/v1/dialogs/{random_id}", headers=bearer(token))
        await client.get(f"/{random_id}/x{n}")
        await client.request(f"BREW{n}", "/health")
        await client.get("/v1/dialogs", headers={"X-Tenant-ID": f"tenant-{n}@example.com"})
    response = await client.get("/metrics")
    after = parse(response.text)
    new = set(after) - set(before)
    assert len(new) <= 60, sorted(new)  # a few routes and statuses, with their buckets
    assert not [s for s in secrets_seen if s in response.text]
    methods = {dict(labels).get("method") for name, labels in after if name == REQUESTS}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    # (the global registry also holds other tests' series, so look for these values)
    assert not [n for n in range(12) if f"tenant-{n}@example.com" in response.text]
    assert "@" not in response.text


class TestTheToken:
    TOKEN = "scrape-token-0123456789"

    @pytest.fixture
    async def guarded(self, make_client: ClientFactory) -> Any:
        async with make_client(metrics_token=self.TOKEN) as client:
            yield client

    async def test_the_right_bearer_token_scrapes(self, guarded: Any) -> None:
        await scrape(guarded, Authorization=f"Bearer {self.TOKEN}")

    @pytest.mark.parametrize(
        "authorization",
        [
            None,
            "Bearer wrong",
            f"Basic {TOKEN}",
            f"Bearer {TOKEN}x",
            f"bearer  {TOKEN}",
            "Bearer " + "x" * 10_000,
            "Bearer \u00e9t\u00e9".encode(),
        ],
    )
    async def test_anything_else_is_a_401_problem(
        self, guarded: Any, authorization: str | bytes | None
    ) -> None:
        headers = {} if authorization is None else {"Authorization": authorization}
        response = await guarded.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not_authenticated"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "chatcore_" not in response.text

    async def test_only_get_is_allowed_and_a_foreign_origin_gets_no_cors(
        self, guarded: Any
    ) -> None:
        posted = await guarded.post(
            "/metrics",
            headers={"Authorization": f"Bearer {self.TOKEN}", "Origin": "https://evil.example"},
        )
        assert posted.status_code == 405
        read = await guarded.get(
            "/metrics",
            headers={"Authorization": f"Bearer {self.TOKEN}", "Origin": "https://evil.example"},
        )
        assert read.status_code == 200
        assert "access-control-allow-origin" not in read.headers


async def test_metrics_can_be_turned_off(make_client: ClientFactory) -> None:
    async with make_client(metrics="false") as client:
        response = await client.get("/metrics")
        assert response.status_code == 404
        assert response.headers["x-request-id"]  # request ids stay


async def test_the_scrape_is_not_in_the_api_description(client: Any) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/metrics" not in schema["paths"]


async def test_concurrent_scrapes_and_requests_agree(client: Any) -> None:
    before = await scrape(client)
    await asyncio.gather(*(client.get("/health") for _ in range(20)))
    after = await scrape(client)
    assert moved(before, after, REQUESTS, route="/health", method="GET", status="200") == 20
