"""A ChatModel that traces the calls of the model it wraps."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from opentelemetry.trace import SpanKind, StatusCode, Tracer

from chatcore.dialogs.model import FinishReason
from chatcore.dialogs.ports import ChatModel, Completion, ModelError, ModelEvent, ModelRequest

# The attributes of OpenTelemetry's semantic conventions for generative AI client
# spans. gen_ai.system is the older name of gen_ai.provider.name; both are set for
# the backends that know only one.
OPERATION = "gen_ai.operation.name"
SYSTEM = "gen_ai.system"
PROVIDER = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
RESPONSE_MODEL = "gen_ai.response.model"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
FINISH_REASONS = "gen_ai.response.finish_reasons"
ERROR_TYPE = "error.type"


class TracedChatModel:
    """A span per model call, ``chat <model>``: the provider, the model asked for and
    the one that answered, token counts and how the reply ended; never a message."""

    def __init__(
        self, model: ChatModel, tracer: Tracer, *, provider: str, default_model: str
    ) -> None:
        self._model, self._tracer = model, tracer
        self._provider, self._default = provider, default_model

    @property
    def wrapped(self) -> ChatModel:
        """The model whose calls are traced."""
        return self._model

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        return self._traced(request)

    async def _traced(self, request: ModelRequest) -> AsyncGenerator[ModelEvent, None]:
        model = request.model or self._default
        # Started, not made current: a context set inside a generator would leak to
        # whoever resumes it. The span's parent is the one current at the first event
        # asked for: the request's.
        span = self._tracer.start_span(
            f"chat {model}",
            kind=SpanKind.CLIENT,
            attributes={
                OPERATION: "chat",
                SYSTEM: self._provider,
                PROVIDER: self._provider,
                REQUEST_MODEL: model,
            },
        )
        if request.max_tokens is not None:
            span.set_attribute(REQUEST_MAX_TOKENS, request.max_tokens)
        # As the metrics count it: no completion means "stop" at the end, and a stream
        # closed before either was abandoned.
        finish: FinishReason | None = "cancelled"
        events = self._model.stream(request)
        try:
            completed = False
            async for event in events:
                if isinstance(event, Completion):
                    completed, finish = True, event.finish_reason
                    span.set_attributes(
                        {
                            RESPONSE_MODEL: event.model,
                            INPUT_TOKENS: event.prompt_tokens,
                            OUTPUT_TOKENS: event.completion_tokens,
                        }
                    )
                yield event
            if not completed:
                finish = "stop"
        except ModelError as exc:
            finish = None
            span.set_attribute(ERROR_TYPE, exc.code)  # the provider's message may quote ours
            span.set_status(StatusCode.ERROR)
            raise
        except Exception as exc:
            finish = None
            span.set_attribute(ERROR_TYPE, type(exc).__qualname__)
            span.set_status(StatusCode.ERROR)
            raise
        finally:
            # Closed early: the port's promise is that the call upstream is cancelled.
            aclose = getattr(events, "aclose", None)
            try:
                if aclose is not None:
                    await aclose()
            finally:
                if finish is not None:
                    span.set_attribute(FINISH_REASONS, (finish,))
                span.end()
