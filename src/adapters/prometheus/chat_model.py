"""A ChatModel that counts what the model it wraps does."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator

from adapters.prometheus.labels import CappedLabel, error_code
from adapters.prometheus.metrics import (
    CHAT_REPLIES,
    MODEL_ERRORS,
    MODEL_TOKENS,
    TIME_TO_FIRST_TOKEN,
)
from chatcore.dialogs.model import FinishReason
from chatcore.dialogs.ports import (
    ChatModel,
    Completion,
    ModelError,
    ModelEvent,
    ModelRequest,
    TextDelta,
)


class MeteredChatModel:
    """Time to first token, tokens, errors and replies by finish reason, labelled by
    provider and model (the one asked for, else ``default_model``)."""

    def __init__(self, model: ChatModel, *, provider: str, default_model: str) -> None:
        self._model, self._provider, self._default = model, provider, default_model
        self._names = CappedLabel()

    @property
    def wrapped(self) -> ChatModel:
        """The model whose calls are counted."""
        return self._model

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        return self._counted(request)

    async def _counted(self, request: ModelRequest) -> AsyncGenerator[ModelEvent, None]:
        provider, model = self._provider, self._names(request.model or self._default)
        # As the chat service sees it: no completion means "stop" at the end, and a
        # stream closed before either was abandoned.
        finish: FinishReason = "cancelled"
        completed = False
        started = time.perf_counter()
        waiting = True
        events = self._model.stream(request)
        try:
            async for event in events:
                if isinstance(event, TextDelta):
                    if waiting and event.text:
                        waiting = False
                        TIME_TO_FIRST_TOKEN.labels(provider, model).observe(
                            time.perf_counter() - started
                        )
                elif isinstance(event, Completion):
                    finish, completed = event.finish_reason, True
                    MODEL_TOKENS.labels(provider, model, "prompt").inc(event.prompt_tokens)
                    MODEL_TOKENS.labels(provider, model, "completion").inc(event.completion_tokens)
                yield event
            if not completed:
                finish = "stop"
        except ModelError as exc:
            finish = "error"
            MODEL_ERRORS.labels(provider, model, error_code(exc.code)).inc()
            raise
        except Exception:
            finish = "error"
            raise
        finally:
            # Closed early: the port's promise is that the call upstream is cancelled.
            aclose = getattr(events, "aclose", None)
            try:
                if aclose is not None:
                    await aclose()
            finally:
                CHAT_REPLIES.labels(provider, model, finish).inc()
