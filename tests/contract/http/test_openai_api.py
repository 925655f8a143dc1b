"""``/v1/models`` and ``/v1/chat/completions`` through the official ``openai`` SDK,
on a real server on loopback, authenticated by an API key: every OpenAI client is a
chatcore client, with the same admission, quotas, usage and documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from openai import (
    AsyncOpenAI,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
)

from chatcore.dialogs.tokens import estimate_tokens
from tests.contract.http.conftest import ServerFactory
from tests.contract.http.test_documents import PAGES, until_done
from tests.contract.http.test_foundation import ADMIN
from tests.support.live_server import LiveServer
from tests.support.openai_stub import OpenAIStub
from tests.support.pdfs import make_pdf
from tests.support.signing_in import bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer

QUESTION = [{"role": "user", "content": "Where do puffins nest?"}]


class Caller:
    """A signed-in user of a live server, its access token, and an SDK client on a key."""

    def __init__(self, live: LiveServer, token: str, key: dict[str, Any]) -> None:
        self.live, self.token, self.key = live, token, key
        self.sdk = AsyncOpenAI(base_url=f"{live.url}/v1", api_key=key["key"], max_retries=0)

    async def key_usage(self) -> int:
        listed = await self.live.client.get("/v1/api-keys", headers=bearer(self.token))
        (item,) = listed.json()["items"]
        tokens: int = item["total_tokens_this_month"]
        return tokens


async def caller_on(
    live: LiveServer, smtp: CapturingSmtpServer, tenant: str | None = None
) -> Caller:
    headers = {"X-Tenant-ID": tenant} if tenant else None
    credential = await sign_in_by_code(live.client, smtp, "sdk@example.test", headers)
    live.client.cookies.clear()
    token = credential["access_token"]
    made = await live.client.post("/v1/api-keys", json={"name": "sdk"}, headers=bearer(token))
    assert made.status_code == 201, made.text
    return Caller(live, token, made.json())


@pytest_asyncio.fixture
async def live(make_mail_server: ServerFactory) -> AsyncIterator[LiveServer]:
    async with make_mail_server() as server:
        yield server


@pytest_asyncio.fixture
async def caller(live: LiveServer, smtp: CapturingSmtpServer) -> Caller:
    return await caller_on(live, smtp)


async def test_the_models_are_listed(caller: Caller) -> None:
    models = [model async for model in caller.sdk.models.list()]
    assert [m.id for m in models] == ["chatcore", "chatcore-documents"]
    assert {(m.object, m.owned_by) for m in models} == {("model", "chatcore")}
    assert all(m.created > 0 for m in models)


async def test_a_whole_completion_is_billed_to_the_key_and_stores_nothing(caller: Caller) -> None:
    completion = await caller.sdk.chat.completions.create(
        model="chatcore",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Hello there"}]},
        ],
        max_tokens=200,
        temperature=0.2,
        user="someone",
    )
    assert completion.object == "chat.completion"
    assert completion.model == "chatcore"
    assert completion.id.startswith("chatcmpl-")
    (choice,) = completion.choices
    assert (choice.index, choice.message.role, choice.finish_reason) == (0, "assistant", "stop")
    assert choice.message.content
    usage = completion.usage
    assert usage is not None and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert await caller.key_usage() == usage.total_tokens
    report = await caller.live.client.get("/v1/usage", headers=bearer(caller.key["key"]))
    assert report.json()["total_tokens"] == usage.total_tokens
    assert report.json()["requests_this_minute"] == 1
    dialogs = await caller.live.client.get("/v1/dialogs", headers=bearer(caller.token))
    assert dialogs.json()["items"] == []
    assert "citations" not in (completion.model_extra or {})


@pytest.mark.parametrize("include_usage", [False, True])
async def test_a_streamed_completion_comes_as_the_sdk_expects(
    caller: Caller, include_usage: bool
) -> None:
    whole = await caller.sdk.chat.completions.create(model="chatcore", messages=QUESTION)
    options: Any = {"include_usage": True} if include_usage else None
    stream = await caller.sdk.chat.completions.create(
        model="chatcore", messages=QUESTION, stream=True, stream_options=options
    )
    chunks = [chunk async for chunk in stream]
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    with_choices = [c for c in chunks if c.choices]
    text = "".join(c.choices[0].delta.content or "" for c in with_choices)
    assert text == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in with_choices][-1] == "stop"
    assert all(c.choices[0].finish_reason is None for c in with_choices[:-1])
    if include_usage:
        last = chunks[-1]
        assert last.choices == [] and last.usage is not None
        assert last.usage.total_tokens == whole.usage.total_tokens  # type: ignore[union-attr]
        assert all(c.usage is None for c in chunks[:-1])
    else:
        assert chunks[-1].choices and all(c.usage is None for c in chunks)
    assert await caller.key_usage() == 2 * whole.usage.total_tokens  # type: ignore[union-attr]


async def test_chatcore_documents_answers_from_the_callers_documents_with_citations(
    caller: Caller,
) -> None:
    client = caller.live.client
    uploaded = await client.post(
        "/v1/documents",
        files={"file": ("guide.pdf", make_pdf(PAGES), "application/pdf")},
        headers=bearer(caller.key["key"]),
    )
    assert uploaded.status_code == 202, uploaded.text
    assert (await until_done(client, caller.token, uploaded.json()["id"]))["status"] == "ready"

    completion = await caller.sdk.chat.completions.create(
        model="chatcore-documents", messages=QUESTION
    )
    assert "burrows" in (completion.choices[0].message.content or "")
    citations = (completion.model_extra or {})["citations"]
    assert (citations[0]["document_id"], citations[0]["page"]) == (uploaded.json()["id"], 2)
    assert {"filename", "chunk_id", "score"} <= citations[0].keys()

    stream = await caller.sdk.chat.completions.create(
        model="chatcore-documents",
        messages=QUESTION,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert (chunks[-1].model_extra or {})["citations"] == citations
    finish = [c for c in chunks if c.choices][-1]
    assert (finish.model_extra or {})["citations"] == citations

    plain = await caller.sdk.chat.completions.create(model="chatcore", messages=QUESTION)
    assert "citations" not in (plain.model_extra or {})


async def test_a_revoked_key_raises_authentication_error(caller: Caller) -> None:
    revoked = await caller.live.client.delete(
        f"/v1/api-keys/{caller.key['id']}", headers=bearer(caller.token)
    )
    assert revoked.status_code == 204
    with pytest.raises(AuthenticationError) as raised:
        await caller.sdk.chat.completions.create(model="chatcore", messages=QUESTION)
    assert raised.value.code == "not_authenticated"
    with pytest.raises(AuthenticationError):
        await caller.sdk.models.list()


async def test_a_tenant_that_allows_no_chat_raises_rate_limit_error(
    live: LiveServer, smtp: CapturingSmtpServer
) -> None:
    created = await live.client.post(
        "/v1/tenants",
        json={"slug": "quiet", "name": "Quiet", "settings": {"rate_limit_per_minute": 0}},
        headers=ADMIN,
    )
    assert created.status_code == 201, created.text
    caller = await caller_on(live, smtp, "quiet")
    with pytest.raises(RateLimitError) as raised:
        await caller.sdk.chat.completions.create(model="chatcore", messages=QUESTION)
    assert raised.value.code == "rate_limited"
    assert int(raised.value.response.headers["retry-after"]) >= 1
    assert await caller.key_usage() == 0


IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}


@pytest.mark.parametrize(
    "request_body",
    [
        {"n": 2},
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        {"messages": [{"role": "user", "content": [IMAGE]}]},
        {"messages": [{"role": "tool", "content": "42", "tool_call_id": "x"}]},
    ],
)
async def test_what_chatcore_cannot_do_raises_bad_request_error(
    caller: Caller, request_body: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"model": "chatcore", "messages": QUESTION, **request_body}
    with pytest.raises(BadRequestError) as raised:
        await caller.sdk.chat.completions.create(**arguments)
    assert (raised.value.code, raised.value.param) == ("unsupported", None)
    assert await caller.key_usage() == 0


async def test_an_unknown_model_raises_not_found_error(caller: Caller) -> None:
    with pytest.raises(NotFoundError) as raised:
        await caller.sdk.chat.completions.create(model="gpt-4o", messages=QUESTION)
    assert raised.value.code == "model_not_found"


async def test_an_invalid_request_raises_bad_request_error_naming_the_field(
    caller: Caller,
) -> None:
    for arguments, param in [
        ({"messages": []}, "messages"),
        ({"messages": QUESTION, "temperature": 3}, "temperature"),
        ({"messages": [{"role": "system", "content": "Only a system prompt"}]}, "messages"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages"),
    ]:
        with pytest.raises(BadRequestError) as raised:
            await caller.sdk.chat.completions.create(model="chatcore", **arguments)
        assert (raised.value.code, raised.value.param) == ("validation_failed", param)


async def test_the_providers_own_token_counts_are_reported(
    make_mail_server: ServerFactory, smtp: CapturingSmtpServer, openai_stub: OpenAIStub
) -> None:
    async with make_mail_server(
        llm_provider="openai", openai_base_url=openai_stub.base_url
    ) as live:
        caller = await caller_on(live, smtp)
        completion = await caller.sdk.chat.completions.create(
            model="chatcore", messages=QUESTION, max_completion_tokens=50, temperature=0.5
        )
    (exchange,) = [e for e in openai_stub.exchanges if e.path == "/v1/chat/completions"]
    sent = exchange.body
    assert (sent["max_tokens"], sent["temperature"]) == (50, 0.5)
    assert completion.choices[0].message.content == openai_stub.config.reply
    # The stub counts without the framing our own estimates add to each message.
    assert completion.usage is not None
    prompt = sum(estimate_tokens(message["content"]) for message in sent["messages"])
    spent = sum(estimate_tokens(piece) for piece in openai_stub.config.pieces())
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (prompt, spent)
