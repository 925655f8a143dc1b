"""Usage over real connections, on a server in this event loop: a client that hangs
up mid-stream is still billed, and WebSocket ``message`` frames are rate-limited and
accounted like ``POST /v1/chat``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from websockets.asyncio.client import ClientConnection, connect

from http_shell.app import create_app
from http_shell.container import build_container
from tests.support.app import app_settings
from tests.support.live_server import LiveServer

SETTLE_DEADLINE = 10.0  # seconds to wait for a hung-up stream to be stored; not a bound


@pytest_asyncio.fixture
async def live(sqlite_url: str, tmp_path: Path) -> AsyncIterator[LiveServer]:
    """The app on a loopback port, with slow replies and 2 chats a minute."""
    settings = app_settings(sqlite_url, tmp_path, local_model_wps="20", rate_limit_per_minute="2")
    container = build_container(settings)
    async with LiveServer(create_app(settings, container), container) as server:
        yield server


async def anonymous(http: httpx.AsyncClient) -> str:
    response = await http.post("/v1/sessions")
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    return token


async def usage_of(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await http.get("/v1/usage", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def replies(http: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    listed = (await http.get("/v1/dialogs", headers=headers)).json()["items"]
    found = []
    for item in listed:
        detail = (await http.get(f"/v1/dialogs/{item['id']}", headers=headers)).json()
        found += [m for m in detail["messages"] if m["role"] == "assistant"]
    return found


async def test_a_client_that_hangs_up_mid_stream_is_billed_for_the_whole_reply(
    live: LiveServer,
) -> None:
    token = await anonymous(live.client)
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    async with live.client.stream(
        "POST", "/v1/chat", json={"message": "Hello"}, headers=headers
    ) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("event: delta"):
                break  # hang up after the first word
    async with asyncio.timeout(SETTLE_DEADLINE):
        while True:
            report = await usage_of(live.client, token)
            if report["total_tokens"]:
                break
            await asyncio.sleep(0.05)
    (reply,) = await replies(live.client, token)
    assert reply["finish_reason"] == "stop"  # it ran on to its end, and is billed once
    assert (report["prompt_tokens"], report["completion_tokens"]) == (
        reply["prompt_tokens"],
        reply["completion_tokens"],
    )
    assert report["completion_tokens"] > 0
    assert report["requests_this_minute"] == 1


async def frames_until(socket: ClientConnection, last: str) -> list[dict[str, Any]]:
    frames = []
    while not frames or frames[-1]["type"] != last:
        frames.append(json.loads(await socket.recv()))
    return frames


async def test_websocket_messages_are_accounted_and_rate_limited(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with connect(f"{live.ws_url}/v1/ws/chat") as socket:
        await socket.send(json.dumps({"type": "auth", "token": token}))
        used = []
        for _ in range(2):
            await socket.send(json.dumps({"type": "message", "message": "Hello"}))
            await frames_until(socket, "delta")
            await socket.send(json.dumps({"type": "cancel"}))
            frames = await frames_until(socket, "done")
            assert frames[-1] == {"type": "done", "finish_reason": "cancelled"}
            (usage,) = [f for f in frames if f["type"] == "usage"]
            used.append(usage)
        await socket.send(json.dumps({"type": "message", "message": "Hello"}))
        refused = json.loads(await socket.recv())
    report = await usage_of(live.client, token)
    assert len(await replies(live.client, token)) == 2
    assert refused["type"] == "error" and refused["code"] == "rate_limited"
    assert report["prompt_tokens"] == sum(u["prompt_tokens"] for u in used)
    assert report["completion_tokens"] == sum(u["completion_tokens"] for u in used)
    assert report["requests_this_minute"] == 2
