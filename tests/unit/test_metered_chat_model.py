"""MeteredChatModel: what it counts when a model fails, is closed early, or is asked
for models by many names; the stream it passes on is the model's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

from prometheus_client import REGISTRY

from adapters.prometheus import MeteredChatModel
from chatcore.dialogs.ports import Completion, ModelError, ModelRequest, TextDelta, Turn

REQUEST = ModelRequest(turns=(Turn("user", "hi"),))


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Scripted:
    """A ChatModel that says two words, then completes or fails; it notes being closed."""

    def __init__(self, fail: ModelError | None = None) -> None:
        self.fail, self.closed = fail, False

    async def stream(self, request: ModelRequest) -> AsyncIterator[TextDelta | Completion]:
        try:
            yield TextDelta("")
            yield TextDelta("two ")
            yield TextDelta("words")
            if self.fail is not None:
                raise self.fail
            yield Completion(
                finish_reason="length", prompt_tokens=5, completion_tokens=2, model="x"
            )
        finally:
            self.closed = True


async def test_the_events_pass_through_and_a_completion_is_counted() -> None:
    metered = MeteredChatModel(Scripted(), provider="openai", default_model="unit-a")
    labels = {"provider": "openai", "model": "unit-a"}
    events = [event async for event in metered.stream(REQUEST)]
    assert [getattr(e, "text", None) for e in events] == ["", "two ", "words", None]
    assert sample("chatcore_chat_replies_total", finish_reason="length", **labels) == 1
    assert sample("chatcore_model_tokens_total", kind="completion", **labels) == 2
    assert sample("chatcore_model_time_to_first_token_seconds_count", **labels) == 1


async def test_a_model_error_is_counted_by_its_code() -> None:
    model = Scripted(ModelError("llm_rate_limited", "slow down"))
    metered = MeteredChatModel(model, provider="openai", default_model="unit-b")
    labels = {"provider": "openai", "model": "unit-b"}
    try:
        async for _ in metered.stream(REQUEST):
            pass
    except ModelError:
        pass
    else:
        raise AssertionError("the error was swallowed")
    assert sample("chatcore_model_errors_total", code="llm_rate_limited", **labels) == 1
    assert sample("chatcore_chat_replies_total", finish_reason="error", **labels) == 1


async def test_closing_early_cancels_the_model_and_counts_a_cancelled_reply() -> None:
    model = Scripted()
    metered = MeteredChatModel(model, provider="local", default_model="unit-c")
    stream = metered.stream(REQUEST)
    await anext(stream)
    await stream.aclose()  # type: ignore[attr-defined]
    assert model.closed
    labels = {"provider": "local", "model": "unit-c"}
    assert sample("chatcore_chat_replies_total", finish_reason="cancelled", **labels) == 1
    assert sample("chatcore_model_time_to_first_token_seconds_count", **labels) == 0


async def test_model_names_beyond_the_cap_or_malformed_are_other() -> None:
    metered = MeteredChatModel(Scripted(), provider="deepseek", default_model="d")
    names = [f"tenant-model-{n}" for n in range(40)] + ["bad name\n", "x" * 65]
    for name in names:
        async for _ in metered.stream(ModelRequest(turns=REQUEST.turns, model=name)):
            pass
    seen = {
        s.labels["model"]
        for family in REGISTRY.collect()
        if family.name == "chatcore_chat_replies"
        for s in family.samples
        if s.labels.get("provider") == "deepseek"
    }
    assert len(seen) == 33 and "other" in seen
    assert "bad name\n" not in seen
