"""Replies outlive their connection, over real HTTP: every SSE event carries the reply's
offset as its id; a client that hangs up resumes from it (``Last-Event-ID`` or
``?offset=``) and gets the rest exactly; stop ends every listener; strangers get 404."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.contract.http.chat_support import (
    SSE,
    anonymous,
    bearer,
    parse_sse,
    stored_reply,
)
from tests.contract.http.conftest import ServerFactory
from tests.contract.http.test_foundation import assert_problem
from tests.support.live_server import LiveServer
from tests.support.openai_stub import OpenAIStub

Event = tuple[int, str, dict[str, Any]]
WORDS = 60
FULL_REPLY = " ".join(f"w{i}" for i in range(WORDS)) + "."


@pytest_asyncio.fixture
async def live(make_server: ServerFactory, openai_stub: OpenAIStub) -> AsyncIterator[LiveServer]:
    """A served app on the stub, whose replies take about a second and a half."""
    openai_stub.configure(chunks=WORDS, delay=0.025)
    async with make_server(
        llm_provider="openai", openai_base_url=openai_stub.base_url, openai_api_key="k"
    ) as server:
        yield server


def with_ids(body: str) -> list[Event]:
    """The ``(id, event, data)`` triples of an SSE body."""
    events: list[Event] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        ids = [line[3:].strip() for line in block.split("\n") if line.startswith("id:")]
        for name, data in parse_sse(block):
            events.append((int(ids[0]), name, data))
    return events


async def read_events(response: httpx.Response, count: int) -> list[Event]:
    """The first ``count`` events of a streaming response (then the caller hangs up)."""
    events: list[Event] = []
    block: list[str] = []
    async for line in response.aiter_lines():
        if line:
            block.append(line)
            continue
        events += with_ids("\n".join(block) + "\n\n")
        block = []
        if len(events) >= count:
            break
    return events


async def start_then_drop(live: LiveServer, token: str, events: int) -> list[Event]:
    async with live.client.stream(
        "POST", "/v1/chat", json={"message": "Tell me a story"},
        headers={**bearer(token), **SSE},
    ) as response:  # fmt: skip
        assert response.status_code == 200
        return await read_events(response, events)


def text_of(events: list[Event]) -> str:
    return "".join(data["text"] for _, name, data in events if name == "delta")


async def resume(live: LiveServer, token: str, reply_id: str, **how: Any) -> httpx.Response:
    headers = {**bearer(token), **SSE, **how.pop("headers", {})}
    return await live.client.get(f"/v1/chat/{reply_id}/stream", params=how, headers=headers)


async def test_every_event_has_the_offset_of_the_text_sent_so_far(live: LiveServer) -> None:
    token = await anonymous(live.client)
    response = await live.client.post(
        "/v1/chat", json={"message": "Hi"}, headers={**bearer(token), **SSE}
    )
    events = with_ids(response.text)
    assert events[0][:2] == (0, "meta")
    sent = 0
    for event_id, name, data in events[1:]:
        sent += len(data["text"]) if name == "delta" else 0
        assert event_id == sent
    assert text_of(events) == FULL_REPLY and events[-1][1] == "done"


async def test_a_dropped_client_resumes_with_last_event_id_and_gets_exactly_the_rest(
    live: LiveServer,
) -> None:
    token = await anonymous(live.client)
    seen = await start_then_drop(live, token, events=4)
    meta = seen[0][2]
    last_id = seen[-1][0]
    assert last_id == len(text_of(seen)) > 0
    response = await resume(
        live, token, meta["assistant_message_id"], headers={"Last-Event-ID": str(last_id)}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    rest = with_ids(response.text)
    assert rest[0] == (last_id, "meta", meta)
    assert text_of(seen) + text_of(rest) == FULL_REPLY
    assert [name for _, name, _ in rest][-2:] == ["usage", "done"]
    assert rest[-1][2] == {"finish_reason": "stop"}
    stored = await stored_reply(live.client, token, meta["dialog_id"])
    assert stored["content"] == FULL_REPLY


async def test_a_finished_reply_replays_its_rest_from_the_query_offset(live: LiveServer) -> None:
    token = await anonymous(live.client)
    seen = await start_then_drop(live, token, events=2)
    meta = seen[0][2]
    await stored_reply(live.client, token, meta["dialog_id"], within=10)
    response = await resume(live, token, meta["assistant_message_id"], offset=5)
    rest = with_ids(response.text)
    assert [(i, name) for i, name, _ in rest] == [
        (5, "meta"), (len(FULL_REPLY), "delta"), (len(FULL_REPLY), "usage"),
        (len(FULL_REPLY), "done"),
    ]  # fmt: skip
    assert FULL_REPLY[:5] + text_of(rest) == FULL_REPLY
    everything = with_ids((await resume(live, token, meta["assistant_message_id"])).text)
    assert text_of(everything) == FULL_REPLY
    at_the_end = await resume(live, token, meta["assistant_message_id"], offset=len(FULL_REPLY))
    assert [name for _, name, _ in with_ids(at_the_end.text)] == ["meta", "usage", "done"]


async def test_two_resumers_at_once_each_get_the_rest(live: LiveServer) -> None:
    token = await anonymous(live.client)
    seen = await start_then_drop(live, token, events=3)
    meta, offset = seen[0][2], seen[-1][0]
    one, two = await asyncio.gather(
        resume(live, token, meta["assistant_message_id"], offset=offset),
        resume(live, token, meta["assistant_message_id"], offset=0),
    )
    assert text_of(seen) + text_of(with_ids(one.text)) == FULL_REPLY
    assert text_of(with_ids(two.text)) == FULL_REPLY


async def test_stop_from_another_connection_ends_every_listener_with_cancelled(
    live: LiveServer,
) -> None:
    token = await anonymous(live.client)
    seen = await start_then_drop(live, token, events=2)
    reply_id = seen[0][2]["assistant_message_id"]

    async def listen() -> list[Event]:
        return with_ids((await resume(live, token, reply_id, offset=0)).text)

    listeners = [asyncio.create_task(listen()) for _ in range(2)]
    await asyncio.sleep(0.2)
    stopped = await live.client.post(f"/v1/chat/{reply_id}/stop", headers=bearer(token))
    assert stopped.status_code == 204 and stopped.content == b""
    for events in await asyncio.gather(*listeners):
        assert [name for _, name, _ in events][-2:] == ["usage", "done"]
        assert events[-1][2] == {"finish_reason": "cancelled"}
        assert FULL_REPLY.startswith(text_of(events)) and text_of(events) != FULL_REPLY
    stored = await stored_reply(live.client, token, seen[0][2]["dialog_id"])
    assert stored["finish_reason"] == "cancelled"
    again = await live.client.post(f"/v1/chat/{reply_id}/stop", headers=bearer(token))
    assert again.status_code == 204
    assert (await stored_reply(live.client, token, seen[0][2]["dialog_id"])) == stored


async def test_another_principals_or_an_unknown_reply_is_404(live: LiveServer) -> None:
    token, stranger = await anonymous(live.client), await anonymous(live.client)
    seen = await start_then_drop(live, token, events=1)
    meta = seen[0][2]
    for reply_id in (meta["assistant_message_id"], meta["user_message_id"], str(uuid.uuid4())):
        response = await resume(live, stranger, reply_id)
        assert_problem(response, 404, "not_found")
        stopped = await live.client.post(f"/v1/chat/{reply_id}/stop", headers=bearer(stranger))
        assert_problem(stopped, 404, "not_found")
    # The question is not a reply, to its owner either.
    assert_problem(await resume(live, token, meta["user_message_id"]), 404, "not_found")
    await live.client.post(f"/v1/chat/{meta['assistant_message_id']}/stop", headers=bearer(token))


@pytest.mark.parametrize(
    "how",
    [
        {"headers": {"Last-Event-ID": "-1"}},
        {"headers": {"Last-Event-ID": "1e3"}},
        {"headers": {"Last-Event-ID": "\u0663".encode()}},  # a digit, not an ASCII one
        {"headers": {"Last-Event-ID": "9" * 30}},
        {"offset": "-1"},
        {"offset": "abc"},
        {"offset": str(10**12)},
        {"offset": str(10**6)},  # past the end of the finished reply
    ],
)
async def test_a_malformed_or_impossible_offset_is_422(
    live: LiveServer, how: dict[str, Any]
) -> None:
    token = await anonymous(live.client)
    seen = await start_then_drop(live, token, events=1)
    meta = seen[0][2]
    await stored_reply(live.client, token, meta["dialog_id"], within=10)
    response = await resume(live, token, meta["assistant_message_id"], **how)
    assert_problem(response, 422, "validation_failed")


async def test_resume_and_stop_need_a_credential_and_stop_refuses_a_foreign_cookie_origin(
    live: LiveServer,
) -> None:
    token = await anonymous(live.client)
    seen = await start_then_drop(live, token, events=1)
    reply_id = seen[0][2]["assistant_message_id"]
    async with httpx.AsyncClient(base_url=live.url, trust_env=False) as bare:
        assert_problem(await bare.get(f"/v1/chat/{reply_id}/stream"), 401, "not_authenticated")
        assert_problem(await bare.post(f"/v1/chat/{reply_id}/stop"), 401, "not_authenticated")
        bare.cookies.set("chatcore_session", token)
        cross_site = await bare.post(
            f"/v1/chat/{reply_id}/stop", headers={"Origin": "https://evil.example"}
        )
        assert_problem(cross_site, 403, "csrf_rejected")
        assert (await bare.get("/v1/chat/not-a-uuid/stream")).status_code == 404
    await live.client.post(f"/v1/chat/{reply_id}/stop", headers=bearer(token))
