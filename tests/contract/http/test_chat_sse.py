"""``POST /v1/chat`` as server-sent events: order, payloads, headers, history, failures."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from chatcore.dialogs.tokens import estimate_tokens
from http_shell import streaming
from tests.contract.http.chat_support import (
    SSE,
    Client,
    anonymous,
    bearer,
    chat,
    parse_sse,
    stored_messages,
)
from tests.contract.http.conftest import ServerFactory
from tests.contract.http.test_foundation import assert_problem
from tests.support.live_server import LiveServer
from tests.support.openai_stub import PROVIDER_SECRET, OpenAIStub

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest_asyncio.fixture
async def live(make_server: ServerFactory, openai_stub: OpenAIStub) -> AsyncIterator[LiveServer]:
    """A served app whose model is the OpenAI stub, through the real SDK."""
    async with make_server(
        llm_provider="openai", openai_base_url=openai_stub.base_url, openai_api_key="k"
    ) as server:
        yield server


@pytest.fixture
def stub_client(live: LiveServer) -> Client:
    """A client of ``live``."""
    return live.client


def names(events: list[tuple[str, Any]]) -> list[str]:
    return [name for name, _ in events]


def text_of(events: list[tuple[str, Any]]) -> str:
    return "".join(data["text"] for name, data in events if name == "delta")


async def test_events_come_in_order_with_exact_payloads(
    stub_client: Client, openai_stub: OpenAIStub
) -> None:
    openai_stub.configure(reply="One two three.")
    token = await anonymous(stub_client)
    events = await chat(stub_client, token, "Count to three")
    assert names(events) == ["meta", "delta", "delta", "delta", "usage", "done"]
    meta = events[0][1]
    assert set(meta) == {"dialog_id", "user_message_id", "assistant_message_id"}
    assert all(UUID.match(value) for value in meta.values())
    assert [data for _, data in events[1:4]] == [
        {"text": "One "},
        {"text": "two "},
        {"text": "three."},
    ]
    sent = openai_stub.exchanges[-1].body["messages"]
    prompt = sum(estimate_tokens(m["content"]) for m in sent)
    completion = sum(estimate_tokens(piece) for piece in ("One ", "two ", "three."))
    assert events[4][1] == {"prompt_tokens": prompt, "completion_tokens": completion}
    assert events[5][1] == {"finish_reason": "stop"}
    stored = await stored_messages(stub_client, token, meta["dialog_id"])
    assert [m["id"] for m in stored] == [meta["user_message_id"], meta["assistant_message_id"]]
    assert stored[1]["content"] == "One two three."
    assert (stored[1]["prompt_tokens"], stored[1]["completion_tokens"]) == (prompt, completion)


async def test_the_stream_has_its_headers_and_is_never_compressed(client: Client) -> None:
    token = await anonymous(client)
    response = await client.post(
        "/v1/chat",
        json={"message": "hello " * 400},
        headers={**bearer(token), **SSE, "Accept-Encoding": "gzip, br, deflate"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-encoding" not in response.headers
    assert names(parse_sse(response.text))[-1] == "done"


async def test_the_local_model_streams_word_by_word(client: Client) -> None:
    token = await anonymous(client)
    events = await chat(client, token, "What can you do?")
    assert names(events)[0] == "meta" and names(events)[-2:] == ["usage", "done"]
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert len(deltas) > 10
    assert "No language model is configured" in "".join(deltas)
    assert events[-1][1] == {"finish_reason": "stop"}


async def test_a_new_dialog_is_titled_from_the_first_message(client: Client) -> None:
    token = await anonymous(client)
    events = await chat(client, token, "  Plan a trip to Lisbon\nin May, for two  ")
    dialog_id = events[0][1]["dialog_id"]
    dialog = (await client.get(f"/v1/dialogs/{dialog_id}", headers=bearer(token))).json()
    assert dialog["title"] == "Plan a trip to Lisbon"
    listed = (await client.get("/v1/dialogs", headers=bearer(token))).json()["items"]
    assert [item["id"] for item in listed] == [dialog_id]


async def test_continuing_a_dialog_sends_its_history(
    stub_client: Client, openai_stub: OpenAIStub
) -> None:
    token = await anonymous(stub_client)
    openai_stub.configure(reply="Paris.")
    first = await chat(stub_client, token, "Capital of France?")
    dialog_id = first[0][1]["dialog_id"]
    openai_stub.configure(reply="Berlin.")
    second = await chat(stub_client, token, "And of Germany?", dialog_id=dialog_id)
    assert second[0][1]["dialog_id"] == dialog_id
    sent = openai_stub.exchanges[-1].body["messages"]
    assert [(m["role"], m["content"]) for m in sent if m["role"] != "system"] == [
        ("user", "Capital of France?"),
        ("assistant", "Paris."),
        ("user", "And of Germany?"),
    ]
    stored = await stored_messages(stub_client, token, dialog_id)
    assert [m["content"] for m in stored] == [
        "Capital of France?", "Paris.", "And of Germany?", "Berlin.",
    ]  # fmt: skip


async def test_a_provider_failure_mid_stream_is_an_error_event_and_a_stored_error(
    stub_client: Client, openai_stub: OpenAIStub
) -> None:
    openai_stub.configure(chunks=10, drop_after=4)  # the role chunk and three words
    token = await anonymous(stub_client)
    response = await stub_client.post(
        "/v1/chat", json={"message": "Talk"}, headers={**bearer(token), **SSE}
    )
    assert response.status_code == 200
    assert PROVIDER_SECRET not in response.text
    events = parse_sse(response.text)
    assert names(events) == ["meta", "delta", "delta", "delta", "error"]
    error = events[-1][1]
    assert set(error) == {"code", "detail"}
    assert error["code"] == "llm_unavailable"
    stored = await stored_messages(stub_client, token, events[0][1]["dialog_id"])
    assert stored[1]["finish_reason"] == "error"
    assert stored[1]["content"] == "w0 w1 w2 "


async def test_a_rejected_provider_key_is_llm_auth_failed(
    stub_client: Client, openai_stub: OpenAIStub
) -> None:
    openai_stub.configure(errors=[401])
    token = await anonymous(stub_client)
    response = await stub_client.post(
        "/v1/chat", json={"message": "Hello"}, headers={**bearer(token), **SSE}
    )
    assert PROVIDER_SECRET not in response.text
    events = parse_sse(response.text)
    assert names(events) == ["meta", "error"]
    assert events[1][1]["code"] == "llm_auth_failed"
    stored = await stored_messages(stub_client, token, events[0][1]["dialog_id"])
    assert [(m["role"], m["finish_reason"]) for m in stored] == [
        ("user", None), ("assistant", "error"),
    ]  # fmt: skip


async def test_an_unknown_dialog_is_a_404_problem_not_a_stream(client: Client) -> None:
    token = await anonymous(client)
    response = await client.post(
        "/v1/chat",
        json={"message": "hi", "dialog_id": str(uuid.uuid4())},
        headers={**bearer(token), **SSE},
    )
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("body", [{"message": ""}, {"message": "   "}, {}, {"message": 3}])
async def test_an_invalid_message_is_422(client: Client, body: dict[str, Any]) -> None:
    token = await anonymous(client)
    response = await client.post("/v1/chat", json=body, headers={**bearer(token), **SSE})
    problem = assert_problem(response, 422, "validation_failed")
    assert problem["errors"][0]["field"] == "message"
    assert (await client.get("/v1/dialogs", headers=bearer(token))).json()["items"] == []


async def test_malformed_json_is_400(client: Client) -> None:
    token = await anonymous(client)
    response = await client.post(
        "/v1/chat",
        content=b'{"message": ',
        headers={**bearer(token), **SSE, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed_body")


async def test_chat_needs_a_credential(client: Client) -> None:
    response = await client.post("/v1/chat", json={"message": "hi"}, headers=SSE)
    assert_problem(response, 401, "not_authenticated")


async def test_a_keep_alive_comment_is_sent_while_the_model_is_silent(
    stub_client: Client, openai_stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streaming, "KEEPALIVE_SECONDS", 0.05)
    openai_stub.configure(reply="Late.", first_byte_delay=0.5)
    token = await anonymous(stub_client)
    response = await stub_client.post(
        "/v1/chat", json={"message": "Hello"}, headers={**bearer(token), **SSE}
    )
    blocks = response.text.split("\r\n\r\n")
    # A bare comment: a data line, even empty, would be an event to a browser.
    assert ": keep-alive" in blocks
    events = parse_sse(response.text, comments=True)
    assert names(events)[0] == "meta"
    assert names(events)[1] == ":"
    assert [name for name in names(events) if name != ":"] == [
        "meta", "delta", "usage", "done",
    ]  # fmt: skip


async def test_64_concurrent_chats_on_sqlite_all_complete(
    live: LiveServer, openai_stub: OpenAIStub
) -> None:
    stub_client = live.client
    openai_stub.configure(chunks=5, delay=0.01)
    tokens = [await anonymous(stub_client) for _ in range(8)]
    results = await asyncio.gather(
        *(stub_client.post(
            "/v1/chat",
            json={"message": f"question {i}"},
            headers={**bearer(tokens[i % 8]), **SSE},
        ) for i in range(64)),
        return_exceptions=True,
    )  # fmt: skip
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    for response in results:
        assert not isinstance(response, BaseException)
        assert response.status_code == 200, response.text
        events = parse_sse(response.text)
        assert names(events)[-1] == "done", response.text
        assert text_of(events) == "w0 w1 w2 w3 w4."
    await live.container.use_cases.live_replies().drain()
    total = 0
    for token in tokens:
        listed = (await stub_client.get("/v1/dialogs", headers=bearer(token))).json()["items"]
        for item in listed:
            stored = await stored_messages(stub_client, token, item["id"])
            assert [m["finish_reason"] for m in stored] == [None, "stop"]
            total += 1
    assert total == 64
