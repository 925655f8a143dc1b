"""The ChatModel contract: a stream of text deltas ended by exactly one completion."""

from __future__ import annotations

import asyncio

import pytest

from chatcore.dialogs.ports import (
    ChatModel,
    Completion,
    ModelEvent,
    ModelRequest,
    Passage,
    TextDelta,
    Turn,
)
from chatcore.dialogs.tokens import estimate_tokens

QUESTION = ModelRequest(
    turns=(
        Turn("system", "You answer briefly."),
        Turn("user", "Hello!"),
        Turn("assistant", "Hello, how can I help?"),
        Turn("user", "How does streaming work here?"),
    )
)


async def events_of(model: ChatModel, request: ModelRequest) -> list[ModelEvent]:
    """Every event of one streamed reply."""
    return [event async for event in model.stream(request)]


def split(events: list[ModelEvent]) -> tuple[str, Completion]:
    """The reply's text and its completion, checking the order on the way."""
    *deltas, completion = events
    assert all(isinstance(delta, TextDelta) for delta in deltas)
    assert isinstance(completion, Completion)
    return "".join(delta.text for delta in deltas if isinstance(delta, TextDelta)), completion


class ChatModelContract:
    """What every ChatModel does.

    Needs a fixture ``chat_model`` returning a model ready to answer, which gives the
    same reply to the same request (a deterministic model or a recorded stub).
    """

    async def test_deltas_come_first_and_exactly_one_completion_ends_the_stream(
        self, chat_model: ChatModel
    ) -> None:
        events = await events_of(chat_model, QUESTION)
        text, completion = split(events)
        assert len(events) > 2
        assert text.strip()
        assert all(event.text for event in events[:-1] if isinstance(event, TextDelta))
        assert completion.finish_reason == "stop"
        assert completion.model

    async def test_usage_is_counted(self, chat_model: ChatModel) -> None:
        _, completion = split(await events_of(chat_model, QUESTION))
        assert completion.prompt_tokens > 0
        assert completion.completion_tokens > 0

    async def test_the_same_request_gets_the_same_reply(self, chat_model: ChatModel) -> None:
        first = await events_of(chat_model, QUESTION)
        second = await events_of(chat_model, QUESTION)
        assert first == second

    async def test_max_tokens_cuts_the_reply_with_finish_reason_length(
        self, chat_model: ChatModel
    ) -> None:
        full, _ = split(await events_of(chat_model, QUESTION))
        capped = ModelRequest(turns=QUESTION.turns, max_tokens=3)
        text, completion = split(await events_of(chat_model, capped))
        assert completion.finish_reason == "length"
        assert 0 < completion.completion_tokens <= 3
        assert text and full.startswith(text)
        assert estimate_tokens(text) <= 3

    async def test_passages_are_accepted(self, chat_model: ChatModel) -> None:
        passage = Passage(
            text="Streaming sends each word as soon as it is ready.",
            document_id="d1",
            filename="guide.md",
            page=1,
        )
        request = ModelRequest(turns=QUESTION.turns, passages=(passage,))
        text, completion = split(await events_of(chat_model, request))
        assert text.strip()
        assert completion.completion_tokens > 0

    async def test_closing_after_the_first_delta_ends_promptly(self, chat_model: ChatModel) -> None:
        stream = chat_model.stream(QUESTION)
        first = await anext(stream)
        assert isinstance(first, TextDelta)
        await asyncio.wait_for(stream.aclose(), timeout=1)  # type: ignore[attr-defined]
        with pytest.raises(StopAsyncIteration):
            await anext(stream)
