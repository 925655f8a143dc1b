"""``quota_warning`` over ``WS /v1/ws``: the chat that takes a session's month past
80% of its quota tells its socket once. Served by uvicorn on SQLite (in-process bus)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from http_shell.app import create_app
from http_shell.container import build_container
from tests.support.app import app_settings
from tests.support.live_server import LiveServer
from tests.support.notifications import next_frame, notifications


async def test_the_chat_that_crosses_80_percent_sends_one_quota_warning(
    sqlite_url: str, tmp_path: Path
) -> None:
    # A quota of 5 tokens: the first chat is admitted and costs more than 4.
    settings = app_settings(sqlite_url, tmp_path, monthly_token_quota="5")
    container = build_container(settings)
    async with LiveServer(create_app(settings, container), container) as server:
        client = server.client
        session = await client.post("/v1/sessions")
        assert session.status_code == 201, session.text
        token = session.json()["access_token"]
        auth = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        async with notifications(str(client.base_url), token) as socket:
            chat = await client.post("/v1/chat", json={"message": "Hello?"}, headers=auth)
            assert chat.status_code == 200, chat.text
            frame = await next_frame(socket)
            usage = (await client.get("/v1/usage", headers=auth)).json()
            assert frame == {
                "type": "quota_warning",
                "total_tokens": usage["total_tokens"],
                "quota_tokens": 5,
                "period_end": usage["period_end"],
            }
            refused = await client.post("/v1/chat", json={"message": "Again?"}, headers=auth)
            assert refused.status_code == 429, refused.text
            try:  # and the refusal settles nothing, so no second warning
                async with asyncio.timeout(0.3):
                    extra = await next_frame(socket)
            except TimeoutError:
                extra = None
            assert extra is None
