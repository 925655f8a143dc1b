"""The chat-completions wire format, encoded and decoded with msgspec.

The SDK's typed parameters cost milliseconds per request (a typing walk over every
message) and its typed chunks ~100 µs per delta; here the request body is one
msgspec encode and each ``data:`` line one decode into structs that hold only the
fields we read.
"""

from __future__ import annotations

import msgspec

from chatcore.dialogs.ports import ModelRequest


class _Message(msgspec.Struct, gc=False):
    role: str
    content: str


class _StreamOptions(msgspec.Struct, gc=False):
    include_usage: bool


class _Body(msgspec.Struct, omit_defaults=True, gc=False):
    model: str
    messages: list[_Message]
    stream: bool
    stream_options: _StreamOptions
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: list[str] | None = None


_USAGE = _StreamOptions(include_usage=True)
_encode = msgspec.json.Encoder().encode


def request_body(request: ModelRequest, model: str) -> bytes:
    """The JSON body asking for a streamed reply, with usage at the end."""
    messages = [_Message(turn.role, turn.content) for turn in request.turns]
    return _encode(
        _Body(
            model,
            messages,
            True,
            _USAGE,
            request.max_tokens,
            request.temperature,
            request.top_p,
            list(request.stop) or None,
        )
    )


class _Delta(msgspec.Struct, gc=False):
    content: str | None = None


class _Choice(msgspec.Struct, gc=False):
    delta: _Delta | None = None
    finish_reason: str | None = None


class Usage(msgspec.Struct, gc=False):
    """The provider's token counts for one reply."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Failure(msgspec.Struct, gc=False):
    message: str = ""


class _Chunk(msgspec.Struct, gc=False):
    choices: list[_Choice] | None = None
    usage: Usage | None = None
    model: str | None = None
    error: _Failure | None = None


_decode_chunk = msgspec.json.Decoder(_Chunk).decode


class StreamFailed(Exception):
    """The provider reported an error inside the stream, or sent something unreadable."""


class ChatStreamParser:
    """Turns the bytes of a chat-completion SSE stream into content pieces, keeping the
    finish reason, usage and model name as they pass."""

    __slots__ = ("_pending", "finish_reason", "model", "texts", "usage")

    def __init__(self) -> None:
        self._pending = b""
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.model: str | None = None
        self.texts: list[str] = []  # every piece so far, to estimate usage if none comes

    def feed(self, data: bytes) -> list[str]:
        """The content pieces completed by this part of the body; raises StreamFailed."""
        if self._pending:
            data = self._pending + data
        lines = data.split(b"\n")
        self._pending = lines.pop()
        pieces: list[str] = []
        for line in lines:
            if not line.startswith(b"data:"):
                continue  # blank separators, comments, ``event:`` lines
            payload = line[5:].strip()
            if payload == b"[DONE]":
                continue  # the finish reason, not this marker, tells a whole reply
            try:
                chunk = _decode_chunk(payload)
            except msgspec.DecodeError as exc:
                raise StreamFailed(f"unreadable chunk: {payload[:200]!r}") from exc
            if chunk.error is not None:
                raise StreamFailed(chunk.error.message)
            for choice in chunk.choices or ():
                delta = choice.delta
                if delta is not None and delta.content:
                    pieces.append(delta.content)
                if choice.finish_reason is not None:
                    self.finish_reason = choice.finish_reason
            if chunk.usage is not None:
                self.usage = chunk.usage
            if self.model is None and chunk.model:
                self.model = chunk.model
        self.texts += pieces
        return pieces

    def end(self) -> list[str]:
        """The pieces of a last line sent without its newline; raises StreamFailed."""
        return self.feed(b"\n") if self._pending else []
