"""OpenAI's Chat Completions format at the edge: the request as clients send it
(unknown fields ignored, as OpenAI's own API does with fields it does not know), its
translation to the core's CompletionRequest, and the response, whole or as
``chat.completion.chunk`` server-sent events byte-compatible with the official SDKs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from chatcore.dialogs.events import CitationItem
from chatcore.dialogs.ports import Role, Turn
from chatcore.dialogs.use_cases.completion import CompletionRequest, ModelCard
from chatcore.errors import InvalidInput, Unsupported

_ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",  # what OpenAI's newer clients call the system message
    "user": "user",
    "assistant": "assistant",
}
MAX_STOP = 4  # as OpenAI allows


class ContentPart(msgspec.Struct):
    """A part of a message's content; only ``text`` parts are understood."""

    type: str
    text: str | None = None


class MessageIn(msgspec.Struct):
    """One message of the conversation."""

    role: str
    content: str | list[ContentPart] | None = None
    tool_calls: list[Any] | None = None


class StreamOptions(msgspec.Struct):
    """``stream_options``: ``include_usage`` adds a usage chunk before ``[DONE]``."""

    include_usage: bool = False


class ChatCompletionBody(msgspec.Struct, kw_only=True):
    """``POST /v1/chat/completions``, as OpenAI defines it; fields this server does not
    know are ignored, and those it cannot honour (``n`` > 1, tools) refused."""

    model: str
    messages: Annotated[list[MessageIn], msgspec.Meta(min_length=1)]
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    max_tokens: Annotated[int, msgspec.Meta(ge=1)] | None = None
    max_completion_tokens: Annotated[int, msgspec.Meta(ge=1)] | None = None
    temperature: Annotated[float, msgspec.Meta(ge=0, le=2)] | None = None
    top_p: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    stop: str | Annotated[list[str], msgspec.Meta(max_length=MAX_STOP)] | None = None
    user: str | None = None
    n: Annotated[int, msgspec.Meta(ge=1)] | None = None
    tools: list[Any] | None = None
    functions: list[Any] | None = None

    @property
    def include_usage(self) -> bool:
        """Whether a streamed reply ends with a usage chunk."""
        return bool(self.stream_options and self.stream_options.include_usage)

    def request(self) -> CompletionRequest:
        """The core's request; raises Unsupported for what the core cannot do and
        InvalidInput for a role it does not know."""
        if self.n is not None and self.n > 1:
            raise Unsupported("Only one choice (n=1) is generated.")
        if self.tools or self.functions or any(m.tool_calls for m in self.messages):
            raise Unsupported("Tools and function calls are not supported.")
        stop = [self.stop] if isinstance(self.stop, str) else self.stop or []
        return CompletionRequest(
            model=self.model,
            turns=tuple(_turn(message) for message in self.messages),
            max_tokens=self.max_completion_tokens or self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            stop=tuple(stop),
        )


def _turn(message: MessageIn) -> Turn:
    role = _ROLES.get(message.role)
    if role is None:
        if message.role in ("tool", "function"):
            raise Unsupported("Tools and function calls are not supported.")
        raise InvalidInput("messages", f"unknown role {message.role!r}")
    content = message.content
    if content is None:
        return Turn(role, "")
    if isinstance(content, str):
        return Turn(role, content)
    if any(part.type != "text" or part.text is None for part in content):
        raise Unsupported("Only text content is supported, not images, audio or files.")
    return Turn(role, "".join(part.text or "" for part in content))


class ModelOut(msgspec.Struct):
    """A model, as OpenAI lists one."""

    id: str
    created: int
    object: str = "model"
    owned_by: str = "chatcore"

    @classmethod
    def of(cls, card: ModelCard) -> ModelOut:
        return cls(id=card.id, created=int(card.created.timestamp()))


class ModelList(msgspec.Struct):
    """``GET /v1/models``."""

    data: list[ModelOut]
    object: str = "list"


class UsageOut(msgspec.Struct):
    """Token counts: the provider's own when it reports them."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, prompt_tokens: int, completion_tokens: int) -> UsageOut:
        return cls(prompt_tokens, completion_tokens, prompt_tokens + completion_tokens)


class MessageOut(msgspec.Struct):
    """The assistant's message."""

    content: str
    role: str = "assistant"
    refusal: None = None


class ChoiceOut(msgspec.Struct):
    """The one choice of a completion."""

    message: MessageOut
    finish_reason: str
    index: int = 0
    logprobs: None = None


class ChatCompletionOut(msgspec.Struct, kw_only=True):
    """A whole ``chat.completion``; ``citations`` with ``chatcore-documents`` only."""

    id: str
    created: int
    model: str
    choices: list[ChoiceOut]
    usage: UsageOut
    object: str = "chat.completion"
    citations: list[CitationItem] | msgspec.UnsetType = msgspec.UNSET


def finish_reason(reason: str) -> str:
    """OpenAI's name for how a reply ended: a reply stopped by its caller ended too."""
    return "length" if reason == "length" else "stop"


class ChunkWriter:
    """The ``data:`` lines of one streamed completion, each a ``chat.completion.chunk``
    with the fields the SDKs read (``usage`` is null on every chunk but the usage one
    when it was asked for, as OpenAI sends it)."""

    def __init__(self, id: str, created: datetime, model: str, include_usage: bool) -> None:
        head = msgspec.json.encode(
            {
                "id": id,
                "object": "chat.completion.chunk",
                "created": int(created.timestamp()),
                "model": model,
                "system_fingerprint": None,
            }
        )
        self._head = head[:-1]  # the fields every chunk shares, without the closing brace
        self._usage = b',"usage":null' if include_usage else b""
        self._include_usage = include_usage

    def _frame(self, rest: bytes) -> bytes:
        return b"data: " + self._head + b"," + rest + b"}\n\n"

    def _choice(self, delta: bytes, finish: bytes = b"null") -> bytes:
        return (
            b'"choices":[{"index":0,"delta":' + delta
            + b',"logprobs":null,"finish_reason":' + finish + b"}]" + self._usage
        )  # fmt: skip

    def role(self) -> bytes:
        """The first chunk: the assistant's role, and no text yet."""
        return self._frame(self._choice(b'{"role":"assistant","content":""}'))

    def text(self, text: str) -> bytes:
        """A piece of the reply."""
        return self._frame(self._choice(b'{"content":' + _encode(text) + b"}"))

    def finish(self, reason: str, citations: list[CitationItem] | None) -> bytes:
        """The chunk saying why the reply ended (with the citations, if any)."""
        extra = b',"citations":' + _encode(citations) if citations is not None else b""
        return self._frame(self._choice(b"{}", _encode(finish_reason(reason))) + extra)

    def usage(self, usage: UsageOut, citations: list[CitationItem] | None) -> bytes:
        """The last chunk when usage was asked for: no choices, the whole usage."""
        extra = b',"citations":' + _encode(citations) if citations is not None else b""
        return self._frame(b'"choices":[],"usage":' + _encode(usage) + extra)

    @property
    def include_usage(self) -> bool:
        """Whether the stream ends with a usage chunk."""
        return self._include_usage


def error_frame(error: msgspec.Struct) -> bytes:
    """A failure after the stream began, as OpenAI reports one (the SDKs raise it)."""
    return b"data: " + _encode({"error": error}) + b"\n\n"


DONE = b"data: [DONE]\n\n"
_encode = msgspec.json.Encoder().encode
