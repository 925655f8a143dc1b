"""OpenAIChatModel beyond the shared contract: what it sends, how provider failures
become ModelErrors, retries only before the first delta, and hanging up upstream.
Every case runs the real SDK against the OpenAI-compatible stub."""

from __future__ import annotations

import inspect
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
import pytest
import pytest_asyncio

from adapters.llm import DEEPSEEK_BASE_URL, OpenAIChatModel
from adapters.llm.wire import ChatStreamParser, StreamFailed
from chatcore.dialogs.ports import Completion, ModelError, ModelEvent, ModelRequest, TextDelta, Turn
from chatcore.dialogs.tokens import estimate_tokens
from tests.support.openai_stub import PROVIDER_SECRET, OpenAIStub

API_KEY = "sk-test-0123456789abcdef"
QUESTION = ModelRequest(turns=(Turn("system", "Be brief."), Turn("user", "Say hello.")))

ModelFactory = Callable[..., OpenAIChatModel]


@pytest_asyncio.fixture
async def stub() -> AsyncIterator[OpenAIStub]:
    async with OpenAIStub() as server:
        yield server


@pytest_asyncio.fixture
async def make_model(stub: OpenAIStub) -> AsyncIterator[ModelFactory]:
    """Builds adapters on the stub (no retries unless asked); closes them afterwards."""
    models: list[OpenAIChatModel] = []

    def make(**options: Any) -> OpenAIChatModel:
        settings: dict[str, Any] = {
            "api_key": API_KEY,
            "model": "stub-model",
            "base_url": stub.base_url,
            "max_retries": 0,
            "timeout": 5,
        }
        models.append(OpenAIChatModel(**(settings | options)))
        return models[-1]

    yield make
    for model in models:
        await model.close()


async def drain(
    model: OpenAIChatModel, request: ModelRequest = QUESTION, seen: list[ModelEvent] | None = None
) -> list[ModelEvent]:
    events = seen if seen is not None else []
    async for event in model.stream(request):
        events.append(event)
    return events


async def test_the_request_asks_for_a_stream_with_usage(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    request = ModelRequest(turns=QUESTION.turns, model="gpt-special", max_tokens=50)
    events = await drain(make_model(), request)
    (exchange,) = stub.exchanges
    assert exchange.path == "/v1/chat/completions"
    assert exchange.headers["authorization"] == f"Bearer {API_KEY}"
    assert exchange.headers["content-type"] == "application/json"
    assert exchange.body["stream"] is True
    assert exchange.body["stream_options"] == {"include_usage": True}
    assert exchange.body["model"] == "gpt-special"
    assert exchange.body["max_tokens"] == 50
    assert exchange.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hello."},
    ]
    assert isinstance(events[-1], Completion) and events[-1].model == "gpt-special"


async def test_without_a_model_in_the_request_the_default_is_used(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    await drain(make_model(model="house-model"))
    assert stub.exchanges[0].body["model"] == "house-model"
    assert "max_tokens" not in stub.exchanges[0].body


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, "llm_auth_failed"),
        (403, "llm_auth_failed"),
        (429, "llm_rate_limited"),
        (500, "llm_unavailable"),
        (503, "llm_unavailable"),
        (400, "llm_unavailable"),
    ],
)
async def test_an_error_status_becomes_a_model_error_with_a_safe_detail(
    stub: OpenAIStub,
    make_model: ModelFactory,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: str,
) -> None:
    stub.configure(errors=[status])
    with (
        caplog.at_level(logging.WARNING, logger="chatcore.llm"),
        pytest.raises(ModelError) as caught,
    ):
        await drain(make_model())
    assert caught.value.code == code
    assert caught.value.detail and PROVIDER_SECRET not in caught.value.detail
    assert PROVIDER_SECRET in caplog.text  # the provider's words are kept for the operator
    assert API_KEY not in caplog.text


async def test_a_failure_before_streaming_is_retried(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    stub.configure(errors=[500, 429])
    events = await drain(make_model(max_retries=2))
    assert isinstance(events[-1], Completion) and events[-1].finish_reason == "stop"
    assert [e.status for e in stub.exchanges] == [500, 429, 200]


async def test_a_stream_broken_after_deltas_fails_and_is_not_retried(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    stub.configure(drop_after=3)  # the role chunk, then two content deltas
    seen: list[ModelEvent] = []
    with pytest.raises(ModelError) as caught:
        await drain(make_model(max_retries=3), seen=seen)
    assert caught.value.code == "llm_unavailable"
    assert [type(e) for e in seen] == [TextDelta, TextDelta]
    assert len(stub.exchanges) == 1


async def test_no_answer_in_time_is_unavailable(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    stub.configure(first_byte_delay=2)
    started = time.monotonic()
    with pytest.raises(ModelError) as caught:
        await drain(make_model(timeout=0.2))
    assert caught.value.code == "llm_unavailable"
    assert time.monotonic() - started < 1.5


async def test_a_stream_that_stalls_is_unavailable(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    stub.configure(drop_after=2, drop="stall")
    seen: list[ModelEvent] = []
    with pytest.raises(ModelError) as caught:
        await drain(make_model(timeout=0.2), seen=seen)
    assert caught.value.code == "llm_unavailable"
    assert seen == [TextDelta("Hello ")]


async def test_an_unreachable_provider_is_unavailable(make_model: ModelFactory) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ModelError) as caught:
        await drain(make_model(base_url=f"http://127.0.0.1:{port}/v1"))
    assert caught.value.code == "llm_unavailable"


async def test_closing_early_hangs_up_on_the_provider(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    stub.configure(chunks=100, delay=0.01)
    stream = make_model().stream(QUESTION)
    assert isinstance(await anext(stream), TextDelta)
    await stream.aclose()  # type: ignore[attr-defined]
    assert await stub.wait_for(lambda s: s.exchanges[0].client_closed, within=1)
    assert not stub.exchanges[0].completed


@pytest.mark.parametrize(
    ("sent", "reported"),
    [
        ("stop", "stop"),
        ("length", "length"),
        ("content_filter", "stop"),
        ("tool_calls", "stop"),
    ],
)
async def test_provider_finish_reasons_are_mapped(
    stub: OpenAIStub,
    make_model: ModelFactory,
    sent: str,
    reported: str,
) -> None:
    stub.configure(finish_reason=sent)
    events = await drain(make_model())
    assert isinstance(events[-1], Completion) and events[-1].finish_reason == reported


async def test_without_usage_from_the_provider_the_counts_are_estimated(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    stub.configure(send_usage=False)
    *deltas, completion = await drain(make_model())
    text = "".join(d.text for d in deltas if isinstance(d, TextDelta))
    assert isinstance(completion, Completion)
    assert completion.completion_tokens == estimate_tokens(text)
    assert completion.prompt_tokens == sum(estimate_tokens(t.content) for t in QUESTION.turns)


async def test_sequential_requests_reuse_one_connection(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    model = make_model()
    for _ in range(100):
        await drain(model)
    assert len(stub.exchanges) == 100
    assert stub.open_connections == 1


async def test_deepseek_is_the_same_adapter_on_its_own_url() -> None:
    model = OpenAIChatModel.for_deepseek(api_key=API_KEY)
    try:
        assert model.base_url.startswith(DEEPSEEK_BASE_URL)
    finally:
        await model.close()


def test_the_sdk_still_has_the_raw_post_the_adapter_streams_through() -> None:
    # Outside the SDK's resources, hence its upper bound in pyproject.toml: a release
    # that changes it must fail here, not in a chat.
    parameters = inspect.signature(openai.AsyncOpenAI.post).parameters
    missing = {"cast_to", "content", "stream"} - set(parameters)
    assert missing == set(), f"openai {openai.__version__}: post() takes no {missing}"


def test_the_parser_joins_lines_split_across_reads_and_ignores_comments() -> None:
    parser = ChatStreamParser()
    body = (
        b': keep-alive\n\ndata: {"model":"m","choices":[{"delta":{"content":"Hel"}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}\r\n\r\n'
        b'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}}\n\n'
        b"data: [DONE]"
    )
    pieces = [piece for i in range(0, len(body), 7) for piece in parser.feed(body[i : i + 7])]
    pieces += parser.end()
    assert pieces == ["Hel", "lo"]
    assert (parser.finish_reason, parser.model) == ("stop", "m")
    assert parser.usage is not None and parser.usage.completion_tokens == 2


@pytest.mark.parametrize(
    "line",
    [
        b'data: {"error": {"message": "overloaded"}}\n',
        b"data: {not json\n",
    ],
)
def test_the_parser_fails_on_an_error_event_or_garbage(line: bytes) -> None:
    with pytest.raises(StreamFailed):
        ChatStreamParser().feed(line)


async def test_a_body_cut_cleanly_before_the_finish_is_unavailable(
    stub: OpenAIStub,
    make_model: ModelFactory,
) -> None:
    stub.configure(drop_after=3, drop="end")
    seen: list[ModelEvent] = []
    with pytest.raises(ModelError) as caught:
        await drain(make_model(), seen=seen)
    assert caught.value.code == "llm_unavailable"
    assert len(seen) == 2
