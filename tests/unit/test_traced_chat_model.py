"""TracedChatModel: the span of a model call that completes, fails, breaks or is closed
early; the stream it passes on is the model's own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from adapters.otel import TracedChatModel
from chatcore.dialogs.ports import ChatModel, Completion, ModelError, ModelRequest, TextDelta, Turn
from tests.unit.test_metered_chat_model import Scripted

REQUEST = ModelRequest(turns=(Turn("user", "a secret question"),), model="m-1", max_tokens=64)


class Broken:
    """A ChatModel with a bug: it fails with something other than a ModelError."""

    async def stream(self, request: ModelRequest) -> AsyncIterator[TextDelta | Completion]:
        yield TextDelta("half")
        raise KeyError("choices")


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


def traced(model: ChatModel, spans: InMemorySpanExporter) -> TracedChatModel:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return TracedChatModel(
        model, provider.get_tracer("test"), provider="openai", default_model="default"
    )


def only(spans: InMemorySpanExporter) -> ReadableSpan:
    (span,) = spans.get_finished_spans()
    return span


async def test_a_completed_call_has_its_usage_and_finish_reason(
    spans: InMemorySpanExporter,
) -> None:
    events = [event async for event in traced(Scripted(), spans).stream(REQUEST)]
    assert [getattr(e, "text", None) for e in events] == ["", "two ", "words", None]
    span = only(spans)
    assert span.name == "chat m-1"
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.system": "openai",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "m-1",
        "gen_ai.request.max_tokens": 64,
        "gen_ai.response.model": "x",
        "gen_ai.usage.input_tokens": 5,
        "gen_ai.usage.output_tokens": 2,
        "gen_ai.response.finish_reasons": ("length",),
    }
    assert span.status.status_code is StatusCode.UNSET


async def test_without_a_model_name_the_default_is_asked_for(
    spans: InMemorySpanExporter,
) -> None:
    request = ModelRequest(turns=REQUEST.turns)
    [_ async for _ in traced(Scripted(), spans).stream(request)]
    assert only(spans).name == "chat default"
    assert "gen_ai.request.max_tokens" not in (only(spans).attributes or {})


async def test_closing_early_cancels_the_model_and_ends_the_span_cancelled(
    spans: InMemorySpanExporter,
) -> None:
    model = Scripted()
    stream = traced(model, spans).stream(REQUEST)
    await anext(stream)
    assert spans.get_finished_spans() == ()
    await stream.aclose()  # type: ignore[attr-defined]
    assert model.closed
    attributes = only(spans).attributes or {}
    assert attributes["gen_ai.response.finish_reasons"] == ("cancelled",)
    assert "gen_ai.usage.input_tokens" not in attributes


@pytest.mark.parametrize(
    ("model", "error_type"),
    [(Scripted(ModelError("llm_rate_limited", "slow down")), "llm_rate_limited"),
     (Broken(), "KeyError")],
)  # fmt: skip
async def test_a_failure_is_an_error_span_named_by_its_kind_alone(
    spans: InMemorySpanExporter, model: ChatModel, error_type: str
) -> None:
    with pytest.raises((ModelError, KeyError)):
        async for _ in traced(model, spans).stream(REQUEST):
            pass
    span = only(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None
    attributes = span.attributes or {}
    assert attributes["error.type"] == error_type
    assert "gen_ai.response.finish_reasons" not in attributes
    assert span.events == ()  # no exception event, whose message could quote the question
