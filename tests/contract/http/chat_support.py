"""Helpers for the dialog and chat contract: sessions, chats, stored replies (SSE
parsing and headers come from the deployment checks in ``chatcore_contract``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from chatcore_contract._support import SSE, bearer, parse_sse
from http_shell.container import Container
from tests.support.app import container_of as app_container

Client = httpx.AsyncClient  # the in-process test client, or one on a live server


async def anonymous(client: Client, tenant: str | None = None) -> str:
    """The access token of a new anonymous session (in ``tenant`` if named)."""
    headers = {"X-Tenant-ID": tenant} if tenant else {}
    response = await client.post("/v1/sessions", headers=headers)
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    return token


async def chat(client: Client, token: str, message: str, **body: Any) -> list[tuple[str, Any]]:
    """The events of one chat over SSE, keep-alive comments left out."""
    response = await client.post(
        "/v1/chat", json={"message": message, **body}, headers={**bearer(token), **SSE}
    )
    assert response.status_code == 200, response.text
    return parse_sse(response.text)


async def stored_messages(client: Client, token: str, dialog_id: str) -> list[dict[str, Any]]:
    """The messages of a dialog, as the API returns them."""
    response = await client.get(f"/v1/dialogs/{dialog_id}", headers=bearer(token))
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def stored_reply(
    client: Client, token: str, dialog_id: str, within: float = 2.0
) -> dict[str, Any]:
    """The dialog's last reply, once finished (a stopped one is finished a moment later)."""
    deadline = time.monotonic() + within
    while (messages := await stored_messages(client, token, dialog_id))[-1][
        "finish_reason"
    ] is None:
        assert time.monotonic() < deadline, "the reply was not stored"
        await asyncio.sleep(0.01)
    return messages[-1]


async def eventually(check: Callable[[], object], within: float = 2.0) -> None:
    """Poll ``check`` until it returns a truthy value; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def new_tasks(baseline: set[asyncio.Task[object]]) -> list[str]:
    """Tasks still running that were not running at ``baseline``, by coroutine."""
    current = asyncio.current_task()
    return [
        repr(task.get_coro())
        for task in asyncio.all_tasks()
        if task not in baseline and task is not current and not task.done()
    ]


async def no_new_tasks(baseline: set[asyncio.Task[object]], within: float = 2.0) -> None:
    """Wait until every task started since ``baseline`` has ended; fail after ``within``."""
    deadline = time.monotonic() + within
    while left := new_tasks(baseline):
        assert time.monotonic() < deadline, f"tasks left running: {left}"
        await asyncio.sleep(0.01)


def container_of(client: AsyncTestClient[Litestar]) -> Container:
    """The container behind an in-process client's app."""
    return app_container(client.app)
