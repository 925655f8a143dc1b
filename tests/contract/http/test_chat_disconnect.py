"""A client that hangs up mid-stream, over real HTTP. By default the reply runs on to
its end; with ``CHATCORE_CANCEL_ON_DISCONNECT=true`` the model call stops, the reply so
far is stored as ``cancelled``, and no task or database connection is left behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio

from tests.contract.http.chat_support import (
    SSE,
    anonymous,
    bearer,
    chat,
    eventually,
    no_new_tasks,
    stored_messages,
    stored_reply,
)
from tests.contract.http.conftest import ServerFactory
from tests.support.live_server import LiveServer
from tests.support.openai_stub import OpenAIStub

DROPS = 200
FULL_REPLY = " ".join(f"w{i}" for i in range(200)) + "."


@pytest_asyncio.fixture
async def live(make_server: ServerFactory, openai_stub: OpenAIStub) -> AsyncIterator[LiveServer]:
    """A served app on the stub that cancels a reply nobody listens to, with limits no
    loop here reaches."""
    openai_stub.configure(chunks=200, delay=0.02)  # a reply that outlasts every test
    async with make_server(
        cancel_on_disconnect="true",
        llm_provider="openai",
        openai_base_url=openai_stub.base_url,
        openai_api_key="k",
        rate_limit_per_minute="100000",
        monthly_token_quota="1000000000",
    ) as server:
        yield server


async def drop_after(live: LiveServer, token: str, events: int) -> str | None:
    """Start a chat, read ``events`` SSE events, hang up; the dialog id, if read."""
    dialog_id = None
    async with live.client.stream(
        "POST", "/v1/chat", json={"message": "Tell me a long story"},
        headers={**bearer(token), **SSE},
    ) as response:  # fmt: skip
        assert response.status_code == 200
        seen = 0
        lines = response.aiter_lines()
        while seen < events:
            line = await anext(lines)
            if line.startswith("data:") and dialog_id is None:
                dialog_id = line.split('"dialog_id":"', 1)[1].split('"', 1)[0]
            seen += line == ""  # a blank line ends an event
    return dialog_id


async def test_by_default_a_dropped_client_leaves_the_reply_running_to_its_end(
    make_server: ServerFactory, openai_stub: OpenAIStub
) -> None:
    openai_stub.configure(chunks=40, delay=0.02)
    async with make_server(
        llm_provider="openai", openai_base_url=openai_stub.base_url, openai_api_key="k"
    ) as live:
        token = await anonymous(live.client)
        dialog_id = await drop_after(live, token, events=3)
        assert dialog_id is not None
        reply = await stored_reply(live.client, token, dialog_id, within=10)
        assert (reply["content"], reply["finish_reason"]) == (
            " ".join(f"w{i}" for i in range(40)) + ".",
            "stop",
        )
        assert openai_stub.exchanges[-1].completed
        await live.container.use_cases.live_replies().drain()
        assert live.container.use_cases.live_replies().running() == []
        # None held for good (the job worker takes one now and then).
        pool = live.container.adapters.engine().pool
        await eventually(lambda: pool.checkedout() == 0)


async def test_a_dropped_client_stops_the_model_and_stores_a_cancelled_reply(
    live: LiveServer, openai_stub: OpenAIStub
) -> None:
    token = await anonymous(live.client)
    baseline = set(asyncio.all_tasks())
    dialog_id = await drop_after(live, token, events=4)  # meta and three deltas
    assert dialog_id is not None
    # The upstream call ends soon after the client leaves, long before the reply would.
    assert await openai_stub.wait_for(lambda s: s.exchanges[-1].client_closed, within=2.0)
    assert not openai_stub.exchanges[-1].completed
    reply = await stored_reply(live.client, token, dialog_id)
    assert reply["finish_reason"] == "cancelled"
    content = str(reply["content"])
    assert content.startswith("w0 w1 w2 ")
    assert FULL_REPLY.startswith(content) and content != FULL_REPLY
    await live.container.use_cases.live_replies().drain()
    await no_new_tasks(baseline)
    # None held for good (the job worker takes one now and then).
    pool = live.container.adapters.engine().pool
    await eventually(lambda: pool.checkedout() == 0)


async def test_connect_then_drop_loops_leave_nothing_behind(
    live: LiveServer, openai_stub: OpenAIStub
) -> None:
    token = await anonymous(live.client)
    baseline = set(asyncio.all_tasks())
    for i in range(DROPS):
        # Hang up at each stage: before the body, after meta, after the first delta.
        await drop_after(live, token, events=i % 3)
    # At least every chat dropped after a delta reached the model; every call that
    # reached it was hung up on, none ran to its end.
    assert len(openai_stub.exchanges) >= DROPS // 3
    await eventually(lambda: all(e.client_closed for e in openai_stub.exchanges))
    assert not any(e.completed for e in openai_stub.exchanges)
    await live.container.use_cases.live_replies().drain()
    await no_new_tasks(baseline)
    # None held for good (the job worker takes one now and then).
    pool = live.container.adapters.engine().pool
    await eventually(lambda: pool.checkedout() == 0)
    page = await live.client.get("/v1/dialogs", params={"limit": 200}, headers=bearer(token))
    assert len(page.json()["items"]) == DROPS
    # Every question has its reply, cancelled, whenever the client left.
    for item in page.json()["items"][:20]:
        messages = await stored_messages(live.client, token, item["id"])
        assert [m["finish_reason"] for m in messages] == [None, "cancelled"]
    openai_stub.configure(reply="Still here.")
    events = await chat(live.client, token, "Are you there?")
    assert [name for name, _ in events][-1] == "done"
    assert "".join(data["text"] for name, data in events if name == "delta") == "Still here."
