"""An OpenAI-compatible chat-completions server for tests and the benchmark.

Plain ``asyncio`` HTTP/1.1 with keep-alive and chunked ``text/event-stream`` replies,
so a real SDK client talks to it exactly as to the provider. Its behaviour (reply,
pace, errors before streaming, a dropped connection mid-stream, the finish reason)
is set by a ``StubConfig`` that tests may change between requests; every request is
recorded, with whether the client hung up before its stream ended.

    async with OpenAIStub(StubConfig(chunks=20, delay=0.01)) as stub:
        client = AsyncOpenAI(api_key="test", base_url=stub.base_url)

    python -m tests.support.openai_stub --port 8101 --chunks 50 --delay 0.02
"""

from __future__ import annotations

import argparse
import array
import asyncio
import base64
import contextlib
import hashlib
import itertools
import math
import re
import time
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal

import msgspec

from chatcore.dialogs.tokens import estimate_tokens

# Put in every error body: tests assert it reaches the log but never a client.
PROVIDER_SECRET = "stub-provider-internal-detail"

_WORDS = re.compile(r"\S+\s*")
_ERROR_TYPES = {
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    429: ("requests", "rate_limit_exceeded"),
}


class StubConfig(msgspec.Struct, kw_only=True):
    """How the stub answers the next requests."""

    reply: str = "Hello from the stub model, streaming its reply word by word."
    chunks: int = 0  # when > 0, the reply is this many generated words instead
    delay: float = 0.0  # seconds between two chunks
    first_byte_delay: float = 0.0  # seconds before the response starts
    errors: list[int] = []  # statuses for the next requests, one each, before any streaming
    drop_after: int | None = None  # stop after this many SSE events (the role one counts)...
    drop: Literal["abort", "end", "stall"] = "abort"  # hang up mid-body, end it early, or go silent
    finish_reason: str = "stop"
    send_usage: bool = True  # honour stream_options.include_usage
    retry_after_ms: int = 5  # sent with errors, so SDK retries in tests stay fast

    def pieces(self) -> list[str]:
        """The reply as content deltas: each word with the space after it."""
        if self.chunks > 0:
            return [f"w{i} " for i in range(self.chunks - 1)] + [f"w{self.chunks - 1}."]
        return _WORDS.findall(self.reply)


class Exchange(msgspec.Struct, kw_only=True):
    """One request the stub received, and how its response went."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 200
    chunks_sent: int = 0  # SSE events written
    client_closed: bool = False  # the client hung up before the stream ended
    completed: bool = False  # the stream ended with [DONE]


class _Request(msgspec.Struct):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class OpenAIStub:
    """The server; an async context manager that listens on 127.0.0.1 while open."""

    def __init__(
        self,
        config: StubConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        record: bool = True,
    ) -> None:
        self.config = config or StubConfig()
        self.exchanges: list[Exchange] = []
        self._host, self._port, self._record = host, port, record
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._ids = itertools.count(1)

    @property
    def open_connections(self) -> int:
        """How many client connections are open now."""
        return len(self._connections)

    @property
    def base_url(self) -> str:
        """The URL to give an OpenAI client, ending in ``/v1``."""
        return f"http://{self._host}:{self._port}/v1"

    def configure(self, **changes: Any) -> None:
        """Start afresh: the default config with these changes, no recorded requests."""
        self.config = StubConfig(**changes)
        self.exchanges.clear()

    async def wait_for(self, predicate: Any, within: float = 2.0) -> bool:
        """Poll ``predicate(stub)`` until it holds or ``within`` seconds pass; whether it held."""
        deadline = time.monotonic() + within
        while not predicate(self):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.005)
        return True

    async def __aenter__(self) -> OpenAIStub:
        self._server = await asyncio.start_server(self._serve, self._host, self._port, backlog=4096)
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        # Hanging up (rather than cancelling) lets every handler end the normal way.
        for writer in self._connections.values():
            writer.transport.abort()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            while (request := await _read_request(reader)) is not None:
                if not await self._respond(request, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # a client that hangs up or speaks garbage just loses its connection
        finally:
            del self._connections[task]
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _respond(
        self, request: _Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; whether the connection may carry another."""
        keep_alive = request.headers.get("connection", "").lower() != "close"
        try:
            body = msgspec.json.decode(request.body) if request.body else {}
        except msgspec.DecodeError:
            body = None
        exchange = Exchange(
            method=request.method, path=request.path, headers=request.headers, body=body
        )
        if self._record:
            self.exchanges.append(exchange)
        config = self.config
        if request.method == "POST" and request.path == "/v1/embeddings":
            return await self._embeddings(body, config, exchange, writer) and keep_alive
        if request.method != "POST" or request.path != "/v1/chat/completions":
            exchange.status = 404
        elif not isinstance(body, dict) or body.get("stream") is not True:
            exchange.status = 400  # the stub only speaks streaming chat completions
        elif config.errors:
            exchange.status = config.errors.pop(0)
        if await _pause(reader, config.first_byte_delay):
            exchange.client_closed = True
            return False
        if exchange.status != 200:
            writer.write(_error_response(exchange.status, config.retry_after_ms, keep_alive))
            await writer.drain()
            return keep_alive
        assert isinstance(body, dict)
        return await self._stream(body, config, exchange, reader, writer) and keep_alive

    async def _embeddings(
        self, body: Any, config: StubConfig, exchange: Exchange, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer ``/v1/embeddings``: a deterministic vector per input (words hashed
        into ``dimensions`` slots), as floats or base64 as the client asks."""
        if not isinstance(body, dict) or not isinstance(body.get("input"), list):
            exchange.status = 400
        elif config.errors:
            exchange.status = config.errors.pop(0)
        if exchange.status != 200:
            writer.write(_error_response(exchange.status, config.retry_after_ms, True))
            await writer.drain()
            return True
        dimensions = int(body.get("dimensions", 1536))
        data = []
        for index, text in enumerate(body["input"]):
            vector = _stub_vector(str(text), dimensions)
            encoded: Any = vector.tolist()
            if body.get("encoding_format") == "base64":
                encoded = base64.b64encode(vector.tobytes()).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(estimate_tokens(str(text)) for text in body["input"])
        payload = msgspec.json.encode(
            {
                "object": "list",
                "data": data,
                "model": body.get("model", "stub-embedding"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n%b" % (len(payload), payload)
        )
        await writer.drain()
        exchange.completed = True
        return True

    async def _stream(
        self,
        body: dict[str, Any],
        config: StubConfig,
        exchange: Exchange,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Send the reply as SSE chunks; whether the connection survived."""
        completion_id = f"chatcmpl-stub{next(self._ids)}"
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            b"cache-control: no-cache\r\ntransfer-encoding: chunked\r\n"
            b"x-request-id: req_" + completion_id.encode() + b"\r\n\r\n"
        )
        frames = _frames(body, config, completion_id)
        for index, frame in enumerate(frames):
            if config.drop_after is not None and exchange.chunks_sent >= config.drop_after:
                if config.drop == "end":  # a well-formed body lacking the rest, as a proxy cuts
                    writer.write(b"0\r\n\r\n")
                    await writer.drain()
                    return True
                await writer.drain()
                if config.drop == "stall":
                    exchange.client_closed = await _pause(reader, math.inf)
                return False  # no terminating chunk: the client sees a broken body
            writer.write(b"%x\r\n%b\r\n" % (len(frame), frame))
            exchange.chunks_sent += 1
            try:
                await writer.drain()
            except ConnectionError:
                exchange.client_closed = True
                return False
            if index < len(frames) - 1 and await _pause(reader, config.delay):
                exchange.client_closed = True
                return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        exchange.completed = True
        return True


def _frames(body: dict[str, Any], config: StubConfig, completion_id: str) -> list[bytes]:
    """Every SSE event of one reply, encoded: role, contents, finish, usage, [DONE]."""
    model = str(body.get("model", "stub-model"))
    include_usage = config.send_usage and bool(
        (body.get("stream_options") or {}).get("include_usage")
    )
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    pieces, spent, finish = [], 0, config.finish_reason
    for piece in config.pieces():
        cost = estimate_tokens(piece)
        if limit is not None and spent + cost > limit:
            finish = "length"
            break
        pieces.append(piece)
        spent += cost
    base = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_stub",
    }
    extra = {"usage": None} if include_usage else {}

    def chunk(delta: dict[str, str], reason: str | None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
        return _event({**base, "choices": [choice], **extra})

    frames = [chunk({"role": "assistant", "content": ""}, None)]
    frames += [chunk({"content": piece}, None) for piece in pieces]
    frames.append(chunk({}, finish))
    if include_usage:
        prompt = sum(estimate_tokens(_text(m.get("content"))) for m in body.get("messages", []))
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": spent,
            "total_tokens": prompt + spent,
        }
        frames.append(_event({**base, "choices": [], "usage": usage}))
    frames.append(b"data: [DONE]\n\n")
    return frames


def _stub_vector(text: str, dimensions: int) -> array.array[float]:
    """A unit vector with one hashed slot per word of ``text``."""
    vector = array.array("f", [0.0]) * dimensions
    for word in re.findall(r"\w+", text.lower()):
        slot = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
        vector[slot % dimensions] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return array.array("f", [x / norm for x in vector])


def _text(content: Any) -> str:
    """A message's text, whether a string or a list of content parts."""
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + msgspec.json.encode(payload) + b"\n\n"


def _error_response(status: int, retry_after_ms: int, keep_alive: bool) -> bytes:
    default = ("server_error" if status >= 500 else "invalid_request_error", None)
    kind, code = _ERROR_TYPES.get(status, default)
    message = f"The stub refused the request with {status} ({PROVIDER_SECRET})."
    if status == 401:
        message = f"Incorrect API key provided: sk-****. ({PROVIDER_SECRET})"
    payload = msgspec.json.encode(
        {"error": {"message": message, "type": kind, "param": None, "code": code}}
    )
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n"
        f"retry-after-ms: {retry_after_ms}\r\n"
        f"connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode() + payload


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """The next request on the connection, or None when the client has closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise
        return None
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return _Request(method, target.split("?", 1)[0], headers, body)


async def _pause(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Wait, waking early if the client hangs up; whether it has."""
    if seconds > 0:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        # A StreamReader signals EOF only to a read, which would consume a pipelined
        # request; polling at_eof() leaves the input alone.
        while not reader.at_eof() and (left := deadline - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(left, 0.02))
    return reader.at_eof()


async def _serve_forever(host: str, port: int, config: StubConfig) -> None:
    async with OpenAIStub(config, host=host, port=port, record=False) as stub:
        print(f"OpenAI stub listening on {stub.base_url}", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    """Run the stub until interrupted (for the benchmark)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--chunks", type=int, default=50, help="content deltas per reply")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between chunks")
    args = parser.parse_args()
    config = StubConfig(chunks=args.chunks, delay=args.delay)
    try:
        import uvloop
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    with contextlib.suppress(KeyboardInterrupt):
        runner(_serve_forever(args.host, args.port, config))


if __name__ == "__main__":
    main()
