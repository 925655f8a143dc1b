"""A client of ``WS /v1/ws``, as a browser tab would hold one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

WAIT = 15.0  # generous: how long a frame may take to arrive, never a performance bound


def socket_url(base_url: str) -> str:
    """The notifications URL of a server at ``base_url``."""
    return base_url.replace("http://", "ws://", 1) + "/v1/ws"


@asynccontextmanager
async def notifications(
    base_url: str, token: str | None = None, **options: Any
) -> AsyncIterator[ClientConnection]:
    """A socket authenticated by a first ``auth`` frame (when ``token`` is given) and
    past its ``ready`` frame; ``options`` go to ``websockets.connect``."""
    async with connect(socket_url(base_url), proxy=None, open_timeout=WAIT, **options) as socket:
        if token is not None:
            await socket.send(json.dumps({"type": "auth", "token": token}))
            assert await next_frame(socket) == {"type": "ready"}
        yield socket


async def next_frame(socket: ClientConnection, *, heartbeats: bool = False) -> dict[str, Any]:
    """The next frame, heartbeats skipped unless asked for."""
    async with asyncio.timeout(WAIT):
        while True:
            frame: dict[str, Any] = json.loads(await socket.recv())
            if heartbeats or frame["type"] != "heartbeat":
                return frame
