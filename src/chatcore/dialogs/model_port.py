"""The language-model port: a request in, a stream of text deltas and one completion out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal, Protocol

import msgspec

from chatcore.errors import ChatcoreError

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "cancelled", "error"]


class Turn(msgspec.Struct, frozen=True):
    """One message of the context sent to a model."""

    role: Role
    content: str


class Passage(msgspec.Struct, frozen=True, kw_only=True):
    """A retrieved piece of a document the answer may draw on."""

    text: str
    document_id: str
    filename: str
    page: int


class ModelRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What to ask: the context (system prompt first), and optionally a model name,
    a cap on the reply's tokens and passages retrieved for this question."""

    turns: tuple[Turn, ...]
    model: str | None = None
    max_tokens: int | None = None
    passages: tuple[Passage, ...] = ()


class TextDelta(msgspec.Struct, frozen=True):
    """The next piece of the reply."""

    text: str


class Completion(msgspec.Struct, frozen=True, kw_only=True):
    """The end of a reply: why it ended, what it cost, and which model wrote it."""

    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    model: str


ModelEvent = TextDelta | Completion


class ModelError(ChatcoreError):
    """The model provider failed; ``code`` is one of the stable llm_* codes.

    The provider's own message is for the log; ``detail`` is safe to show a client.
    """

    code = "llm_unavailable"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class ChatModel(Protocol):
    """A language model that streams its reply."""

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        """Text deltas, then exactly one Completion; raises ModelError on failure.

        Closing the iterator early (``aclose()``) cancels the call upstream.
        """
        ...
