"""The bare reference on raw ASGI: ``/health``, ``/v1/dialogs``, ``/v1/chat``.

uvicorn bench.reference.raw_asgi:app
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import msgspec

from bench.reference.work import HEALTH, ChatBody, Unauthorized, caller, dialog_page, relay

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

_JSON = [(b"content-type", b"application/json")]
_SSE = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    route = (scope["method"], scope["path"])
    try:
        if route == ("GET", "/health"):
            await _reply(send, 200, HEALTH)
        elif route == ("GET", "/v1/dialogs"):
            who = await caller(_header(scope, b"authorization"))
            query = parse_qs(scope["query_string"].decode())
            page = await dialog_page(who, int(query.get("limit", ["50"])[0]))
            await _reply(send, 200, msgspec.json.encode(page))
        elif route == ("POST", "/v1/chat"):
            await caller(_header(scope, b"authorization"))
            body = msgspec.json.decode(await _body(receive), type=ChatBody)
            await _stream(send, body.message)
        else:
            await _reply(send, 404, b'{"code":"not_found"}')
    except Unauthorized:
        await _reply(send, 401, b'{"code":"not_authenticated"}')


async def _stream(send: Send, message: str) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": _SSE})
    async for name, data in relay(message):
        event = b"event: " + name.encode() + b"\r\ndata: " + data + b"\r\n\r\n"
        await send({"type": "http.response.body", "body": event, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _reply(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _JSON})
    await send({"type": "http.response.body", "body": body})


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
